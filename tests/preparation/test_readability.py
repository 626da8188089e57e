"""Everything a patient reads scores Flesch-Kincaid grade 6 or below (textstat 0.7.3): the plan
page, the PDF, the calendar texts, and every education page, fetched over real HTTP."""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta
from typing import Any

import httpx
import pytest
from icalendar import Calendar
from pypdf import PdfReader

from spinepath.accounts.roles import Role
from spinepath.preparation.education import PAGES
from tests.preparation.builders import (
    decide_awaiting,
    episode_payload,
    new_episode,
    next_weekday_at,
    page_blocks,
    reading_grade,
    web_client,
)
from tests.support import ClinicUsers, LiveServer

MAX_GRADE = 6.0


def _variants() -> dict[str, dict[str, Any]]:
    start = next_weekday_at(0, time(8, 0))  # a Monday morning: weekend stops
    base = episode_payload(start)
    base["medications"].append(
        {"name": "Ecotrin 81 mg", "frequency": "once daily", "dose_times": ["08:00"]}
    )
    glp1_weekly = {
        "name": "Ozempic 1 mg",
        "frequency": "weekly",
        "dose_times": ["07:00"],
        "dose_weekday": start.strftime("%A").lower(),
    }
    return {
        "holds, keeps and reviews": base,
        "GLP-1, midnight fast, missing labs, no dates": {
            "procedure_start": start.isoformat(),
            "creatinine_clearance_ml_min": 35,
            "medications": [
                glp1_weekly,
                {"name": "Plavix 75 mg", "frequency": "once daily"},
                {"name": "Xarelto 15 mg", "frequency": "once daily", "dose_times": ["18:00"]},
                {"name": "vitamin D 1000 units", "frequency": "once daily"},
            ],
            "clinic_policy": {"fasting": {"nothing_by_mouth_after_midnight": True}},
        },
        "ASA GLP-1 hold, high INR, clinic fasting hours": {
            **base,
            "medications": [glp1_weekly, *base["medications"]],
            "labs": {"inr": 2.4, "platelets_10e9_per_l": 40, "hemoglobin_g_dl": 10.1},
            "clinic_policy": {
                "glp1_guidance": "asa-2023",
                "fasting": {"solid_food_hours": 10, "clear_liquids_hours": 3},
            },
            "follow_up_at": (start + timedelta(days=21)).isoformat(),
        },
        "a physician's decisions: hold, skipped dose, continue, call": {
            **base,
            "medications": [
                {"name": "ibuprofen 400 mg", "frequency": "twice daily", "dose_times": ["08:00"]},
                {"name": "metformin 500 mg", "frequency": "twice daily", "dose_times": ["07:00"]},
                {"name": "lisinopril 10 mg", "frequency": "once daily", "dose_times": ["08:00"]},
                {"name": "Zyxoral 5 mg", "frequency": "once daily"},
            ],
        },
    }


VARIANTS = _variants()
DECIDED = "a physician's decisions: hold, skipped dose, continue, call"


def _decisions(start: datetime) -> dict[int, dict[str, Any]]:
    """What the physician decides in the decisions variant (times around its Monday 08:00)."""
    day_before = start - timedelta(days=1)
    return {
        0: {
            "action": "hold",
            "last_dose_at": day_before.replace(hour=8).isoformat(),
            "restart_at": (start + timedelta(days=1)).isoformat(),
            "instructions": "Take your last pill with food.",
        },
        1: {
            "action": "skip_dose",
            "skip_dose_at": start.replace(hour=7).isoformat(),
            "instructions": "Skip only the morning pill.",
        },
        2: {"action": "continue", "instructions": "Take it with a sip of water."},
        3: {"action": "call_patient", "instructions": "A nurse will call you about it."},
    }


@pytest.fixture(scope="module")
def signed_copies(server: LiveServer) -> dict[str, dict[str, Any]]:
    """Each variant saved, signed, and its three copies fetched once (the server's clinic)."""
    from tests.support import make_clinic

    clinic = make_clinic(server)
    copies: dict[str, dict[str, Any]] = {}
    for label, payload in VARIANTS.items():
        start = datetime.fromisoformat(payload["procedure_start"])
        copies[label] = _copies(clinic, payload, _decisions(start) if label == DECIDED else {})
    return copies


