"""The patient's copies of a signed plan, read back: the PDF with pypdf, the calendar file with
icalendar, the page as HTML. Times are checked in the clinic's time zone against the plan."""

from __future__ import annotations

import io
import re
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from icalendar import Calendar
from pypdf import PdfReader

from spinepath.accounts.roles import Role
from tests.preparation.builders import (
    CHICAGO,
    decide_awaiting,
    episode_payload,
    new_episode,
    next_dst_change,
    next_weekday_at,
    web_client,
)
from tests.support import ClinicUsers


def spoken(moment: datetime) -> str:
    """How the patient copy writes a moment, e.g. "Saturday, November 28 at 8:00 AM"."""
    hour = moment.hour % 12 or 12
    suffix = "AM" if moment.hour < 12 else "PM"
    return f"{moment:%A, %B} {moment.day} at {hour}:{moment.minute:02d} {suffix}"


def signed_plan(
    clinic: ClinicUsers, payload: dict[str, Any], family_name: str = "Okafor"
) -> tuple[dict[str, Any], dict[str, Any]]:
    episode = new_episode(clinic, family_name)
    url = f"/api/v1/episodes/{episode['id']}/preparation"
    with clinic.client(Role.COORDINATOR) as coordinator:
        saved = coordinator.post(url, json=payload)
        assert saved.status_code == 201, saved.text
    with clinic.client(Role.PHYSICIAN) as physician:
        decided = decide_awaiting(physician, episode, saved.json())
        signed = physician.post(f"{url}/sign", json={"version": decided["version"]})
        assert signed.status_code == 200, signed.text
    return episode, signed.json()


# Aspirin under SIR 2019 is an individual decision: review, with a stop window it knows.
ASPIRIN = {"name": "Ecotrin 81 mg", "frequency": "once daily", "dose_times": ["08:00"]}


def with_review(payload: dict[str, Any]) -> dict[str, Any]:
    return {**payload, "medications": [*payload["medications"], ASPIRIN]}


def pdf_text(clinic: ClinicUsers, episode: dict[str, Any]) -> str:
    with clinic.client(Role.NURSE) as nurse:
        answer = nurse.get(f"/api/v1/episodes/{episode['id']}/preparation/plan.pdf")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(answer.content))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    text = re.sub(r"\s*Getting ready for your back procedure Page \d+\s*", " ", text)  # footers
    return re.sub(r"(^|\s)[•-]\s", " ", text)  # list bullets


def calendar_of(clinic: ClinicUsers, episode: dict[str, Any]) -> Calendar:
    with clinic.client(Role.NURSE) as nurse:
        answer = nurse.get(f"/api/v1/episodes/{episode['id']}/preparation/plan.ics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/calendar")
    return Calendar.from_ical(answer.content)


def events_of(calendar: Calendar) -> dict[str, Any]:
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


def local(value: str, zone: ZoneInfo = CHICAGO) -> datetime:
    return datetime.fromisoformat(value).astimezone(zone)


@pytest.fixture
def start() -> datetime:
    return next_weekday_at(1, time(9, 0))


def test_the_copies_wait_for_a_physicians_signature(clinic: ClinicUsers, start: datetime) -> None:
    episode = new_episode(clinic)
    with clinic.client(Role.COORDINATOR) as coordinator:
        coordinator.post(
            f"/api/v1/episodes/{episode['id']}/preparation", json=episode_payload(start)
        )
        for tail in ("plan.pdf", "plan.ics"):
            answer = coordinator.get(f"/api/v1/episodes/{episode['id']}/preparation/{tail}")
            assert answer.status_code == 409
            assert "no physician has signed it yet" in answer.json()["detail"]
    with web_client(clinic, Role.COORDINATOR) as browser:
        page = browser.get(f"/episodes/{episode['id']}/preparation/patient")
    assert page.status_code == 409
    assert "signed" in page.text


