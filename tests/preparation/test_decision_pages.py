"""The medicine decisions page, over real HTTP with a web session: a physician records a decision
in fields, a bad one names its fields and changes nothing, other roles see no form and are
refused."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any

import httpx
import pytest

from spinepath.accounts.roles import Role
from tests.preparation.builders import (
    CHICAGO,
    episode_payload,
    new_episode,
    next_weekday_at,
    web_client,
)
from tests.preparation.test_staff_page import form_values
from tests.support import ClinicUsers


@pytest.fixture
def start() -> datetime:
    return next_weekday_at(3, time(11, 0))  # a Thursday at 11:00


def _saved(clinic: ClinicUsers, start: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
    episode = new_episode(clinic)
    payload = episode_payload(
        start,
        medications=[
            {
                "name": "ibuprofen 400 mg",
                "frequency": "twice daily",
                "dose_times": ["08:00", "20:00"],
            },
            {"name": "Zyxoral 5 mg", "frequency": "once daily", "dose_times": ["09:00"]},
        ],
    )
    with clinic.client(Role.COORDINATOR) as coordinator:
        saved = coordinator.post(f"/api/v1/episodes/{episode['id']}/preparation", json=payload)
        assert saved.status_code == 201, saved.text
    return episode, saved.json()


def _csrf(html: str) -> str:
    """The token of a decision form (the page's log-out form carries its own)."""
    form = html[html.index('class="prep-decision') :]
    found = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert found is not None
    return found.group(1)


def _stored(clinic: ClinicUsers, episode: dict[str, Any]) -> Any:
    with clinic.client(Role.NURSE) as client:
        return client.get(f"/api/v1/episodes/{episode['id']}/preparation").json()


def test_a_physician_records_a_hold_on_the_page_and_signing_then_works(
    clinic: ClinicUsers, start: datetime
) -> None:
    episode, saved = _saved(clinic, start)
    page_url = f"/episodes/{episode['id']}/preparation/decisions"
    day_before = (start - timedelta(days=1)).date()
    staff_page = f"/episodes/{episode['id']}/preparation"
    with web_client(clinic, Role.PHYSICIAN) as browser:
        staff = browser.get(staff_page).text
        assert "2 medicines need a physician's decision before the plan can be signed." in staff
        assert f'<a href="{page_url}">Record the medicine decisions</a>' in staff
        page = browser.get(page_url)
        assert page.status_code == 200
        assert "Still to decide: ibuprofen 400 mg, Zyxoral 5 mg." in page.text
        assert "Suggestion from asra-2018: hold" in page.text
        answer = browser.post(
            f"/episodes/{episode['id']}/preparation/medications/0/decision",
            data={
                "csrf_token": _csrf(page.text),
                "version": str(saved["version"]),
                "d0-action": "hold",
                "d0-last_dose_date": day_before.isoformat(),
                "d0-last_dose_time": "08:00",
                "d0-restart_date": (start + timedelta(days=1)).date().isoformat(),
                "d0-restart_time": "08:00",
                "d0-skip_date": day_before.isoformat(),  # not sent with a hold
                "d0-instructions": "Take the last one with breakfast.",
            },
        )
        assert answer.status_code == 303, answer.text
        assert answer.headers["location"].endswith("?done=decided#medicine-0")
        stored = _stored(clinic, episode)
        decision = stored["plan"]["medications"][0]["decision"]
        assert (
            decision["last_dose_at"]
            == datetime.combine(day_before, time(8, 0), tzinfo=CHICAGO).isoformat()
        )
        assert decision["skip_dose_at"] is None
        assert decision["instructions"] == "Take the last one with breakfast."
        page = browser.get(page_url)
        assert "Take the last one with breakfast." in page.text
        answer = browser.post(
            f"/episodes/{episode['id']}/preparation/medications/1/decision",
            data={
                "csrf_token": _csrf(page.text),
                "version": str(stored["version"]),
                "d1-action": "call_patient",
            },
        )
        assert answer.status_code == 303, answer.text
        assert "No medicine in review is waiting for a decision." in browser.get(page_url).text
        staff = browser.get(staff_page).text
        assert "Every medicine that needed review has a recorded decision" in staff
        assert "before the plan can be signed" not in staff
    with clinic.client(Role.PHYSICIAN) as physician:
        version = _stored(clinic, episode)["version"]
        signed = physician.post(
            f"/api/v1/episodes/{episode['id']}/preparation/sign", json={"version": version}
        )
    assert signed.status_code == 200, signed.text


def test_a_half_given_time_is_named_and_nothing_is_stored(
    clinic: ClinicUsers, start: datetime
) -> None:
    episode, saved = _saved(clinic, start)
    with web_client(clinic, Role.PHYSICIAN) as browser:
        page = browser.get(f"/episodes/{episode['id']}/preparation/decisions")
        answer = browser.post(
            f"/episodes/{episode['id']}/preparation/medications/0/decision",
            data={
                "csrf_token": _csrf(page.text),
                "version": str(saved["version"]),
                "d0-action": "hold",
                "d0-last_dose_date": (start - timedelta(days=1)).date().isoformat(),
            },
        )
        assert answer.status_code == 422
        assert "ibuprofen 400 mg: last dose" in answer.text
        assert "give both the date and the time" in answer.text
        late = browser.post(
            f"/episodes/{episode['id']}/preparation/medications/0/decision",
            data={
                "csrf_token": _csrf(page.text),
                "version": str(saved["version"]),
                "d0-action": "hold",
                "d0-last_dose_date": start.date().isoformat(),
                "d0-last_dose_time": "12:00",  # after the 11:00 start
            },
        )
        assert late.status_code == 422
        assert "must be before the procedure starts" in late.text
    assert _stored(clinic, episode) == saved


def test_other_roles_see_no_decision_form_and_are_refused(
    clinic: ClinicUsers, start: datetime
) -> None:
    episode, saved = _saved(clinic, start)
    with web_client(clinic, Role.NURSE) as browser:
        page = browser.get(f"/episodes/{episode['id']}/preparation/decisions")
        assert page.status_code == 200
        assert "Record the decision on" not in page.text
        staff = browser.get(f"/episodes/{episode['id']}/preparation")  # a form a nurse may use
        token = form_values(staff.text, f"/episodes/{episode['id']}/preparation")["csrf_token"]
        answer = browser.post(
            f"/episodes/{episode['id']}/preparation/medications/1/decision",
            data={
                "csrf_token": token,
                "version": str(saved["version"]),
                "d1-action": "call_patient",
            },
        )
        assert answer.status_code == 403
    assert _stored(clinic, episode) == saved
    anonymous = httpx.get(
        f"{clinic.server.base_url}/episodes/{episode['id']}/preparation/decisions",
        follow_redirects=False,
    )
    assert anonymous.status_code == 303
