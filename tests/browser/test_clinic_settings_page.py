"""The clinic's settings in Chromium: the administrator sets the phone patients see; nobody
else is offered the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from spinepath.accounts.roles import Role
from tests.browser.conftest import log_in
from tests.support import ClinicUsers

pytestmark = pytest.mark.browser


def test_the_administrator_sets_the_clinics_phone(page: Page, web_clinic: ClinicUsers) -> None:
    log_in(page, web_clinic, Role.ADMIN, "/admin/audit")
    page.get_by_role("link", name="Clinic settings").click()
    expect(page.get_by_label("Quiet from")).to_have_value("21:00")
    page.get_by_label("Phone").fill("+1 312 555 0147")
    page.get_by_label("Address").fill("200 Lake Street, Chicago")
    page.get_by_role("button", name="Save the settings").click()
    expect(page.get_by_role("status")).to_contain_text("Saved")
    expect(page.get_by_label("Phone")).to_have_value("+1 312 555 0147")
    with web_clinic.client(Role.NURSE) as nurse:
        clinic = nurse.get("/api/v1/clinic").json()
    assert (clinic["phone"], clinic["address"]) == ("+1 312 555 0147", "200 Lake Street, Chicago")


def test_a_phone_that_is_not_a_number_is_named_and_nothing_is_saved(
    page: Page, web_clinic: ClinicUsers
) -> None:
    log_in(page, web_clinic, Role.ADMIN, "/admin/clinic")
    page.get_by_label("Phone").fill("call the ward")
    page.get_by_label("Address").fill("Ward 4")
    page.get_by_role("button", name="Save the settings").click()
    expect(page.get_by_role("alert")).to_contain_text("phone")
    expect(page.get_by_label("Address")).to_have_value("Ward 4")  # what was typed is kept
    with web_clinic.client(Role.ADMIN) as admin:
        clinic = admin.get("/api/v1/clinic").json()
    assert (clinic["phone"], clinic["address"], clinic["version"]) == (None, None, 1)


def test_a_nurse_is_not_offered_the_clinic_settings(page: Page, web_clinic: ClinicUsers) -> None:
    log_in(page, web_clinic, Role.NURSE)
    expect(page.get_by_role("link", name="Clinic settings")).to_have_count(0)
    answer = page.goto(f"{web_clinic.server.base_url}/admin/clinic")
    assert answer is not None and answer.status == 403
