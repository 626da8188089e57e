"""The staff page over real HTTP with a web session: the form shows what is stored, and sending
it back unchanged changes nothing; a form needs its CSRF token; only physicians get the sign
button; times given in another offset are stored in the clinic's zone."""

from __future__ import annotations

from datetime import UTC, datetime, time
from html.parser import HTMLParser
from typing import Any

import pytest

from spinepath.accounts.roles import Role
from tests.preparation.builders import (
    decide_awaiting,
    episode_payload,
    new_episode,
    next_weekday_at,
    web_client,
)
from tests.support import ClinicUsers


class _FormValues(HTMLParser):
    """The values a browser would submit with the inputs form (action="…/preparation")."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action
        self.inside = False
        self.values: dict[str, str] = {}
        self.select: str | None = None
        self.first_option: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = found.get("action") == self.action
        if not self.inside:
            return
        if tag == "input" and found.get("name"):
            kind = found.get("type", "text")
            if kind == "checkbox":
                if "checked" in found:
                    self.values[found["name"]] = "on"
            else:
                self.values[found["name"]] = found.get("value", "")
        elif tag == "select":
            self.select, self.first_option = found["name"], None
        elif tag == "option" and self.select:
            if self.first_option is None:
                self.first_option = found.get("value", "")
                self.values[self.select] = self.first_option
            if "selected" in found:
                self.values[self.select] = found.get("value", "")
        elif tag == "textarea":
            self.textarea = found["name"]
            self.values[self.textarea] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.values[self.textarea] += data


def form_values(html: str, action: str) -> dict[str, str]:
    parser = _FormValues(action)
    parser.feed(html)
    return parser.values


@pytest.fixture
def start() -> datetime:
    return next_weekday_at(3, time(10, 15))


def _signed(clinic: ClinicUsers, payload: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    episode = new_episode(clinic)
    url = f"/api/v1/episodes/{episode['id']}/preparation"
    with clinic.client(Role.COORDINATOR) as coordinator:
        saved = coordinator.post(url, json=payload).json()
    with clinic.client(Role.PHYSICIAN) as physician:
        saved = decide_awaiting(physician, episode, saved)
        signed = physician.post(f"{url}/sign", json={"version": saved["version"]})
        assert signed.status_code == 200, signed.text
    return episode, signed.json()


def test_sending_the_form_back_unchanged_keeps_the_signature(
    clinic: ClinicUsers, start: datetime
) -> None:
    payload = episode_payload(
        start,
        medications=[
            {"name": "Eliquis 5 mg", "frequency": "twice daily", "dose_times": ["08:00", "20:00"]},
            {
                "name": "aspirin 81 mg",
                "frequency": "once daily",
                "indication": "primary_prevention",
            },
            {"name": "Ozempic", "dose_weekday": "friday", "dose_times": ["07:30"]},
        ],
        clinic_policy={"inr_threshold": 1.5, "fasting": {"clear_liquids_hours": 3}},
    )
    episode, signed = _signed(clinic, payload)
    action = f"/episodes/{episode['id']}/preparation"
    with web_client(clinic, Role.COORDINATOR) as browser:
        page = browser.get(action)
        assert page.status_code == 200
        values = form_values(page.text, action)
        assert values["procedure_time"] == "10:15"
        assert values["med-1-indication"] == "primary_prevention"
        assert values["med-2-dose_weekday"] == "friday"
        assert values["inr_threshold"] == "1.5"
        answer = browser.post(action, data={**values, "action": "save"})
        assert answer.status_code == 303, answer.text
    with clinic.client(Role.COORDINATOR) as client:
        after = client.get(f"/api/v1/episodes/{episode['id']}/preparation").json()
    assert after["status"] == "signed"
    assert after["version"] == signed["version"]
    assert after["inputs"] == signed["inputs"]


def test_a_change_on_the_form_sends_a_signed_plan_back_to_review(
    clinic: ClinicUsers, start: datetime
) -> None:
    episode, _ = _signed(clinic, episode_payload(start))
    action = f"/episodes/{episode['id']}/preparation"
    with web_client(clinic, Role.NURSE) as browser:
        values = form_values(browser.get(action).text, action)
        values["med-2-name"] = ""  # remove Lipitor
        values["med-2-frequency"] = ""
        values["med-2-dose_times"] = ""
        assert browser.post(action, data=values).status_code == 303
        page = browser.get(action).text
    assert "Needs review" in page
    assert "removed Lipitor 20 mg" in page
    with clinic.client(Role.NURSE) as client:
        after = client.get(f"/api/v1/episodes/{episode['id']}/preparation").json()
    assert after["status"] == "needs_review"
    assert [m["name"] for m in after["inputs"]["medications"]] == [
        "Eliquis 5 mg",
        "Plavix 75 mg",
        "Coumadin 5 mg",
    ]


def test_a_form_without_its_csrf_token_is_refused_and_saves_nothing(
    clinic: ClinicUsers, start: datetime
) -> None:
    episode = new_episode(clinic)
    action = f"/episodes/{episode['id']}/preparation"
    with web_client(clinic, Role.COORDINATOR) as browser:
        values = form_values(browser.get(action).text, action)
        values.pop("csrf_token")
        values.update(procedure_date=start.strftime("%Y-%m-%d"), procedure_time="10:15")
        assert browser.post(action, data=values).status_code == 403
    with clinic.client(Role.COORDINATOR) as client:
        assert client.get(f"/api/v1/episodes/{episode['id']}/preparation").status_code == 404


def test_adding_a_row_keeps_what_was_typed_and_saves_nothing(
    clinic: ClinicUsers, start: datetime
) -> None:
    episode = new_episode(clinic)
    action = f"/episodes/{episode['id']}/preparation"
    with web_client(clinic, Role.COORDINATOR) as browser:
        values = form_values(browser.get(action).text, action)
        rows = int(values["med_rows"])
        values.update({"med-0-name": "Brilinta 90 mg", "action": "add_row"})
        page = browser.post(action, data=values)
        assert page.status_code == 200
        again = form_values(page.text, action)
    assert int(again["med_rows"]) == rows + 1
    assert f"med-{rows}-name" in again
    assert again["med-0-name"] == "Brilinta 90 mg"
    with clinic.client(Role.COORDINATOR) as client:
        assert client.get(f"/api/v1/episodes/{episode['id']}/preparation").status_code == 404


@pytest.mark.parametrize(
    ("role", "can_sign"),
    [(Role.PHYSICIAN, True), (Role.COORDINATOR, False), (Role.QUALITY_LEAD, False)],
)
def test_only_physicians_see_the_sign_button_and_quality_leads_no_form(
    clinic: ClinicUsers, start: datetime, role: Role, can_sign: bool
) -> None:
    episode = new_episode(clinic)
    with clinic.client(Role.COORDINATOR) as client:
        client.post(f"/api/v1/episodes/{episode['id']}/preparation", json=episode_payload(start))
    with web_client(clinic, role) as browser:
        page = browser.get(f"/episodes/{episode['id']}/preparation")
    assert page.status_code == 200
    assert ("Sign this plan" in page.text) is can_sign
    # Quality leads read the plan; they do not change it.
    assert ("Save and compute the plan" in page.text) is (role is not Role.QUALITY_LEAD)


def test_times_given_in_another_offset_are_stored_in_the_clinic_zone(
    clinic: ClinicUsers, start: datetime
) -> None:
    episode = new_episode(clinic)
    payload = episode_payload(start)
    payload["procedure_start"] = start.astimezone(UTC).isoformat()
    with clinic.client(Role.COORDINATOR) as client:
        body = client.post(f"/api/v1/episodes/{episode['id']}/preparation", json=payload).json()
    assert body["inputs"]["procedure_start"] == start.isoformat()
    assert body["plan"]["procedure_start"] == start.isoformat()
    assert body["inputs"]["procedure_start"].endswith(("-06:00", "-05:00"))
