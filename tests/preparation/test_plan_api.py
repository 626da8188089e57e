"""POST /api/v1/preparation/plan over real HTTP: the published contract, worked through."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import httpx

from spinepath.accounts.roles import Role
from tests.api.helpers import error_fields
from tests.preparation.builders import (
    CHICAGO,
    contract_example,
    contract_start,
    next_dst_change,
    next_weekday_at,
)
from tests.support import ClinicUsers

URL = "/api/v1/preparation/plan"


def _plan(clinic: ClinicUsers, payload: dict[str, Any]) -> dict[str, Any]:
    with clinic.client(Role.COORDINATOR) as client:
        answer = client.post(URL, json=payload)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    return dict(answer.json())


def _latest_usual_dose(deadline: datetime, clocks: list[time]) -> datetime:
    """Independently: the latest usual dose time (wall clock in the deadline's zone) at or
    before the deadline."""
    zone = deadline.tzinfo
    candidates = [
        datetime.combine(deadline.date() - timedelta(days=back), clock, tzinfo=zone)
        for back in range(3)
        for clock in clocks
    ]
    allowed = [c for c in candidates if c.astimezone(UTC) <= deadline.astimezone(UTC)]
    return max(allowed, key=lambda c: c.astimezone(UTC))


def test_the_contract_example_gives_its_shape_and_sir_2019_numbers(
    clinic: ClinicUsers,
) -> None:
    start = contract_start()
    out = _plan(clinic, contract_example(start))

    assert out["edition"] == "sir-2019"
    [medicine] = out["medications"]
    assert medicine["input"] == "Eliquis 5 mg"
    assert medicine["recognised_as"] == "apixaban"
    assert medicine["action"] == "hold"
    # CrCl 45 falls in SIR's 30-49 band: 6 doses twice daily = 72 h (the example's [48, 48]
    # is the >= 50 band; see the next test).
    assert medicine["stop_before_hours"] == [72, 72]
    expected_last = (start - timedelta(hours=72)).replace(hour=8)
    assert medicine["last_dose_at"] == expected_last.isoformat()
    assert medicine["restart_after_hours"] == 24
    assert medicine["source"] == "sir-2019-periprocedural"
    assert "6 doses" in medicine["reason"]
    # The extra fields for patient-facing outputs.
    assert medicine["last_dose_weekday"] == expected_last.strftime("%A").lower()
    assert medicine["latest_allowed_last_dose_at"] == (start - timedelta(hours=72)).isoformat()
    assert medicine["first_usual_dose_after_restart"] == (
        (start + timedelta(hours=24)).replace(hour=20).isoformat()
    )

    labs = {lab["test"]: lab for lab in out["labs"]}
    assert labs["inr"].items() >= {"value": 1.1, "threshold": "<= 1.8", "status": "ok"}.items()
    assert labs["platelets"]["status"] == "ok"
    assert labs["platelets"]["threshold"] == ">= 50"
    fasting = out["fasting"]
    assert fasting["solid_food_until"] == (start - timedelta(hours=8)).isoformat()
    assert fasting["light_meal_until"] == (start - timedelta(hours=6)).isoformat()
    assert fasting["clear_liquids_until"] == (start - timedelta(hours=2)).isoformat()
    assert set(out) >= {"warnings", "needs_review", "sources"}


def test_the_contract_example_with_clearance_of_50_or_more_holds_48_hours(
    clinic: ClinicUsers,
) -> None:
    start = contract_start()
    out = _plan(clinic, {**contract_example(start), "creatinine_clearance_ml_min": 50})
    [medicine] = out["medications"]
    assert medicine["stop_before_hours"] == [48, 48]
    assert medicine["last_dose_at"] == (start - timedelta(hours=48)).replace(hour=8).isoformat()


def test_elapsed_hours_are_kept_across_a_daylight_saving_change(clinic: ClinicUsers) -> None:
    change = next_dst_change(CHICAGO)
    start = datetime.combine(change + timedelta(days=1), time(9, 0), tzinfo=CHICAGO)
    out = _plan(
        clinic,
        {
            "procedure_start": start.isoformat(),
            "time_zone": "America/Chicago",
            "creatinine_clearance_ml_min": 80,
            "medications": [
                {
                    "name": "apixaban 5 mg",
                    "frequency": "twice daily",
                    "dose_times": ["08:00", "20:00"],
                }
            ],
        },
    )
    [medicine] = out["medications"]
    deadline = (start.astimezone(UTC) - timedelta(hours=48)).astimezone(CHICAGO)
    # 48 elapsed hours before 09:00 on the day after the change is not 09:00 on the wall clock.
    assert (deadline.hour, deadline.minute) != (9, 0)
    assert deadline.utcoffset() != start.utcoffset()
    assert medicine["latest_allowed_last_dose_at"] == deadline.isoformat()
    expected = _latest_usual_dose(deadline, [time(8), time(20)])
    assert medicine["last_dose_at"] == expected.isoformat()
    last = datetime.fromisoformat(medicine["last_dose_at"])
    assert start.astimezone(UTC) - last.astimezone(UTC) >= timedelta(hours=48)


def test_a_monday_morning_procedure_puts_the_last_dose_on_the_weekend(
    clinic: ClinicUsers,
) -> None:
    start = next_weekday_at(0, time(8, 0))
    out = _plan(
        clinic,
        {
            "procedure_start": start.isoformat(),
            "time_zone": "America/Chicago",
            "creatinine_clearance_ml_min": 70,
            "medications": [
                {"name": "Eliquis", "frequency": "twice daily", "dose_times": ["08:00", "20:00"]}
            ],
        },
    )
    [medicine] = out["medications"]
    assert medicine["last_dose_weekday"] == "saturday"
    assert any("before the weekend" in warning for warning in out["warnings"])


def test_brand_names_are_recognised_and_unknown_medicines_go_to_review_never_dropped(
    clinic: ClinicUsers,
) -> None:
    start = next_weekday_at(2, time(10, 0))
    names = ["Xarelto 20 mg", "Plavix 75 mg", "Grandma's tonic", "Tylenol 500 mg"]
    out = _plan(
        clinic,
        {
            "procedure_start": start.isoformat(),
            "time_zone": "America/Chicago",
            "creatinine_clearance_ml_min": 70,
            "medications": [{"name": name, "frequency": "once daily"} for name in names],
        },
    )
    by_input = {m["input"]: m for m in out["medications"]}
    assert list(by_input) == names
    assert by_input["Xarelto 20 mg"]["recognised_as"] == "rivaroxaban"
    assert by_input["Plavix 75 mg"]["recognised_as"] == "clopidogrel"
    assert by_input["Grandma's tonic"]["action"] == "review"
    assert by_input["Grandma's tonic"]["recognised_as"] is None
    assert by_input["Tylenol 500 mg"]["action"] == "continue"
    assert out["needs_review"] is True


def test_invalid_input_answers_422_naming_each_field(clinic: ClinicUsers) -> None:
    past = datetime.now(CHICAGO) - timedelta(days=1)
    with clinic.client(Role.COORDINATOR) as client:
        answer = client.post(
            URL,
            json={
                "procedure_start": past.isoformat(),
                "edition": "sir-2099",
                "creatinine_clearance_ml_min": -5,
                "medications": [{"name": "Eliquis", "dose_times": ["25:00"]}],
            },
        )
    assert answer.status_code == 422
    assert {
        "procedure_start",
        "edition",
        "creatinine_clearance_ml_min",
        "medications.0.dose_times.0",
    } <= error_fields(answer)


def test_malformed_json_is_a_named_error_not_a_crash(clinic: ClinicUsers) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        answer = client.post(
            URL, content=b'{"procedure_start": ', headers={"content-type": "application/json"}
        )
    assert answer.status_code == 422
    assert error_fields(answer) == {"(input)"}


def test_the_planner_needs_a_token(clinic: ClinicUsers) -> None:
    answer = httpx.post(f"{clinic.server.base_url}{URL}", json=contract_example())
    assert answer.status_code == 401
