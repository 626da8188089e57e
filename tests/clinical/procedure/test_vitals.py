"""Vital-sign entry: plausible ranges on both sides, named errors, units and codes, NEWS2."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinepath.clinical.errors import InvalidInput
from spinepath.clinical.instruments.news2 import INSTRUMENT as NEWS2
from spinepath.clinical.instruments.news2 import PLAUSIBLE
from spinepath.clinical.procedure import vitals
from spinepath.clinical.sources import get_source

NORMAL: dict[str, Any] = {
    "respiratory_rate": 16,
    "spo2_percent": 97,
    "on_oxygen": False,
    "systolic_bp_mmhg": 130,
    "diastolic_bp_mmhg": 78,
    "pulse_per_min": 72,
    "consciousness": "A",
    "temperature_c": 36.8,
}
RANGED = [sign for sign in vitals.VITAL_SIGNS if sign.minimum is not None]


def errors(**changes: Any) -> dict[str, str]:
    raw = {k: v for k, v in {**NORMAL, **changes}.items() if v is not ...}
    with pytest.raises(InvalidInput) as caught:
        vitals.parse_vitals(raw)
    return {error.field: error.message for error in caught.value.errors}


def test_a_normal_set_is_accepted() -> None:
    parsed = vitals.parse_vitals(NORMAL)
    assert parsed.spo2_scale == 1
    assert parsed.diastolic_bp_mmhg == 78


def test_spo2_140_negative_pulse_and_text_are_each_named_at_once() -> None:
    found = errors(spo2_percent=140, pulse_per_min=-5, temperature_c="thirty-seven")
    assert set(found) == {"spo2_percent", "pulse_per_min", "temperature_c"}
    assert "140% is outside the plausible range 0–100%" in found["spo2_percent"]
    assert "-5 beats/min is outside the plausible range 0–350 beats/min" in found["pulse_per_min"]
    assert "valid number" in found["temperature_c"]


@pytest.mark.parametrize("sign", RANGED, ids=lambda sign: sign.field)
def test_every_range_holds_at_its_limits_and_refuses_one_step_beyond(
    sign: vitals.VitalSign,
) -> None:
    assert sign.minimum is not None and sign.maximum is not None
    step = Decimal("0.1") if sign.field == "temperature_c" else Decimal(1)
    cast = float if sign.field == "temperature_c" else int
    base = dict(NORMAL)
    if sign.field == "diastolic_bp_mmhg":
        base["systolic_bp_mmhg"] = int(sign.maximum) + 1  # the highest systolic
    if sign.field == "systolic_bp_mmhg":
        base["diastolic_bp_mmhg"] = None
    for value in (sign.minimum, sign.maximum):
        vitals.parse_vitals({**base, sign.field: cast(value)})
    for value in (sign.minimum - step, sign.maximum + step):
        with pytest.raises(InvalidInput) as caught:
            vitals.parse_vitals({**base, sign.field: cast(value)})
        assert [e.field for e in caught.value.errors] == [sign.field]


def test_the_ranges_are_the_news2_input_limits() -> None:
    for name, (low, high) in PLAUSIBLE.items():
        sign = vitals.BY_FIELD[name]
        assert (sign.minimum, sign.maximum) == (Decimal(str(low)), Decimal(str(high)))


def test_a_fahrenheit_temperature_is_refused() -> None:
    assert "temperature_c" in errors(temperature_c=98.6)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("pulse_per_min", "72"),
        ("pulse_per_min", 72.5),
        ("pulse_per_min", True),
        ("on_oxygen", "no"),
        ("consciousness", "alert"),
        ("temperature_c", math.nan),
        ("spo2_scale", 3),
    ],
)
def test_values_of_the_wrong_kind_are_named(field: str, value: Any) -> None:
    assert field in errors(**{field: value})


def test_a_missing_reading_is_named() -> None:
    assert set(errors(pulse_per_min=..., respiratory_rate=...)) == {
        "pulse_per_min",
        "respiratory_rate",
    }


def test_diastolic_must_be_below_systolic_and_may_be_left_out() -> None:
    above = errors(systolic_bp_mmhg=100, diastolic_bp_mmhg=101)
    equal = errors(systolic_bp_mmhg=100, diastolic_bp_mmhg=100)
    assert above["diastolic_bp_mmhg"] == (
        "diastolic 101 mmHg is not below systolic 100 mmHg: the diastolic pressure must be the "
        "lower number; check the two readings"
    )
    assert set(equal) == {"diastolic_bp_mmhg"}
    vitals.parse_vitals({**NORMAL, "systolic_bp_mmhg": 100, "diastolic_bp_mmhg": 99})
    assert vitals.parse_vitals({**NORMAL, "diastolic_bp_mmhg": None}).diastolic_bp_mmhg is None


def test_news2_of_a_set_is_the_news2_instrument_on_the_same_readings() -> None:
    raw = {**NORMAL, "respiratory_rate": 22, "spo2_percent": 94, "pulse_per_min": 115}
    expected = NEWS2.run({k: v for k, v in raw.items() if k != "diastolic_bp_mmhg"})
    assert vitals.news2_of(vitals.parse_vitals(raw)) == expected
    assert expected["total"] == 2 + 1 + 2


def test_each_stored_row_carries_its_ucum_unit_and_loinc_codes() -> None:
    rows = {row["parameter"]: row for row in vitals.observation_rows(vitals.parse_vitals(NORMAL))}
    codes = {name: [c["code"] for c in row["codings"]] for name, row in rows.items()}
    units = {name: row["unit"] for name, row in rows.items()}
    assert codes == {
        "respiratory_rate": ["9279-1"],
        "spo2_percent": ["2708-6", "59408-5"],
        "systolic_bp_mmhg": ["8480-6"],
        "diastolic_bp_mmhg": ["8462-4"],
        "pulse_per_min": ["8867-4"],
        "temperature_c": ["8310-5"],
        "on_oxygen": [],
        "consciousness": [],
        "spo2_scale": [],
    }
    assert units["systolic_bp_mmhg"] == "mm[Hg]"
    assert units["pulse_per_min"] == units["respiratory_rate"] == "/min"
    assert (units["spo2_percent"], units["temperature_c"]) == ("%", "Cel")
    assert rows["consciousness"]["value"] == "A"


def test_every_code_and_range_cites_a_registered_source() -> None:
    for sign in vitals.VITAL_SIGNS:
        for coding in sign.codings:
            assert get_source(coding.source_id)
        if sign.minimum is not None:
            assert get_source(sign.range_source_id)
    assert get_source(vitals.NEWS2_TOTAL.source_id)
    assert vitals.NEWS2_TOTAL.code == "1104051000000101"


@given(
    st.integers(-50, 500),
    st.integers(-50, 500),
    st.integers(-50, 500),
)
def test_any_whole_number_reading_is_either_accepted_or_named(
    spo2: int, pulse: int, systolic: int
) -> None:
    raw = {**NORMAL, "spo2_percent": spo2, "pulse_per_min": pulse, "systolic_bp_mmhg": systolic}
    raw["diastolic_bp_mmhg"] = None
    expected_bad = {
        name
        for name, value in (
            ("spo2_percent", spo2),
            ("pulse_per_min", pulse),
            ("systolic_bp_mmhg", systolic),
        )
        if not (PLAUSIBLE[name][0] <= value <= PLAUSIBLE[name][1])
    }
    if not expected_bad:
        vitals.parse_vitals(raw)
        return
    with pytest.raises(InvalidInput) as caught:
        vitals.parse_vitals(raw)
    assert {e.field for e in caught.value.errors} == expected_bad


def test_a_cross_field_check_is_not_run_on_a_reading_already_out_of_range() -> None:
    found = errors(systolic_bp_mmhg=401, diastolic_bp_mmhg=300)
    assert "outside the plausible range" in found["systolic_bp_mmhg"]
    assert "not below systolic" not in found.get("diastolic_bp_mmhg", "")


@pytest.mark.parametrize("field", ["consciousness", "on_oxygen"])
def test_consciousness_and_oxygen_have_no_default(field: str) -> None:
    assert field in errors(**{field: ...})
