"""NEWS2 (RCP 2017): Chart 1 bands on both sides of every boundary, Chart 2 risk, Chart 4 response.

No RCP worked example with raw observations and a total was found (see
docs/clinical-sources/recovery-and-outcome-scores.md); expected points are read off Chart 1.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinepath.clinical.errors import InvalidInput
from spinepath.clinical.instruments.news2 import INSTRUMENT, PLAUSIBLE
from spinepath.clinical.instruments.registry import get_instrument
from spinepath.clinical.sources import get_source

NORMAL: dict[str, Any] = {
    "respiratory_rate": 16,
    "spo2_percent": 97,
    "spo2_scale": 1,
    "on_oxygen": False,
    "systolic_bp_mmhg": 120,
    "pulse_per_min": 70,
    "consciousness": "A",
    "temperature_c": 37.0,
}
COMPONENTS = {
    "respiration_rate",
    "spo2",
    "air_or_oxygen",
    "systolic_bp",
    "pulse",
    "consciousness",
    "temperature",
}


def news2(**changes: Any) -> dict[str, Any]:
    return INSTRUMENT.run({**NORMAL, **changes})


def error_fields(raw: Any) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        INSTRUMENT.run(raw)
    return [error.field for error in caught.value.errors]


def test_normal_observations_score_zero_low_risk_twelve_hourly() -> None:
    result = news2()
    assert result["total"] == 0
    assert set(result["components"]) == COMPONENTS
    assert all(points == 0 for points in result["components"].values())
    assert result["single_parameter_3"] is False
    assert result["risk"] == "low"
    assert result["response"]["monitoring_frequency"] == "minimum 12-hourly"
    assert result["response"]["clinical_response"] == ["Continue routine NEWS monitoring."]


def test_result_carries_instrument_edition_and_resolvable_sources() -> None:
    result = news2()
    assert result["instrument"] == "news2"
    assert result["edition"] == "RCP NEWS2 (December 2017)"
    assert result["sources"] == ["rcp-news2-2017", "nice-mib205-news-scope"]
    for source_id in result["sources"]:
        assert get_source(source_id).id == source_id
    assert get_instrument("news2") is INSTRUMENT


@pytest.mark.parametrize(
    ("value", "points"),
    [(0, 3), (8, 3), (9, 1), (11, 1), (12, 0), (20, 0), (21, 2), (24, 2), (25, 3), (60, 3)],
)
def test_respiration_rate_bands(value: int, points: int) -> None:
    assert news2(respiratory_rate=value)["components"]["respiration_rate"] == points


@pytest.mark.parametrize(
    ("value", "points"),
    [(0, 3), (91, 3), (92, 2), (93, 2), (94, 1), (95, 1), (96, 0), (100, 0)],
)
def test_spo2_scale_1_bands_are_the_same_on_air_and_oxygen(value: int, points: int) -> None:
    assert news2(spo2_percent=value)["components"]["spo2"] == points
    on_oxygen = news2(spo2_percent=value, on_oxygen=True)["components"]
    assert on_oxygen["spo2"] == points
    assert on_oxygen["air_or_oxygen"] == 2


@pytest.mark.parametrize(
    ("value", "points"),
    [(83, 3), (84, 2), (85, 2), (86, 1), (87, 1), (88, 0), (92, 0), (93, 0), (96, 0), (100, 0)],
)
def test_spo2_scale_2_on_air_scores_93_and_above_as_zero(value: int, points: int) -> None:
    result = news2(spo2_scale=2, spo2_percent=value, on_oxygen=False)
    assert result["components"]["spo2"] == points
    assert result["components"]["air_or_oxygen"] == 0


@pytest.mark.parametrize(
    ("value", "points"),
    [
        (0, 3),
        (83, 3),
        (84, 2),
        (85, 2),
        (86, 1),
        (87, 1),
        (88, 0),
        (92, 0),
        (93, 1),
        (94, 1),
        (95, 2),
        (96, 2),
        (97, 3),
        (100, 3),
    ],
)
def test_spo2_scale_2_on_oxygen_scores_high_saturations(value: int, points: int) -> None:
    result = news2(spo2_scale=2, spo2_percent=value, on_oxygen=True)
    assert result["components"]["spo2"] == points
    assert result["components"]["air_or_oxygen"] == 2


def test_scale_2_adds_a_note_on_who_it_is_for() -> None:
    assert "hypercapnic" in news2(spo2_scale=2)["notes"][0]
    assert news2(spo2_scale=2)["spo2_scale"] == 2
    assert news2()["notes"] == []


@pytest.mark.parametrize(
    ("value", "points"),
    [(0, 3), (90, 3), (91, 2), (100, 2), (101, 1), (110, 1), (111, 0), (219, 0), (220, 3)],
)
def test_systolic_bp_bands(value: int, points: int) -> None:
    assert news2(systolic_bp_mmhg=value)["components"]["systolic_bp"] == points


@pytest.mark.parametrize(
    ("value", "points"),
    [
        (0, 3),
        (40, 3),
        (41, 1),
        (50, 1),
        (51, 0),
        (90, 0),
        (91, 1),
        (110, 1),
        (111, 2),
        (130, 2),
        (131, 3),
        (250, 3),
    ],
)
def test_pulse_bands(value: int, points: int) -> None:
    assert news2(pulse_per_min=value)["components"]["pulse"] == points


@pytest.mark.parametrize(("level", "points"), [("A", 0), ("C", 3), ("V", 3), ("P", 3), ("U", 3)])
def test_consciousness_alert_scores_zero_and_cvpu_three(level: str, points: int) -> None:
    assert news2(consciousness=level)["components"]["consciousness"] == points


@pytest.mark.parametrize(
    ("value", "points"),
    [
        (10.0, 3),
        (35.0, 3),
        (35.1, 1),
        (36.0, 1),
        (36.1, 0),
        (38.0, 0),
        (38.1, 1),
        (39.0, 1),
        (39.1, 2),
        (42.0, 2),
    ],
)
def test_temperature_bands(value: float, points: int) -> None:
    result = news2(temperature_c=value)
    assert result["components"]["temperature"] == points
    assert result["temperature_c_scored"] == value


@pytest.mark.parametrize(
    ("value", "scored", "points"),
    [
        (35.04, 35.0, 3),
        (35.05, 35.1, 1),
        (36.04, 36.0, 1),
        (36.05, 36.1, 0),
        (38.04, 38.0, 0),
        (38.05, 38.1, 1),
        (39.04, 39.0, 1),
        (39.05, 39.1, 2),
        (37, 37.0, 0),
    ],
)
def test_temperature_between_chart_steps_is_rounded_half_up_to_one_decimal(
    value: float, scored: float, points: int
) -> None:
    result = news2(temperature_c=value)
    assert result["temperature_c_scored"] == scored
    assert result["components"]["temperature"] == points


def test_a_rounded_temperature_is_reported_in_the_notes() -> None:
    assert news2(temperature_c=35.05)["notes"] == ["Temperature 35.05 °C scored as 35.1 °C."]


def test_total_1_to_4_is_low_risk_with_nurse_assessment_4_to_6_hourly() -> None:
    for changes, total in [({"temperature_c": 38.5}, 1), ({"respiratory_rate": 21}, 2)]:
        result = news2(**changes)
        assert result["total"] == total
        assert result["risk"] == "low"
        assert result["response"]["monitoring_frequency"] == "minimum 4-6-hourly"
        assert "registered nurse" in result["response"]["clinical_response"][0]
    four = news2(respiratory_rate=21, pulse_per_min=111)
    assert (four["total"], four["single_parameter_3"], four["risk"]) == (4, False, "low")


def test_a_single_three_with_total_below_5_is_low_medium_hourly_urgent_ward_response() -> None:
    for changes in ({"consciousness": "C"}, {"consciousness": "C", "temperature_c": 38.5}):
        result = news2(**changes)
        assert result["total"] in (3, 4)
        assert result["single_parameter_3"] is True
        assert result["risk"] == "low-medium"
        assert result["response"]["response_level"] == "urgent ward-based response"
        assert result["response"]["monitoring_frequency"] == "minimum 1-hourly"


def test_total_5_and_6_are_medium_with_urgent_response_hourly() -> None:
    five = news2(respiratory_rate=21, pulse_per_min=111, temperature_c=38.5)
    six = news2(respiratory_rate=21, pulse_per_min=111, temperature_c=38.5, systolic_bp_mmhg=105)
    six_with_a_three = news2(consciousness="C", respiratory_rate=21, temperature_c=38.5)
    for result, total in [(five, 5), (six, 6), (six_with_a_three, 6)]:
        assert result["total"] == total
        assert result["risk"] == "medium"
        assert result["response"]["response_level"] == "urgent response"
        assert result["response"]["monitoring_frequency"] == "minimum 1-hourly"
    assert six_with_a_three["single_parameter_3"] is True


def test_total_7_or_more_is_high_with_continuous_monitoring_and_emergency_response() -> None:
    seven = news2(
        respiratory_rate=21,
        pulse_per_min=111,
        temperature_c=38.5,
        spo2_percent=94,
        systolic_bp_mmhg=105,
    )
    assert seven["total"] == 7
    assert seven["risk"] == "high"
    assert seven["response"]["response_level"] == "emergency response"
    assert seven["response"]["monitoring_frequency"] == "continuous monitoring of vital signs"
    assert any("critical care" in line for line in seven["response"]["clinical_response"])


@pytest.mark.parametrize("scale", [1, 2])
def test_the_worst_observations_score_the_maximum_of_20(scale: int) -> None:
    worst = news2(
        respiratory_rate=25,
        spo2_percent=97 if scale == 2 else 91,
        spo2_scale=scale,
        on_oxygen=True,
        systolic_bp_mmhg=90,
        pulse_per_min=131,
        consciousness="U",
        temperature_c=35.0,
    )
    assert worst["total"] == 20
    assert worst["risk"] == "high"


def test_public_fhir_example_observations_score_5_by_chart_1() -> None:
    # SynaneticsLtd/emergency-department-ig example (RR 21, SpO2 93 % on air, SBP 120, pulse 95,
    # alert, 37.5 °C) prints a total of 6 with 1 point for 37.5 °C; Chart 1 gives 36.1-38.0 → 0.
    result = news2(
        respiratory_rate=21,
        spo2_percent=93,
        systolic_bp_mmhg=120,
        pulse_per_min=95,
        temperature_c=37.5,
    )
    assert result["components"] == {
        "respiration_rate": 2,
        "spo2": 2,
        "air_or_oxygen": 0,
        "systolic_bp": 0,
        "pulse": 1,
        "consciousness": 0,
        "temperature": 0,
    }
    assert result["total"] == 5
    assert result["risk"] == "medium"


# ---- invalid input: every bad field is named ---------------------------------------------------


@pytest.mark.parametrize("field", sorted(set(NORMAL) - {"spo2_scale"}))
def test_each_missing_required_field_is_named(field: str) -> None:
    raw = {key: value for key, value in NORMAL.items() if key != field}
    assert error_fields(raw) == [field]


def test_spo2_scale_defaults_to_1() -> None:
    raw = {key: value for key, value in NORMAL.items() if key != "spo2_scale"}
    assert INSTRUMENT.run(raw)["spo2_scale"] == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("respiratory_rate", -1),
        ("respiratory_rate", 101),
        ("spo2_percent", -1),
        ("spo2_percent", 101),
        ("systolic_bp_mmhg", -5),
        ("systolic_bp_mmhg", 401),
        ("pulse_per_min", -1),
        ("pulse_per_min", 351),
        ("temperature_c", 98.6),
        ("temperature_c", 9.9),
        ("temperature_c", math.nan),
        ("temperature_c", math.inf),
    ],
)
def test_impossible_values_are_refused_with_a_field_error(field: str, value: Any) -> None:
    assert error_fields({**NORMAL, field: value}) == [field]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("respiratory_rate", "20"),
        ("respiratory_rate", 20.5),
        ("respiratory_rate", True),
        ("pulse_per_min", None),
        ("on_oxygen", "yes"),
        ("on_oxygen", 1),
        ("spo2_scale", 3),
        ("spo2_scale", True),
        ("spo2_scale", "2"),
        ("consciousness", "X"),
        ("consciousness", "a"),
        ("consciousness", 1),
        ("temperature_c", "37"),
    ],
)
def test_wrong_types_and_unknown_values_are_named(field: str, value: Any) -> None:
    assert error_fields({**NORMAL, field: value}) == [field]


def test_every_bad_field_is_named_at_once_and_unknown_fields_refused() -> None:
    raw = {**NORMAL, "spo2_percent": 120, "consciousness": "Z", "age": 70}
    assert sorted(error_fields(raw)) == ["age", "consciousness", "spo2_percent"]
    assert error_fields([1, 2]) == ["(input)"]


def test_input_schema_documents_fields_and_units() -> None:
    schema = INSTRUMENT.input_schema()
    assert set(schema["properties"]) == set(NORMAL)
    assert schema["additionalProperties"] is False
    assert "°C" in schema["properties"]["temperature_c"]["description"]
    assert "new confusion" in schema["properties"]["consciousness"]["description"]
    assert "under 16" in INSTRUMENT.note and "pregnant" in INSTRUMENT.note
    assert "under 16" in INSTRUMENT.formula


# ---- properties -------------------------------------------------------------------------------


def plausible(field: str) -> tuple[int, int]:
    low, high = PLAUSIBLE[field]
    return low, high


vitals = st.fixed_dictionaries(
    {
        "respiratory_rate": st.integers(*plausible("respiratory_rate")),
        "spo2_percent": st.integers(*plausible("spo2_percent")),
        "spo2_scale": st.sampled_from([1, 2]),
        "on_oxygen": st.booleans(),
        "systolic_bp_mmhg": st.integers(*plausible("systolic_bp_mmhg")),
        "pulse_per_min": st.integers(*plausible("pulse_per_min")),
        "consciousness": st.sampled_from(["A", "C", "V", "P", "U"]),
        "temperature_c": st.floats(*plausible("temperature_c"), allow_nan=False),
    }
)


@given(vitals)
def test_total_is_the_sum_of_components_within_0_to_20(raw: dict[str, Any]) -> None:
    result = INSTRUMENT.run(raw)
    components = result["components"]
    assert result["total"] == sum(components.values())
    assert 0 <= result["total"] <= 20
    assert all(0 <= points <= 3 for points in components.values())
    assert components["air_or_oxygen"] in (0, 2)
    assert result["single_parameter_3"] == (3 in components.values())
    expected_risk = (
        "high"
        if result["total"] >= 7
        else "medium"
        if result["total"] >= 5
        else "low-medium"
        if result["single_parameter_3"]
        else "low"
    )
    assert result["risk"] == expected_risk


# The band of each numeric parameter that scores 0; "further from normal" is moving away from it.
NORMAL_BAND: dict[str, tuple[float, float]] = {
    "respiratory_rate": (12, 20),
    "systolic_bp_mmhg": (111, 219),
    "pulse_per_min": (51, 90),
    "temperature_c": (36.1, 38.0),
}


@given(vitals, st.data())
def test_total_never_falls_when_one_parameter_moves_further_from_normal(
    raw: dict[str, Any], data: st.DataObject
) -> None:
    field = data.draw(st.sampled_from([*NORMAL_BAND, "spo2_percent", "consciousness", "on_oxygen"]))
    before = INSTRUMENT.run(raw)["total"]
    if field == "consciousness":
        if raw["consciousness"] != "A":
            return
        worse = {**raw, "consciousness": data.draw(st.sampled_from(["C", "V", "P", "U"]))}
    elif field == "on_oxygen":
        if raw["on_oxygen"]:
            return
        worse = {**raw, "on_oxygen": True}
    else:
        if field == "spo2_percent":
            normal_low, normal_high = (96, 100) if raw["spo2_scale"] == 1 else (88, 92)
        else:
            normal_low, normal_high = NORMAL_BAND[field]
        low, high = plausible(field)
        upward = data.draw(st.booleans())
        number = st.floats if field == "temperature_c" else st.integers
        if upward:
            start = data.draw(number(normal_low, high))
            end = data.draw(number(start, high))
        else:
            start = data.draw(number(low, normal_high))
            end = data.draw(number(low, start))
        raw = {**raw, field: start}
        before = INSTRUMENT.run(raw)["total"]
        worse = {**raw, field: end}
    assert INSTRUMENT.run(worse)["total"] >= before


def walk(field: str, start: float, stop: float, step: float, **fixed: Any) -> list[int]:
    """Totals as ``field`` walks from ``start`` to ``stop`` with everything else fixed."""
    count = round((stop - start) / step)
    values = [start + i * (stop - start) / count for i in range(count + 1)]
    if field != "temperature_c":
        values = [round(value) for value in values]
    return [news2(**fixed, **{field: value})["total"] for value in values]


def non_decreasing(totals: list[int]) -> bool:
    return all(later >= earlier for earlier, later in itertools.pairwise(totals))


@pytest.mark.parametrize(
    ("field", "step", "fixed"),
    [
        ("respiratory_rate", 1, {}),
        ("systolic_bp_mmhg", 1, {}),
        ("pulse_per_min", 1, {}),
        ("temperature_c", 0.01, {}),
        ("spo2_percent", 1, {"spo2_scale": 1, "on_oxygen": False}),
        ("spo2_percent", 1, {"spo2_scale": 1, "on_oxygen": True}),
        ("spo2_percent", 1, {"spo2_scale": 2, "on_oxygen": False}),
        ("spo2_percent", 1, {"spo2_scale": 2, "on_oxygen": True}),
    ],
)
def test_every_step_away_from_the_zero_band_never_lowers_the_total(
    field: str, step: float, fixed: dict[str, Any]
) -> None:
    # Exhaustive over the plausible range: with the other parameters fixed the total is this
    # parameter's points plus a constant, so this proves the property for any other values.
    low, high = plausible(field)
    if field == "spo2_percent":
        normal_low, normal_high = (96, 100) if fixed["spo2_scale"] == 1 else (88, 92)
    else:
        normal_low, normal_high = NORMAL_BAND[field]
    assert non_decreasing(walk(field, normal_low, high, step, **fixed))
    assert non_decreasing(walk(field, normal_high, low, -step, **fixed))
