"""A small fixture cohort whose report figures were worked out by hand (see test_report.py).

All dates are more than a year in the past, so every window (contacts, 12/16/52-week
indicators) has closed and the expected figures do not change with the day the tests run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spinepath.accounts.roles import Role
from tests.api.helpers import create_patient, move, open_episode
from tests.follow_up.helpers import contact, discharge, follow_up, set_anchor
from tests.support import ClinicUsers


def odi_points(total: int) -> list[int]:
    """Ten ODI sections (all answered) adding up to ``total`` points: index = total × 2 %."""
    sections = [min(5, max(0, total - 5 * i)) for i in range(10)]
    assert sum(sections) == total
    return sections


@dataclass(frozen=True)
class Patient:
    name: str
    kind: str  # post_procedure | conservative
    anchor: str
    fractures: list[dict[str, str]]
    answers: dict[str, dict[str, Any]]  # time point → {"nrs": …, "odi": points}
    liaison: dict[str, Any]
    events: list[dict[str, Any]]
    contact_status: dict[str, str]
    clear_physician: bool = False


def _fracture(level: str, onset: str) -> dict[str, str]:
    return {"level": level, "onset_date": onset, "etiology": "osteoporotic"}


COHORT = [
    Patient(
        "E1",
        "post_procedure",
        "2025-03-02",
        [_fracture("L1", "2025-01-06")],
        {
            "baseline": {"nrs": 8, "odi": 30},  # ODI 60.0
            "week_2": {"nrs": 4, "odi": 20},  # 40.0
            "month_3": {"nrs": 2, "odi": 10},  # 20.0
        },
        {
            "dxa_date": "2025-02-01",
            "treatment_start_date": "2025-03-01",
            "adherence_checked_on": "2026-01-10",
            "still_on_treatment": True,
        },
        [{"kind": "new_vertebral_fracture", "occurred_on": "2025-06-01", "level": "T12"}],
        {"day_1": "done"},
    ),
    Patient(
        "E2",
        "post_procedure",
        "2025-03-10",
        [_fracture("T12", "2025-01-13")],
        {"baseline": {"nrs": 7, "odi": 25}, "week_2": {"nrs": 6, "odi": 24}},  # 50.0 → 48.0
        {"dxa_date": "2025-05-01"},  # deadline 2025-04-07: late
        [{"kind": "complication", "occurred_on": "2025-03-20", "complication": "fever"}],
        {"day_1": "missed"},
    ),
    Patient(
        "E3",
        "post_procedure",
        "2025-04-05",
        [_fracture("L1", "2025-02-03"), _fracture("L2", "2025-02-10")],
        {"baseline": {"nrs": 9, "odi": 35}, "week_2": {"nrs": 5, "odi": 30}},  # 70.0 → 60.0
        {
            "dxa_date": "2025-03-01",
            "treatment_start_date": "2025-05-20",  # deadline 2025-05-26
            "adherence_checked_on": "2026-02-10",
            "still_on_treatment": False,
        },
        [{"kind": "new_vertebral_fracture", "occurred_on": "2025-09-01", "level": "T8"}],
        {},
    ),
    Patient(
        "E4",
        "post_procedure",
        "2025-04-20",
        [_fracture("T12", "2025-02-10")],
        {"baseline": {"nrs": 6}, "week_2": {"nrs": 3}},
        {
            "dxa_date": "2025-03-01",
            "treatment_start_date": "2025-04-01",
            "adherence_checked_on": "2026-02-09",  # exactly 52 weeks
            "still_on_treatment": True,
        },
        [{"kind": "readmission", "occurred_on": "2025-05-01"}],
        {},
        clear_physician=True,
    ),
    Patient(
        "E5",
        "conservative",
        "2025-03-15",
        [_fracture("L3", "2025-03-03")],
        {"baseline": {"nrs": 5, "odi": 20}, "week_2_4": {"nrs": 4, "odi": 18}},  # 40.0 → 36.0
        {},
        [],
        {},
    ),
]


def build(clinic: ClinicUsers) -> dict[str, str]:
    """Walk every cohort patient through the pathway and record their follow-up over HTTP."""
    ids: dict[str, str] = {}
    with clinic.client(Role.PHYSICIAN) as client:
        for person in COHORT:
            patient = create_patient(client, family_name=f"Cohort{person.name}")
            episode = open_episode(client, patient["id"], fractures=person.fractures)
            if person.kind == "post_procedure":
                episode = discharge(client, episode)
            else:
                episode = move(client, episode, "consultation")
                episode = move(client, episode, "conservative_care")
                episode = move(client, episode, "treated_conservatively", "settled")
            ids[person.name] = episode["id"]
            view = set_anchor(client, episode["id"], person.anchor)
            if person.clear_physician:
                answer = client.patch(
                    f"/api/v1/episodes/{episode['id']}/follow-up",
                    json={"clear_physician": True, "version": view["plan"]["version"]},
                )
                assert answer.status_code == 200, answer.text
            for point, given in person.answers.items():
                body: dict[str, Any] = {"time_point": point, "method": "visit"}
                if "nrs" in given:
                    body["nrs"] = given["nrs"]
                if "odi" in given:
                    body["odi_sections"] = odi_points(given["odi"])
                answer = client.post(f"/api/v1/episodes/{episode['id']}/outcomes", json=body)
                assert answer.status_code == 201, answer.text
            for code, status in person.contact_status.items():
                found = contact(follow_up(client, episode["id"]), code)
                answer = client.patch(
                    f"/api/v1/follow-up/contacts/{found['id']}",
                    json={"status": status, "version": found["version"]},
                )
                assert answer.status_code == 200, answer.text
            if person.liaison:
                current = client.get(f"/api/v1/episodes/{episode['id']}/fracture-liaison").json()
                answer = client.patch(
                    f"/api/v1/episodes/{episode['id']}/fracture-liaison",
                    json={**person.liaison, "version": current["version"]},
                )
                assert answer.status_code == 200, answer.text
            for event in person.events:
                answer = client.post(
                    f"/api/v1/episodes/{episode['id']}/follow-up-events", json=event
                )
                assert answer.status_code == 201, answer.text
    return ids
