"""The preparation plan end to end: the contract, time zones and DST, weekends, invalid input."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from spinepath.clinical.errors import InvalidInput
from spinepath.clinical.preparation import make_plan

NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)

ISSUE_EXAMPLE: dict[str, Any] = {
    "procedure_start": "2026-12-01T09:00:00-06:00",
    "edition": "sir-2019",
    "creatinine_clearance_ml_min": 45,
    "medications": [
        {
            "name": "Eliquis 5 mg",
            "frequency": "twice daily",
            "rxnorm": None,
            "dose_times": ["08:00", "20:00"],
        }
    ],
    "labs": {"inr": 1.1, "platelets_10e9_per_l": 210},
}


def test_the_issue_example_has_the_contract_shape() -> None:
    plan = make_plan(ISSUE_EXAMPLE, now=NOW)
    assert {"medications", "labs", "fasting", "edition"} <= set(plan)
    assert plan["edition"] == "sir-2019"
    entry = plan["medications"][0]
    for key in (
        "input",
        "recognised_as",
        "action",
        "stop_before_hours",
        "last_dose_at",
        "restart_after_hours",
        "reason",
        "source",
    ):
        assert key in entry
    assert entry["input"] == "Eliquis 5 mg"
    assert entry["recognised_as"] == "apixaban"
    assert entry["action"] == "hold"
    assert plan["labs"][0] == {
        "test": "inr",
        "value": 1.1,
        "threshold": "<= 1.8",
        "unit": "",
        "status": "ok",
        "flagged": False,
        "rule": "SIR 2019 Part II, high bleeding risk",
        "source": "sir-2019-periprocedural",
    }
    assert {"solid_food_until", "light_meal_until", "clear_liquids_until"} <= set(plan["fasting"])
    json.dumps(plan)  # JSON-ready


def test_issue_example_with_clearance_45_uses_the_30_to_49_band() -> None:
    entry = make_plan(ISSUE_EXAMPLE, now=NOW)["medications"][0]
    # SIR 2019, CrCl 30-49: 6 doses twice daily = 72 h.
    # (The specification's example [48, 48] holds for CrCl >= 50.)
    assert entry["stop_before_hours"] == [72, 72]
    assert entry["last_dose_at"] == "2026-11-28T08:00:00-06:00"
    assert entry["restart_after_hours"] == 24
    assert entry["restart_at"] == "2026-12-02T09:00:00-06:00"
    assert entry["first_usual_dose_after_restart"] == "2026-12-02T20:00:00-06:00"


def test_apixaban_4_doses_twice_daily_is_48_hours() -> None:
    plan = make_plan({**ISSUE_EXAMPLE, "creatinine_clearance_ml_min": 80}, now=NOW)
    entry = plan["medications"][0]
    assert entry["stop_before_hours"] == [48, 48]
    assert entry["last_dose_at"] == "2026-11-29T08:00:00-06:00"
    assert entry["latest_allowed_last_dose_at"] == "2026-11-29T09:00:00-06:00"
    assert entry["last_dose_basis"] == "usual_dose_time"
    assert "4 doses = 48 hours" in entry["reason"]


def test_without_a_time_zone_the_offset_is_used_and_a_warning_says_so() -> None:
    plan = make_plan(ISSUE_EXAMPLE, now=NOW)
    assert plan["time_zone"] == "UTC-06:00"
    assert plan["time_zone_source"] == "procedure_start offset"
    assert any("daylight-saving changes are not followed" in w for w in plan["warnings"])


# ---- daylight saving ---------------------------------------------------------------------------


def _dst_plan(dose_times: list[str], **extra: Any) -> dict[str, Any]:
    # Monday 2 Nov 2026 09:00 CST; US clocks went back on Sunday 1 Nov at 02:00 CDT.
    return make_plan(
        {
            "procedure_start": "2026-11-02T09:00:00-06:00",
            "time_zone": "America/Chicago",
            "creatinine_clearance_ml_min": 80,
            "medications": [
                {"name": "Eliquis 5 mg", "frequency": "twice daily", "dose_times": dose_times}
            ],
            **extra,
        },
        now=NOW,
    )


def test_dst_change_between_last_dose_and_procedure_counts_elapsed_hours() -> None:
    entry = _dst_plan(["10:00", "22:00"])["medications"][0]
    # 48 elapsed hours before Mon 09:00 CST is Sat 10:00 CDT: the 10:00 dose is still allowed.
    assert entry["latest_allowed_last_dose_at"] == "2026-10-31T10:00:00-05:00"
    assert entry["last_dose_at"] == "2026-10-31T10:00:00-05:00"
    last = datetime.fromisoformat(entry["last_dose_at"])
    start = datetime.fromisoformat("2026-11-02T09:00:00-06:00")
    assert (start - last).total_seconds() == 48 * 3600


def test_dst_change_with_morning_and_evening_doses() -> None:
    entry = _dst_plan(["08:00", "20:00"])["medications"][0]
    assert entry["last_dose_at"] == "2026-10-31T08:00:00-05:00"
    assert entry["last_dose_weekday"] == "saturday"


def test_dst_change_for_a_days_rule() -> None:
    plan = make_plan(
        {
            "procedure_start": "2026-11-04T09:00:00-06:00",
            "time_zone": "America/Chicago",
            "medications": [
                {"name": "Plavix 75 mg", "frequency": "daily", "dose_times": ["09:00"]}
            ],
        },
        now=NOW,
    )
    entry = plan["medications"][0]
    # 120 elapsed hours before Wed 4 Nov 09:00 CST = Fri 30 Oct 10:00 CDT: 09:00 dose allowed.
    assert entry["latest_allowed_last_dose_at"] == "2026-10-30T10:00:00-05:00"
    assert entry["last_dose_at"] == "2026-10-30T09:00:00-05:00"


def test_spring_change_before_the_procedure() -> None:
    plan = make_plan(
        {
            "procedure_start": "2026-03-09T09:00:00-05:00",
            "time_zone": "America/Chicago",
            "creatinine_clearance_ml_min": 80,
            "medications": [
                {"name": "Eliquis", "frequency": "twice daily", "dose_times": ["08:30", "20:30"]}
            ],
        },
        now=NOW.replace(year=2026, month=1),
    )
    entry = plan["medications"][0]
    # 48 h before Mon 9 Mar 09:00 CDT is Sat 7 Mar 08:00 CST (clocks went forward on Sunday).
    assert entry["latest_allowed_last_dose_at"] == "2026-03-07T08:00:00-06:00"
    assert entry["last_dose_at"] == "2026-03-06T20:30:00-06:00"


def test_restart_counts_from_the_procedure_end_when_given() -> None:
    plan = _dst_plan(["08:00", "20:00"], procedure_end="2026-11-02T10:30:00-06:00")
    entry = plan["medications"][0]
    assert entry["restart_at"] == "2026-11-03T10:30:00-06:00"
    assert plan["procedure_end"] == "2026-11-02T10:30:00-06:00"


# ---- a Monday-morning procedure: stops fall on the weekend -------------------------------------


def test_monday_morning_procedure_with_weekend_stops() -> None:
    plan = make_plan(
        {
            "procedure_start": "2026-12-07T08:00:00-06:00",
            "time_zone": "America/Chicago",
            "creatinine_clearance_ml_min": 70,
            "medications": [
                {
                    "name": "Eliquis 5 mg",
                    "frequency": "twice daily",
                    "dose_times": ["08:00", "20:00"],
                },
                {"name": "Xarelto 20 mg", "frequency": "once daily", "dose_times": ["18:00"]},
                {"name": "clopidogrel 75 mg", "frequency": "daily", "dose_times": ["09:00"]},
            ],
        },
        now=NOW,
    )
    apixaban, rivaroxaban, clopidogrel = plan["medications"]
    assert apixaban["last_dose_at"] == "2026-12-05T08:00:00-06:00"  # Saturday, exactly 48 h
    assert apixaban["last_dose_weekday"] == "saturday"
    assert rivaroxaban["last_dose_at"] == "2026-12-04T18:00:00-06:00"  # Friday evening
    assert clopidogrel["last_dose_at"] == "2026-12-01T09:00:00-06:00"  # Tuesday
    weekend = [w for w in plan["warnings"] if "before the weekend" in w]
    assert weekend == [
        "Eliquis 5 mg: the last dose falls on a saturday: give the patient the stop "
        "instructions before the weekend"
    ]


# ---- no dose times, unknown medicines, passed deadlines -----------------------------------------


def test_without_dose_times_the_latest_allowed_moment_is_given() -> None:
    plan = make_plan(
        {
            "procedure_start": "2026-12-01T09:00:00-06:00",
            "medications": [{"name": "Brilinta 90 mg", "frequency": "twice daily"}],
        },
        now=NOW,
    )
    entry = plan["medications"][0]
    assert entry["last_dose_at"] == "2026-11-26T09:00:00-06:00"
    assert entry["last_dose_basis"] == "latest_allowed_moment"
    assert any("no usual dose times" in w for w in entry["warnings"])


def test_unknown_medicines_are_reviewed_and_never_dropped() -> None:
    names = [
        "Zyxoral 10 mg",
        "Tylenol PM",
        "Eliquis 5 mg",
        "hydrocodone/acetaminophen with caffeine",
        "St John's wort",
    ]
    plan = make_plan(
        {
            "procedure_start": "2026-12-01T09:00:00-06:00",
            "creatinine_clearance_ml_min": 70,
            "medications": [{"name": name, "frequency": "twice daily"} for name in names],
        },
        now=NOW,
    )
    entries = plan["medications"]
    assert [entry["input"] for entry in entries] == names
    actions = {entry["input"]: entry["action"] for entry in entries}
    assert actions == {
        "Zyxoral 10 mg": "review",
        "Tylenol PM": "review",
        "Eliquis 5 mg": "hold",
        "hydrocodone/acetaminophen with caffeine": "review",
        "St John's wort": "review",
    }
    assert "not recognised" in entries[0]["reason"]
    assert "'pm'" in entries[1]["reason"]
    assert plan["needs_review"] is True


@pytest.mark.parametrize(
    "name",
    [
        "levothyroxine 75 mcg",
        "Fosamax 70 mg weekly",
        "Tylenol 500 mg",
        "Prolia",
        "vitamin D3 1000 IU",
        "atorvastatin calcium 20 mg",
        "calcium 600 mg + vitamin D",
    ],
)
def test_medicines_with_no_bleeding_or_sedation_rule_continue(name: str) -> None:
    plan = make_plan(
        {"procedure_start": "2026-12-01T09:00:00-06:00", "medications": [{"name": name}]}, now=NOW
    )
    entry = plan["medications"][0]
    assert entry["action"] == "continue"
    assert "bleeding or sedation rule" in entry["reason"]
    assert entry["stop_before_hours"] is None and entry["last_dose_at"] is None


def test_a_stop_time_already_passed_goes_to_review() -> None:
    plan = make_plan(
        {
            "procedure_start": "2026-12-01T09:00:00-06:00",
            "medications": [{"name": "Effient 10 mg", "frequency": "daily"}],
        },
        now=datetime(2026, 11, 27, tzinfo=UTC),  # prasugrel needs 7 days: 24 Nov has passed
    )
    entry = plan["medications"][0]
    assert entry["action"] == "review"
    assert "has already passed" in entry["reason"]


def test_without_now_the_past_is_not_checked_and_a_warning_says_so() -> None:
    plan = make_plan({"procedure_start": "2020-01-01T09:00:00+00:00"})
    assert any("no 'now' given" in w for w in plan["warnings"])


def test_time_zone_given_with_a_different_offset_is_converted_with_a_warning() -> None:
    plan = make_plan(
        {"procedure_start": "2026-12-01T15:00:00Z", "time_zone": "America/Chicago"}, now=NOW
    )
    assert plan["procedure_start"] == "2026-12-01T09:00:00-06:00"
    assert any("is at UTC-06:00 then" in w for w in plan["warnings"])


def test_every_result_carries_its_sources_and_edition() -> None:
    plan = make_plan({**ISSUE_EXAMPLE, "edition": "asra-2018"}, now=NOW)
    assert plan["edition"] == "asra-2018"
    assert plan["edition_source"] == "asra-2018-pain-anticoagulation"
    assert "asa-2017-fasting" in plan["sources"]
    assert plan["medications"][0]["edition"] == "asra-2018"


# ---- invalid input: every bad field named at once -----------------------------------------------


def _errors(raw: Any, now: datetime | None = NOW) -> dict[str, str]:
    with pytest.raises(InvalidInput) as caught:
        make_plan(raw, now=now)
    return {error.field: error.message for error in caught.value.errors}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"edition": "sir-2012"}, "edition", "sir-2019"),
        ({"creatinine_clearance_ml_min": -5}, "creatinine_clearance_ml_min", "greater than"),
        ({"procedure_start": "2026-09-30T09:00:00-05:00"}, "procedure_start", "in the past"),
        ({"procedure_start": "2026-12-01T09:00:00"}, "procedure_start", "no UTC offset"),
        ({"procedure_start": "1 Dec 2026 9am"}, "procedure_start", "ISO 8601"),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "IANA time zone"),
        ({"procedure_end": "2026-12-01T08:00:00-06:00"}, "procedure_end", "after"),
        ({"labs": {"inr": -1}}, "labs.inr", "greater than"),
        ({"colour": "blue"}, "colour", "Extra inputs"),
        (
            {"medications": [{"name": "Eliquis", "dose_times": ["08:00", "25:00"]}]},
            "medications.0.dose_times.1",
            "24-hour clock",
        ),
        (
            {"medications": [{"name": "Eliquis", "dose_times": ["08:00", "8:00"]}]},
            "medications.0.dose_times",
            "listed twice",
        ),
        ({"medications": [{"name": "  "}]}, "medications.0.name", "must name"),
        (
            {"medications": [{"name": "Eliquis", "rxnorm": "RX12"}]},
            "medications.0.rxnorm",
            "digits",
        ),
        (
            {"medications": [{"name": "Ozempic", "dose_weekday": "Funday"}]},
            "medications.0.dose_weekday",
            "monday",
        ),
    ],
)
def test_invalid_input_names_the_field(change: dict[str, Any], field: str, message: str) -> None:
    errors = _errors({**ISSUE_EXAMPLE, **change})
    assert field in errors, errors
    assert message in errors[field]


def test_every_bad_field_is_named_at_once() -> None:
    errors = _errors(
        {
            "procedure_start": "2026-09-30T09:00:00-05:00",
            "edition": "nice-2020",
            "creatinine_clearance_ml_min": -1,
            "medications": [{"name": "Eliquis", "dose_times": ["25:00"]}],
        }
    )
    assert set(errors) == {
        "procedure_start",
        "edition",
        "creatinine_clearance_ml_min",
        "medications.0.dose_times.0",
    }


def test_the_input_must_be_an_object() -> None:
    assert _errors(["not", "an", "object"]) == {"(input)": "must be a JSON object"}


def test_null_sections_mean_none_given() -> None:
    plan = make_plan(
        {
            "procedure_start": "2026-12-01T09:00:00-06:00",
            "medications": None,
            "labs": None,
            "clinic_policy": None,
        },
        now=NOW,
    )
    assert plan["medications"] == []
    assert plan["inr_threshold"] == 1.8


def test_procedure_start_is_required() -> None:
    assert "procedure_start" in _errors({})


def test_now_must_be_timezone_aware() -> None:
    errors = _errors(ISSUE_EXAMPLE, now=datetime(2026, 10, 1))
    assert errors == {"now": "must be timezone-aware"}


def test_every_source_id_in_a_plan_is_registered() -> None:
    from spinepath.clinical.preparation.holds import HOLD_TABLE
    from spinepath.clinical.sources import get_source

    plan = make_plan(
        {**ISSUE_EXAMPLE, "medications": [{"name": "Ozempic", "frequency": "weekly"}]}, now=NOW
    )
    ids = {*plan["sources"], plan["edition_source"], plan["fasting"]["glp1"]["source"]}
    ids.update(rule.source_id for rule in HOLD_TABLE)
    for source_id in ids:
        assert get_source(source_id).id == source_id
