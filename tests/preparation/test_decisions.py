"""A physician's decisions on flagged medicines, over real HTTP on SQLite and PostgreSQL: who may
decide, every bad field named, signing refused until each review medicine is decided, and the
patient's page, PDF and calendar carrying the decided instructions word for word. Also the
clinic's phone, address, quiet hours and paper size on the patient's copies."""

from __future__ import annotations

import io
import re
from datetime import datetime, time, timedelta
from typing import Any

import httpx
import pytest
from icalendar import Calendar
from pypdf import PdfReader

from spinepath.accounts.models import Clinic
from spinepath.accounts.roles import Role
from tests.api.helpers import error_fields
from tests.preparation.builders import (
    CHICAGO,
    episode_payload,
    new_episode,
    next_weekday_at,
    web_client,
)
from tests.support import ClinicUsers

IBUPROFEN_WORDS = "Take your last ibuprofen with food. Use Tylenol for pain after that."
METFORMIN_WORDS = "Skip only the morning pill. Bring your sugar meter."
UNKNOWN_WORDS = "A nurse will call you on Friday about this pill."


def _url(episode: dict[str, Any], tail: str = "") -> str:
    return f"/api/v1/episodes/{episode['id']}/preparation{tail}"


def _decide(
    client: httpx.Client, episode: dict[str, Any], index: int, body: dict[str, Any]
) -> httpx.Response:
    return client.post(_url(episode, f"/medications/{index}/decision"), json=body)


@pytest.fixture
def start() -> datetime:
    return next_weekday_at(2, time(10, 0))  # a Wednesday at 10:00


def _payload(start: datetime) -> dict[str, Any]:
    return episode_payload(
        start,
        medications=[
            {
                "name": "ibuprofen 400 mg",
                "frequency": "twice daily",
                "dose_times": ["08:00", "20:00"],
            },
            {
                "name": "metformin 500 mg",
                "frequency": "twice daily",
                "dose_times": ["07:00", "19:00"],
            },
            {"name": "Zyxoral 5 mg", "frequency": "once daily", "dose_times": ["09:00"]},
            {"name": "lisinopril 10 mg", "frequency": "once daily", "dose_times": ["08:00"]},
        ],
    )


def _saved(clinic: ClinicUsers, start: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
    episode = new_episode(clinic)
    with clinic.client(Role.COORDINATOR) as coordinator:
        saved = coordinator.post(_url(episode), json=_payload(start))
        assert saved.status_code == 201, saved.text
    return episode, saved.json()


def _decisions(start: datetime) -> dict[int, dict[str, Any]]:
    day_before = start.date() - timedelta(days=1)
    return {
        0: {
            "action": "hold",
            "last_dose_at": datetime.combine(day_before, time(8, 0), tzinfo=CHICAGO).isoformat(),
            "restart_at": datetime.combine(
                start.date() + timedelta(days=1), time(8, 0), tzinfo=CHICAGO
            ).isoformat(),
            "instructions": IBUPROFEN_WORDS,
            "note": "ASRA row accepted; SIR silent",
        },
        1: {
            "action": "skip_dose",
            "skip_dose_at": start.replace(hour=7, minute=0).isoformat(),
            "instructions": METFORMIN_WORDS,
        },
        2: {"action": "call_patient", "instructions": UNKNOWN_WORDS},
    }


def _decided_and_signed(
    clinic: ClinicUsers, start: datetime
) -> tuple[dict[str, Any], dict[str, Any]]:
    episode, body = _saved(clinic, start)
    with clinic.client(Role.PHYSICIAN) as physician:
        for index, decision in _decisions(start).items():
            answer = _decide(physician, episode, index, {**decision, "version": body["version"]})
            assert answer.status_code == 200, answer.text
            body = answer.json()
        signed = physician.post(_url(episode, "/sign"), json={"version": body["version"]})
        assert signed.status_code == 200, signed.text
    return episode, signed.json()


def _pdf(clinic: ClinicUsers, episode: dict[str, Any]) -> tuple[str, PdfReader]:
    with clinic.client(Role.NURSE) as nurse:
        answer = nurse.get(_url(episode, "/plan.pdf"))
    assert answer.status_code == 200
    reader = PdfReader(io.BytesIO(answer.content))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    text = re.sub(r"\s*Getting ready for your back procedure Page \d+\s*", " ", text)
    return re.sub(r"(^|\s)[•-]\s", " ", text), reader


def _calendar(clinic: ClinicUsers, episode: dict[str, Any]) -> dict[str, Any]:
    with clinic.client(Role.NURSE) as nurse:
        answer = nurse.get(_url(episode, "/plan.ics"))
    assert answer.status_code == 200
    calendar = Calendar.from_ical(answer.content)
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.NURSE])
def test_only_a_physician_decides_about_a_medicine(
    clinic: ClinicUsers, start: datetime, role: Role
) -> None:
    episode, body = _saved(clinic, start)
    with clinic.client(role) as client:
        refused = _decide(
            client, episode, 2, {"action": "call_patient", "version": body["version"]}
        )
        assert refused.status_code == 403
        assert client.get(_url(episode)).json()["version"] == body["version"]


