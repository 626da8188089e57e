"""Booking an appointment in Chromium: the schedule lists it and its task closes itself."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from spinepath.accounts.roles import Role
from tests.api.helpers import create_patient, open_episode
from tests.browser.conftest import log_in
from tests.support import ClinicUsers

pytestmark = pytest.mark.browser


def test_a_coordinator_books_the_consultation_and_its_task_is_done(
    page: Page, web_clinic: ClinicUsers
) -> None:
    with web_clinic.client(Role.COORDINATOR) as client:
        episode = open_episode(client, create_patient(client, family_name="Booker")["id"])
    log_in(page, web_clinic, Role.COORDINATOR, f"/episodes/{episode['id']}/appointments")
    expect(page.locator("#no-appointments")).to_be_visible()
    day = date.today() + timedelta(days=6)
    page.get_by_label("What").select_option("consultation")
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Time").fill("10:30")
    page.get_by_label("Where").fill("Spine clinic, room 4")
    page.get_by_label("With whom").fill("Dr Rivera")
    page.get_by_role("button", name="Book").click()
    expect(page.get_by_role("status")).to_contain_text("Booked")
    row = page.locator("#appointments tbody tr")
    expect(row).to_contain_text("Consultation")
    expect(row).to_contain_text("10:30")
    expect(row).to_contain_text("Dr Rivera")
    with web_clinic.client(Role.COORDINATOR) as client:
        tasks = client.get(f"/api/v1/episodes/{episode['id']}").json()["tasks"]
    assert [t["status"] for t in tasks if t["code"] == "book_consultation"] == ["done"]


def test_a_booking_without_a_time_names_the_field_and_keeps_nothing(
    page: Page, web_clinic: ClinicUsers
) -> None:
    with web_clinic.client(Role.COORDINATOR) as client:
        episode = open_episode(client, create_patient(client, family_name="Timeless")["id"])
    log_in(page, web_clinic, Role.COORDINATOR, f"/episodes/{episode['id']}/appointments")
    page.get_by_label("What").select_option("imaging")
    page.get_by_label("Date").fill("not a date")
    page.evaluate(
        "document.querySelectorAll('[required]').forEach(e => e.removeAttribute('required'))"
    )
    page.get_by_role("button", name="Book").click()
    expect(page.get_by_role("alert")).to_contain_text("starts at")
    expect(page.locator("#no-appointments")).to_be_visible()