def test_the_pdf_gives_each_medicine_its_stop_in_the_clinic_zone(
    clinic: ClinicUsers, start: datetime
) -> None:
    episode, signed = signed_plan(clinic, with_review(episode_payload(start)))
    text = pdf_text(clinic, episode)
    plan = signed["plan"]
    by_input = {m["input"]: m for m in plan["medications"]}

    assert "For Grace Okafor." in text
    assert "All times are Chicago time." in text
    for name in ("Eliquis 5 mg", "Plavix 75 mg", "Coumadin 5 mg"):
        medicine = by_input[name]
        assert medicine["action"] == "hold"
        stop = spoken(local(medicine["last_dose_at"]))
        after_name = text[text.index(name) :]
        assert f"Take your last dose on {stop}." in after_name[:400], (name, stop)
        first = spoken(local(medicine["first_usual_dose_after_restart"]))
        assert f"Start it again with your usual dose on {first}." in after_name[:600]
    aspirin = text[text.index("Ecotrin 81 mg") :]
    assert (
        aspirin[len("Ecotrin 81 mg") :]
        .lstrip()
        .startswith("Your care team will call you about this medicine.")
    )
    assert "Lipitor 20 mg Keep taking it as usual." in text
    assert f"Your procedure is on {spoken(start)}." in text
    assert "Please come at 7:30 AM" in text
    follow_up = local(signed["inputs"]["follow_up_at"])
    assert f"Your follow-up visit is on {spoken(follow_up)}." in text
    clear = spoken(local(plan["fasting"]["clear_liquids_until"]))
    assert f"You may drink clear liquids until {clear}." in text
    assert f"Physician of {clinic.slug} checked this plan" in text


def test_the_calendar_has_an_event_and_alarm_for_each_stop_fasting_start_arrival_and_follow_up(
    clinic: ClinicUsers, start: datetime
) -> None:
    episode, signed = signed_plan(clinic, with_review(episode_payload(start)))
    calendar = calendar_of(clinic, episode)
    plan, inputs = signed["plan"], signed["inputs"]
    events = events_of(calendar)

    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/Chicago"]
    for event in events.values():
        assert event["DTSTART"].params["TZID"] == "America/Chicago"
        assert event.get("DESCRIPTION")

    def check(summary: str, expected: datetime, alarms: int = 1) -> Any:
        event = events[summary]
        when = event.decoded("DTSTART")
        assert when == expected
        assert when.tzinfo is not None and str(when.tzinfo) == "America/Chicago"
        assert (when.hour, when.minute) == (expected.hour, expected.minute)
        found = event.walk("VALARM")
        assert len(found) == alarms
        for alarm in found:
            assert alarm["ACTION"] == "DISPLAY"
            assert alarm.decoded("TRIGGER") <= timedelta(0)
        return event

    medicines = {m["input"]: m for m in plan["medications"]}
    for name in ("Eliquis 5 mg", "Plavix 75 mg", "Coumadin 5 mg"):
        check(f"Last dose of {name}", local(medicines[name]["last_dose_at"]))
        check(f"Start {name} again", local(medicines[name]["first_usual_dose_after_restart"]))
    assert not [s for s in events if "Ecotrin" in s or "Lipitor" in s]

    fasting = plan["fasting"]
    check("Stop fried or fatty food and meat", local(fasting["solid_food_until"]))
    check("Stop eating and drinking milk", local(fasting["light_meal_until"]))
    check("Stop eating and drinking", local(fasting["clear_liquids_until"]))
    arrival = check("Arrive for your procedure", local(inputs["arrival_at"]), alarms=2)
    # Two hours before a 7:30 arrival is 5:30, in quiet hours: that alarm rings at 20:00 the
    # evening before instead.
    evening_before = datetime.combine(
        local(inputs["arrival_at"]).date() - timedelta(days=1), time(20, 0), tzinfo=CHICAGO
    )
    assert {a.decoded("TRIGGER") for a in arrival.walk("VALARM")} == {
        -timedelta(days=1),
        evening_before - local(inputs["arrival_at"]),
    }
    check("Your follow-up visit", local(inputs["follow_up_at"]))
    check("Your back procedure", start, alarms=0)
    assert len(events) == 12
    assert len({str(e["UID"]) for e in events.values()}) == len(events)


