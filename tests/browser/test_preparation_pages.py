"""The preparation pages in headless Chromium: a coordinator enters a plan, a physician signs
it, a change sends it back to review; the patient page fits a phone; education needs no login."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from spinepath.accounts.roles import Role
from tests.browser.conftest import log_in
from tests.preparation.builders import (
    CHICAGO,
    episode_payload,
    new_episode,
    next_weekday_at,
)
from tests.support import ClinicUsers

PHONE = {"width": 375, "height": 740}


def _spoken(moment: datetime) -> str:
    hour = moment.hour % 12 or 12
    return f"{moment:%A, %B} {moment.day} at {hour}:{moment.minute:02d} " + (
        "AM" if moment.hour < 12 else "PM"
    )


def _no_horizontal_scroll(page: Page) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"the page is {widths[0]} px wide on a {widths[1]} px screen"


def _signed_episode(clinic: ClinicUsers, start: datetime) -> dict[str, Any]:
    episode = new_episode(clinic, "Phone")
    url = f"/api/v1/episodes/{episode['id']}/preparation"
    with clinic.client(Role.COORDINATOR) as coordinator:
        saved = coordinator.post(url, json=episode_payload(start))
        assert saved.status_code == 201, saved.text
    with clinic.client(Role.PHYSICIAN) as physician:
        signed = physician.post(f"{url}/sign", json={"version": saved.json()["version"]})
        assert signed.status_code == 200, signed.text
    return dict(signed.json())


def test_a_coordinator_enters_a_plan_a_physician_signs_it_and_a_change_needs_review(
    page: Page, browser: Browser, web_clinic: ClinicUsers
) -> None:
    episode = new_episode(web_clinic, "Marchetti")
    start = next_weekday_at(2, time(9, 0))
    log_in(page, web_clinic, Role.COORDINATOR, f"/episodes/{episode['id']}")
    page.locator("#preparation-link").click()
    expect(page.get_by_role("heading", name="Preparation plan")).to_be_visible()

    page.locator("#procedure_date").fill(start.strftime("%Y-%m-%d"))
    page.locator("#procedure_time").fill("09:00")
    page.locator("#arrival_time").fill("07:30")
    rows = [
        ("Eliquis 5 mg", "twice daily", "08:00, 20:00"),
        ("Coumadin 5 mg", "once daily", "18:00"),
        ("Lipitor 20 mg", "once daily", "21:00"),
    ]
    for row, (name, how_often, times) in enumerate(rows):
        page.locator(f"#med-{row}-name").fill(name)
        page.locator(f"#med-{row}-frequency").fill(how_often)
        page.locator(f"#med-{row}-dose_times").fill(times)
    page.get_by_role("button", name="Add another medicine").click()
    expect(page.locator("#med-0-name")).to_have_value("Eliquis 5 mg")  # kept
    page.locator("#med-3-name").fill("Grandma's tonic")
    page.locator("#creatinine_clearance_ml_min").fill("65")
    page.locator("#inr").fill("1.1")
    page.locator("#platelets_10e9_per_l").fill("210")
    page.locator("#hemoglobin_g_dl").fill("12.9")
    page.get_by_role("button", name="Save and compute the plan").click()

    expect(page.get_by_role("status")).to_contain_text("saved")
    expect(page.locator("#plan-status")).to_have_text("Not signed yet")
    table = page.locator("#medicines-table tbody tr")
    expect(table).to_have_count(4)
    expect(table.nth(0)).to_contain_text("Hold")
    expect(table.nth(0)).to_contain_text("apixaban")
    expect(table.nth(0)).to_contain_text("sir-2019-periprocedural")
    expect(table.nth(1)).to_contain_text("Hold")  # warfarin; bridging is a separate flag
    expect(table.nth(2)).to_contain_text("Continue")
    expect(table.nth(3)).to_contain_text("not recognised")
    expect(page.locator("#review-flags")).to_contain_text("1 medicine")
    expect(page.get_by_text("Only a physician can sign the plan.")).to_be_visible()
    expect(page.get_by_role("button", name="Sign this plan")).to_have_count(0)

    physician_context = browser.new_context(viewport={"width": 1280, "height": 900})
    physician_page = physician_context.new_page()
    try:
        decisions = f"/episodes/{episode['id']}/preparation/decisions"
        log_in(physician_page, web_clinic, Role.PHYSICIAN, decisions)
        expect(physician_page.locator("#awaiting")).to_contain_text("Grandma's tonic")
        tonic = physician_page.locator("#medicine-3")
        tonic.get_by_label("Decision").select_option("call_patient")
        tonic.get_by_label("Instructions to the patient, word for word (optional)").fill(
            "Bring the bottle to your visit."
        )
        tonic.get_by_role("button", name="Record the decision on Grandma's tonic").click()
        expect(physician_page.get_by_role("status")).to_contain_text("recorded")
        expect(physician_page.locator("#awaiting")).to_contain_text("No medicine in review")
        physician_page.goto(f"{web_clinic.server.base_url}/episodes/{episode['id']}/preparation")
        physician_page.get_by_label("Note with your signature (optional)").fill("Warfarin: call")
        physician_page.get_by_role("button", name="Sign this plan").click()
        expect(physician_page.locator("#plan-status")).to_have_text("Signed")
        physician_page.get_by_role("link", name="patient page").click()
        expect(
            physician_page.get_by_role("heading", name="Getting ready for your back procedure")
        ).to_be_visible()
        eliquis = physician_page.locator(".patient-medicine", has_text="Eliquis 5 mg")
        expect(eliquis).to_contain_text("Take your last dose on")
        coumadin = physician_page.locator(".patient-medicine", has_text="Coumadin 5 mg")
        expect(coumadin).to_contain_text("Take your last dose on")
        tonic_copy = physician_page.locator(".patient-medicine", has_text="Grandma's tonic")
        expect(tonic_copy.locator("p")).to_have_text(
            ["Your care team will call you about this medicine.", "Bring the bottle to your visit."]
        )
    finally:
        physician_context.close()

    page.reload()
    expect(page.locator("#plan-status")).to_have_text("Signed")
    page.get_by_text("Change the inputs").click()
    page.locator("#med-0-dose_times").fill("09:00, 21:00")
    page.get_by_role("button", name="Save and compute the plan").click()
    expect(page.locator("#plan-status")).to_have_text("Needs review")
    expect(page.locator("#review-reason")).to_contain_text("changed Eliquis 5 mg (dose_times)")


def test_bad_input_on_the_form_is_named_and_nothing_is_saved(
    page: Page, web_clinic: ClinicUsers
) -> None:
    episode = new_episode(web_clinic, "Mistaken")
    log_in(page, web_clinic, Role.COORDINATOR, f"/episodes/{episode['id']}/preparation")
    yesterday = datetime.now(CHICAGO) - timedelta(days=1)
    page.locator("#procedure_date").fill(yesterday.strftime("%Y-%m-%d"))
    page.locator("#procedure_time").fill("09:00")
    page.locator("#med-0-name").fill("Eliquis 5 mg")
    page.locator("#med-0-dose_times").fill("25:00")
    page.locator("#creatinine_clearance_ml_min").fill("lots")
    page.get_by_role("button", name="Save and compute the plan").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Procedure date")
    expect(summary).to_contain_text("in the past")
    expect(summary).to_contain_text("Medicine 1: usual dose times")
    expect(summary).to_contain_text("Creatinine clearance")
    expect(page.locator("#med-0-name")).to_have_value("Eliquis 5 mg")  # what was typed stays
    expect(page.locator("#plan-status")).to_have_count(0)  # no plan was stored


@pytest.mark.parametrize("viewport", [PHONE])
def test_the_patient_page_fits_a_phone_screen(
    browser: Browser, web_clinic: ClinicUsers, viewport: dict[str, int]
) -> None:
    start = next_weekday_at(1, time(9, 0))
    signed = _signed_episode(web_clinic, start)
    context = browser.new_context(viewport=viewport, is_mobile=True)
    phone = context.new_page()
    try:
        target = f"/episodes/{signed['episode_id']}/preparation/patient"
        log_in(phone, web_clinic, Role.NURSE, target)
        expect(phone.get_by_role("heading", level=1)).to_have_text(
            "Getting ready for your back procedure"
        )
        plavix = next(m for m in signed["plan"]["medications"] if m["input"] == "Plavix 75 mg")
        stop = datetime.fromisoformat(plavix["last_dose_at"]).astimezone(CHICAGO)
        expect(phone.locator(".patient-medicine", has_text="Plavix 75 mg")).to_contain_text(
            f"Take your last dose on {_spoken(stop)}."
        )
        expect(phone.get_by_text("All times are Chicago time.")).to_be_visible()
        _no_horizontal_scroll(phone)
        font_px = phone.evaluate(
            "() => parseFloat(getComputedStyle(document.querySelector('#patient-plan p')).fontSize)"
        )
        assert font_px >= 16
    finally:
        context.close()


def test_an_education_page_opens_without_login_and_fits_a_phone(
    browser: Browser, web_clinic: ClinicUsers
) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    phone = context.new_page()
    try:
        phone.goto(f"{web_clinic.server.base_url}/learn")
        expect(phone.get_by_role("heading", name="Learn about your back")).to_be_visible()
        phone.get_by_role("link", name="Vertebroplasty and kyphoplasty").click()
        expect(phone).to_have_url(
            f"{web_clinic.server.base_url}/learn/vertebroplasty-and-kyphoplasty"
        )
        expect(phone.get_by_role("heading", name="How they differ")).to_be_visible()
        expect(phone.get_by_text("Only kyphoplasty uses a balloon.")).to_be_visible()
        _no_horizontal_scroll(phone)
        phone.get_by_role("link", name="Next: Getting ready: medicines and food").click()
        expect(phone.get_by_role("heading", level=1)).to_have_text(
            "Getting ready: medicines and food"
        )
        _no_horizontal_scroll(phone)
    finally:
        context.close()