def test_a_bad_decision_names_every_field_and_changes_nothing(
    clinic: ClinicUsers, start: datetime
) -> None:
    episode, body = _saved(clinic, start)
    with clinic.client(Role.PHYSICIAN) as physician:
        answer = _decide(
            physician,
            episode,
            0,
            {
                "action": "hold",
                "last_dose_at": start.isoformat(),  # not before the start
                "restart_at": "tomorrow",
                "skip_dose_at": start.isoformat(),  # not used with a hold
                "version": body["version"],
            },
        )
        assert answer.status_code == 422, answer.text
        assert set(error_fields(answer)) == {"last_dose_at", "restart_at", "skip_dose_at"}
        unknown = _decide(physician, episode, 9, {"action": "continue", "version": body["version"]})
        assert unknown.status_code == 422 and error_fields(unknown) == {"medicine"}
        stale = _decide(physician, episode, 2, {"action": "call_patient", "version": 99})
        assert stale.status_code == 409
        assert physician.get(_url(episode)).json() == body


def test_signing_waits_for_a_decision_on_every_medicine_in_review(
    clinic: ClinicUsers, start: datetime
) -> None:
    episode, body = _saved(clinic, start)
    awaiting = [item["input"] for item in body["plan"]["awaiting_decision"]]
    assert awaiting == ["ibuprofen 400 mg", "Zyxoral 5 mg"]  # metformin: an ADA hold
    with clinic.client(Role.PHYSICIAN) as physician:
        refused = physician.post(_url(episode, "/sign"), json={"version": body["version"]})
        assert refused.status_code == 409
        assert "ibuprofen 400 mg, Zyxoral 5 mg" in refused.json()["detail"]
        one = _decide(physician, episode, 2, {"action": "call_patient", "version": body["version"]})
        still = physician.post(_url(episode, "/sign"), json={"version": one.json()["version"]})
        assert still.status_code == 409 and "Zyxoral" not in still.json()["detail"]
        two = _decide(
            physician, episode, 0, {"action": "follow_suggestion", "version": one.json()["version"]}
        ).json()
        signed = physician.post(_url(episode, "/sign"), json={"version": two["version"]})
        assert signed.status_code == 200, signed.text


def test_the_plan_keeps_the_rules_suggestion_beside_the_decision_and_its_author(
    clinic: ClinicUsers, start: datetime
) -> None:
    episode, body = _saved(clinic, start)
    with clinic.client(Role.PHYSICIAN) as physician:
        decided = _decide(
            physician, episode, 0, {**_decisions(start)[0], "version": body["version"]}
        )
    assert decided.status_code == 200, decided.text
    entry = decided.json()["plan"]["medications"][0]
    assert entry["action"] == "review"  # the rule's own output
    assert entry["suggestion"]["edition"] == "asra-2018"
    decision = entry["decision"]
    assert decision["action"] == "hold"
    assert decision["decided_by"] == f"Physician of {clinic.slug}"
    assert datetime.fromisoformat(decision["decided_at"]).tzinfo is not None
    assert decision["based_on"]["rule_id"] == entry["rule_id"]
    assert decision["note"] == "ASRA row accepted; SIR silent"
    assert decided.json()["plan"]["awaiting_decision"] == [{"medicine": 2, "input": "Zyxoral 5 mg"}]


def test_the_patient_copies_carry_the_decided_instructions_word_for_word(
    clinic: ClinicUsers, start: datetime
) -> None:
    episode, _ = _decided_and_signed(clinic, start)
    decisions = _decisions(start)
    with web_client(clinic, Role.NURSE) as browser:
        page = browser.get(f"/episodes/{episode['id']}/preparation/patient").text
    text, _ = _pdf(clinic, episode)
    events = _calendar(clinic, episode)
    last = datetime.fromisoformat(decisions[0]["last_dose_at"])
    for copy in (page, text):
        for words in (IBUPROFEN_WORDS, METFORMIN_WORDS, UNKNOWN_WORDS):
            assert words in copy
        assert "Your care team will call you about this medicine." in copy  # Zyxoral
    ibuprofen = text[text.index("ibuprofen 400 mg") :]
    assert ibuprofen.index(f"Take your last dose on {last:%A, %B} {last.day} at 8:00 AM.") < 60
    assert "Do not take the dose on" in text[text.index("metformin 500 mg") :][:120]

    stop = events["Last dose of ibuprofen 400 mg"]
    assert stop.decoded("DTSTART") == last
    assert IBUPROFEN_WORDS in str(stop["DESCRIPTION"])
    assert IBUPROFEN_WORDS in str(events["Start ibuprofen 400 mg again"]["DESCRIPTION"])
    skip = events["Skip your dose of metformin 500 mg"]
    assert skip.decoded("DTSTART") == datetime.fromisoformat(decisions[1]["skip_dose_at"])
    assert METFORMIN_WORDS in str(skip["DESCRIPTION"])
    assert UNKNOWN_WORDS in str(events["Your back procedure"]["DESCRIPTION"])
    assert not [summary for summary in events if "Zyxoral" in summary]