def test_calendar_times_follow_the_clinic_zone_across_a_daylight_saving_change(
    clinic: ClinicUsers,
) -> None:
    change = next_dst_change(CHICAGO)
    start = datetime.combine(change + timedelta(days=1), time(9, 0), tzinfo=CHICAGO)
    payload = episode_payload(
        start,
        medications=[
            {"name": "Eliquis 5 mg", "frequency": "twice daily", "dose_times": ["08:00", "20:00"]}
        ],
    )
    episode, signed = signed_plan(clinic, payload)
    last = local(signed["plan"]["medications"][0]["last_dose_at"])
    assert last.utcoffset() != start.utcoffset()  # the change lies between them
    assert (last.hour, last.minute) in {(8, 0), (20, 0)}  # a usual dose time on the wall clock
    events = events_of(calendar_of(clinic, episode))
    stop = events["Last dose of Eliquis 5 mg"].decoded("DTSTART")
    assert stop == last and (stop.hour, stop.minute) == (last.hour, last.minute)
    procedure = events["Your back procedure"].decoded("DTSTART")
    assert (procedure.hour, procedure.minute) == (9, 0)
    assert procedure.utcoffset() == start.utcoffset()
    assert f"Take your last dose on {spoken(last)}." in pdf_text(clinic, episode)


def test_a_clinic_in_london_gets_london_times(other_clinic: ClinicUsers) -> None:
    london = ZoneInfo("Europe/London")
    start = next_weekday_at(3, time(13, 30), london)
    episode, signed = signed_plan(other_clinic, episode_payload(start), family_name="Hughes")
    text = pdf_text(other_clinic, episode)
    assert "All times are London time." in text
    assert f"Your procedure is on {spoken(start)}." in text
    events = events_of(calendar_of(other_clinic, episode))
    assert events["Your back procedure"]["DTSTART"].params["TZID"] == "Europe/London"
    eliquis = signed["plan"]["medications"][0]
    assert events["Last dose of Eliquis 5 mg"].decoded("DTSTART") == local(
        eliquis["last_dose_at"], london
    )


def test_the_web_copies_match_and_a_review_medicine_is_never_guessed(
    clinic: ClinicUsers, start: datetime
) -> None:
    episode, signed = signed_plan(clinic, with_review(episode_payload(start)))
    with web_client(clinic, Role.NURSE) as browser:
        page = browser.get(f"/episodes/{episode['id']}/preparation/patient")
        pdf = browser.get(f"/episodes/{episode['id']}/preparation/plan.pdf")
        ics = browser.get(f"/episodes/{episode['id']}/preparation/plan.ics")
    assert page.status_code == 200
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page.text
    aspirin = page.text[page.text.index("Ecotrin 81 mg") :]
    assert aspirin.index("Your care team will call you about this medicine.") < 120
    aspirin_plan = next(m for m in signed["plan"]["medications"] if m["input"] == "Ecotrin 81 mg")
    assert aspirin_plan["action"] == "review"
    assert aspirin_plan["decision"]["action"] == "call_patient"
    # Aspirin's 3-5 day window is known to the plan, but the patient is not told a date for it.
    assert aspirin_plan["last_dose_at"] is not None
    assert spoken(local(aspirin_plan["last_dose_at"])) not in page.text
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert ics.status_code == 200 and b"BEGIN:VCALENDAR" in ics.content


def test_a_physician_can_open_the_copies_only_in_their_own_clinic(
    clinic: ClinicUsers, other_clinic: ClinicUsers, start: datetime
) -> None:
    episode, _ = signed_plan(clinic, episode_payload(start))
    with web_client(other_clinic, Role.PHYSICIAN) as stranger:
        for tail in ("patient", "plan.pdf", "plan.ics"):
            assert stranger.get(f"/episodes/{episode['id']}/preparation/{tail}").status_code == 404
    anonymous = httpx.get(
        f"{clinic.server.base_url}/episodes/{episode['id']}/preparation/patient",
        follow_redirects=False,
    )
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login")