def _copies(
    clinic: ClinicUsers, payload: dict[str, Any], decisions: dict[int, dict[str, Any]]
) -> dict[str, Any]:
    episode = new_episode(clinic)
    url = f"/api/v1/episodes/{episode['id']}/preparation"
    with clinic.client(Role.COORDINATOR) as coordinator:
        saved = coordinator.post(url, json=payload)
        assert saved.status_code == 201, saved.text
    with clinic.client(Role.PHYSICIAN) as physician:
        body = saved.json()
        for index, decision in decisions.items():
            answer = physician.post(
                f"{url}/medications/{index}/decision", json={**decision, "version": body["version"]}
            )
            assert answer.status_code == 200, answer.text
            body = answer.json()
        decided = decide_awaiting(physician, episode, body)
        signed = physician.post(f"{url}/sign", json={"version": decided["version"]})
        assert signed.status_code == 200, signed.text
    with web_client(clinic, Role.NURSE) as browser:
        page = browser.get(f"/episodes/{episode['id']}/preparation/patient")
        pdf = browser.get(f"/episodes/{episode['id']}/preparation/plan.pdf")
        ics = browser.get(f"/episodes/{episode['id']}/preparation/plan.ics")
    assert page.status_code == pdf.status_code == ics.status_code == 200
    return {"page": page.text, "pdf": pdf.content, "ics": ics.content, "plan": signed.json()}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_the_patient_page_reads_at_grade_6_or_below(
    signed_copies: dict[str, dict[str, Any]], variant: str
) -> None:
    blocks = page_blocks(signed_copies[variant]["page"])
    assert len(" ".join(blocks).split()) > 300  # the whole page, not a fragment
    assert reading_grade(blocks) <= MAX_GRADE


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_the_pdf_reads_at_grade_6_or_below(
    signed_copies: dict[str, dict[str, Any]], variant: str
) -> None:
    reader = PdfReader(io.BytesIO(signed_copies[variant]["pdf"]))
    lines = [line for page in reader.pages for line in (page.extract_text() or "").splitlines()]
    # Lines are joined as they were printed: a heading runs into the sentence after it, which
    # can only raise the grade.
    text = " ".join(lines)
    assert len(text.split()) > 300
    assert reading_grade([text]) <= MAX_GRADE


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_every_calendar_text_reads_at_grade_6_or_below(
    signed_copies: dict[str, dict[str, Any]], variant: str
) -> None:
    calendar = Calendar.from_ical(signed_copies[variant]["ics"])
    events = calendar.walk("VEVENT")
    assert events
    texts: list[str] = []
    for event in events:
        description = str(event["DESCRIPTION"])
        assert reading_grade([str(event["SUMMARY"]), description]) <= MAX_GRADE, description
        texts.append(description)
        texts.extend(str(alarm["DESCRIPTION"]) for alarm in event.walk("VALARM"))
    assert reading_grade(texts) <= MAX_GRADE


def test_the_variants_cover_every_kind_of_medicine_line(
    signed_copies: dict[str, dict[str, Any]],
) -> None:
    """The texts measured above include a hold at a usual dose time, a hold by the latest
    moment, a medicine kept, a medicine for review, and each fasting branch."""
    medicines = [m for copy in signed_copies.values() for m in copy["plan"]["plan"]["medications"]]
    assert {m["action"] for m in medicines} == {"hold", "continue", "review"}
    assert {m["last_dose_basis"] for m in medicines if m["action"] == "hold"} == {
        "usual_dose_time",
        "latest_allowed_moment",
    }
    policies = {copy["plan"]["plan"]["fasting_policy"] for copy in signed_copies.values()}
    assert policies == {"asa", "asa+clinic+glp1-liquid-diet", "asa+clinic"}
    decided = {
        m["decision"]["action"] for m in signed_copies[DECIDED]["plan"]["plan"]["medications"]
    }
    assert decided == {"hold", "skip_dose", "continue", "call_patient"}


def test_the_education_index_reads_at_grade_6_or_below(server: LiveServer) -> None:
    answer = httpx.get(f"{server.base_url}/learn")
    assert answer.status_code == 200  # no login
    blocks = page_blocks(answer.text)
    for learn in PAGES:
        assert learn.title in answer.text
    assert reading_grade(blocks) <= MAX_GRADE


@pytest.mark.parametrize("slug", [learn.slug for learn in PAGES])
def test_each_education_page_reads_at_grade_6_or_below(server: LiveServer, slug: str) -> None:
    answer = httpx.get(f"{server.base_url}/learn/{slug}")
    assert answer.status_code == 200  # no login
    blocks = page_blocks(answer.text)
    assert len(" ".join(blocks).split()) > 80
    assert reading_grade(blocks) <= MAX_GRADE