def test_a_decision_after_signing_sends_the_plan_back_to_review(
    clinic: ClinicUsers, start: datetime
) -> None:
    episode, signed = _decided_and_signed(clinic, start)
    with clinic.client(Role.PHYSICIAN) as physician:
        changed = _decide(
            physician, episode, 3, {"action": "continue", "version": signed["version"]}
        ).json()
        assert changed["status"] == "needs_review"
        assert "decision on lisinopril 10 mg (continue)" in changed["review_reason"]
        assert physician.get(_url(episode, "/plan.pdf")).status_code == 409
        withdrawn = _decide(
            physician, episode, 3, {"action": "withdraw", "version": changed["version"]}
        ).json()
        assert withdrawn["plan"]["medications"][3]["decision"] is None
        again = _decide(
            physician, episode, 3, {"action": "withdraw", "version": withdrawn["version"]}
        )
        assert again.status_code == 404
        resigned = physician.post(_url(episode, "/sign"), json={"version": withdrawn["version"]})
    assert resigned.status_code == 200, resigned.text


def test_a_changed_medicine_line_drops_its_decision_and_an_unchanged_one_keeps_it(
    clinic: ClinicUsers, start: datetime
) -> None:
    episode, signed = _decided_and_signed(clinic, start)
    payload = _payload(start)
    payload["medications"][0]["dose_times"] = ["09:00", "21:00"]  # ibuprofen taken later
    with clinic.client(Role.COORDINATOR) as coordinator:
        saved = coordinator.post(_url(episode), json={**payload, "version": signed["version"]})
    body = saved.json()
    assert saved.status_code == 200, saved.text
    assert body["status"] == "needs_review"
    assert "decision no longer fits the plan: ibuprofen 400 mg" in body["review_reason"]
    medications = body["plan"]["medications"]
    assert medications[0]["decision"] is None
    assert medications[1]["decision"]["action"] == "skip_dose"
    assert medications[2]["decision"]["action"] == "call_patient"
    assert [a["input"] for a in body["plan"]["awaiting_decision"]] == ["ibuprofen 400 mg"]


# --- the clinic on the patient's copies ----------------------------------------------------------


def _set_clinic(clinic: ClinicUsers, **values: Any) -> None:
    with clinic.server.session_factory() as session, session.begin():
        row = session.get(Clinic, clinic.clinic_id)
        assert row is not None
        for name, value in values.items():
            setattr(row, name, value)


def test_the_copies_give_the_clinics_phone_and_address_and_the_birth_date(
    clinic: ClinicUsers, start: datetime
) -> None:
    _set_clinic(clinic, phone="(312) 555-0147", address="200 Lake Street, Chicago, IL 60601")
    episode, _ = _decided_and_signed(clinic, start)
    with web_client(clinic, Role.NURSE) as browser:
        page = browser.get(f"/episodes/{episode['id']}/preparation/patient").text
    text, reader = _pdf(clinic, episode)
    for copy in (page, text):
        assert "Date of birth: March 2, 1944." in copy
        assert "(312) 555-0147" in copy
        assert "200 Lake Street, Chicago, IL 60601" in copy
    # A clinic in the United States prints on Letter (612 x 792 points).
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


def test_a_clinic_outside_the_letter_countries_prints_on_a4(
    other_clinic: ClinicUsers,
) -> None:
    start = next_weekday_at(2, time(10, 0), other_clinic_zone := CHICAGO.__class__("Europe/London"))
    assert other_clinic_zone.key == "Europe/London"
    episode, _ = _decided_and_signed(other_clinic, start)
    _, reader = _pdf(other_clinic, episode)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    _set_clinic(other_clinic, locale="en-US")  # the locale wins over the zone
    _, reader = _pdf(other_clinic, episode)
    assert round(float(reader.pages[0].mediabox.width)) == 612


def test_no_calendar_alarm_rings_in_the_clinics_quiet_hours(
    clinic: ClinicUsers, start: datetime
) -> None:
    _set_clinic(clinic, quiet_hours_start="20:30", quiet_hours_end="08:30")
    episode, _ = _decided_and_signed(clinic, start)
    events = _calendar(clinic, episode)
    moved = 0
    for event in events.values():
        begins = event.decoded("DTSTART")
        for alarm in event.walk("VALARM"):
            rings = (begins + alarm.decoded("TRIGGER")).astimezone(CHICAGO)
            clock = rings.time()
            assert time(8, 30) <= clock < time(20, 30), (event["SUMMARY"], rings)
            if clock == time(19, 30):  # one hour before quiet hours begin
                moved += 1
                assert str(alarm["DESCRIPTION"]).startswith("Coming up on ")
    # The metformin skip at 07:00 and the ibuprofen stop at 08:00 ring the evening before.
    skip = events["Skip your dose of metformin 500 mg"]
    (alarm,) = skip.walk("VALARM")
    evening = datetime.combine(start.date() - timedelta(days=1), time(19, 30), tzinfo=CHICAGO)
    assert skip.decoded("DTSTART") + alarm.decoded("TRIGGER") == evening
    assert moved >= 2
