"""Procedure day in headless Chromium: the time-out refuses a wrong level until a reason is given,
the procedure form derives the codes, and the recovery board shows a new alert without a reload
until it is acknowledged."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import Browser, Page, expect

from spinepath.accounts.roles import Role
from tests.browser.conftest import log_in
from tests.procedures.builders import (
    in_recovery,
    minutes_ago,
    prepared_episode,
    record_vitals,
    save_plan,
    time_out_payload,
)
from tests.support import ClinicUsers


def _confirm_everything(page: Page) -> None:
    for label in (
        "Patient identity checked",
        "Planned procedure and levels read aloud",
        "Signed consent seen",
        "Pre-procedure labs reviewed",
    ):
        page.get_by_label(label).check()
    page.get_by_label("Allergies (including cement and contrast)").fill("None known")
    page.get_by_label("Team present").fill("Dr Osler, RN Nightingale")


def test_a_wrong_level_is_refused_until_a_reason_is_given(
    page: Page, web_clinic: ClinicUsers
) -> None:
    with web_clinic.client(Role.PHYSICIAN) as client:
        episode = prepared_episode(client, ("L1",), family_name="Levelcheck")
        save_plan(client, episode["id"], ["L1"])
    log_in(page, web_clinic, Role.PHYSICIAN, f"/episodes/{episode['id']}/time-out")
    expect(page.locator("#planned-levels")).to_have_text("L1")
    expect(page.locator("#prep-status")).to_contain_text("signed by Physician of")

    page.get_by_label("Levels to treat, as identified on imaging").fill("L2")
    _confirm_everything(page)
    page.get_by_role("button", name="Record the time-out").click()
    stop = page.locator("#level-stop")
    expect(stop).to_contain_text("Stop: the levels do not match the plan")
    expect(stop).to_contain_text("(L2) differ from the planned levels (L1)")
    expect(stop).to_contain_text("Nothing has been recorded")
    expect(page.locator("#time-out-history")).to_have_count(0)
    with web_clinic.client(Role.PHYSICIAN) as client:
        assert client.get(f"/api/v1/episodes/{episode['id']}/time-outs").json() == []

    # The team's entries are kept; the reason is the one thing left to give.
    expect(page.get_by_label("Levels to treat, as identified on imaging")).to_have_value("L2")
    page.get_by_label("Reason for treating levels that differ from the plan").fill(
        "Fluoroscopy shows the acute fracture at L2; MRI agrees"
    )
    page.get_by_role("button", name="Record the time-out").click()
    expect(page.get_by_role("status")).to_contain_text("Time-out recorded")
    expect(page.locator("#current-stage")).to_have_text("Procedure")
    expect(page.get_by_text("differs from plan")).to_be_visible()
    with web_clinic.client(Role.PHYSICIAN) as client:
        recorded = client.get(f"/api/v1/episodes/{episode['id']}/time-outs").json()
    assert [t["levels_to_treat"] for t in recorded] == [["L2"]]
    assert (
        recorded[0]["mismatch_reason"] == "Fluoroscopy shows the acute fracture at L2; MRI agrees"
    )


def _clinic_local(moment: datetime, clinic: ClinicUsers) -> str:
    return moment.astimezone(ZoneInfo(clinic.time_zone)).strftime("%Y-%m-%dT%H:%M")


def test_the_procedure_form_names_what_is_missing_then_derives_the_codes(
    page: Page, web_clinic: ClinicUsers
) -> None:
    with web_clinic.client(Role.PHYSICIAN) as client:
        episode = prepared_episode(client, ("L1", "L2"), family_name="Cementfill")
        save_plan(client, episode["id"], ["L1", "L2"])
        answer = client.post(
            f"/api/v1/episodes/{episode['id']}/time-outs", json=time_out_payload(["L1", "L2"])
        )
        assert answer.status_code == 201
    log_in(page, web_clinic, Role.PHYSICIAN, f"/episodes/{episode['id']}/procedure")
    l1, l2 = page.locator("#level-L1"), page.locator("#level-L2")
    expect(l1.get_by_label("Technique")).to_have_value("vertebroplasty")
    l1.get_by_label("Approach").select_option("bipedicular")
    l1.get_by_label("Cement volume (mL)").fill("4.5")
    l1.get_by_label("No leakage").check()
    l2.get_by_label("Approach").select_option("unipedicular")
    l2.get_by_label("Cement volume (mL)").fill("0")
    page.get_by_label("Ended").fill(_clinic_local(minutes_ago(60), web_clinic))
    page.get_by_label("Sedation").select_option("moderate")
    page.get_by_label("Fluoroscopy time (minutes)").fill("3.5")
    page.get_by_role("button", name="Save the procedure record").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("L2 cement volume ml")
    expect(summary).to_contain_text("L2 leakage")
    expect(summary).to_contain_text("complications")
    expect(l1.get_by_label("Cement volume (mL)")).to_have_value("4.5")

    l2.get_by_label("Cement volume (mL)").fill("3")
    l2.get_by_label("Epidural").check()
    page.get_by_label("None", exact=True).check()
    page.get_by_role("button", name="Save the procedure record").click()
    expect(page.get_by_role("status")).to_contain_text("Procedure record saved")
    expect(page.locator("#cpt-codes")).to_have_text("22511, 22512")
    expect(page.get_by_text("Total cement 7.5 mL")).to_be_visible()

    page.get_by_role("button", name="Receive in recovery").click()
    expect(page.get_by_role("heading", name="Recovery")).to_be_visible()
    expect(page.locator("#current-stage")).to_have_text("Recovery")


def test_vitals_are_entered_by_keyboard_with_implausible_values_named(
    page: Page, web_clinic: ClinicUsers
) -> None:
    with web_clinic.client(Role.PHYSICIAN) as client:
        episode_id = in_recovery(client, family_name="Keyboard")["episode_id"]
    log_in(page, web_clinic, Role.NURSE, f"/episodes/{episode_id}/recovery")
    expect(page.get_by_label("Respiration rate")).to_be_focused()
    for value in ("16", "140"):
        page.keyboard.type(value)
        page.keyboard.press("Tab")
    page.keyboard.type("R")  # air or oxygen has no default: "Room air" is chosen by typing
    page.keyboard.press("Tab")
    for value in ("128", "76", "-5"):
        page.keyboard.type(value)
        page.keyboard.press("Tab")
    page.keyboard.type("A")  # ACVPU has no default: "A: alert" is chosen by typing
    page.keyboard.press("Tab")
    page.keyboard.type("36.9")
    page.keyboard.press("Enter")
    expect(page.locator("#v-spo2_percent-error")).to_contain_text("outside the plausible range")
    expect(page.locator("#v-pulse_per_min-error")).to_contain_text("outside the plausible range")
    expect(page.get_by_label("Systolic BP")).to_have_value("128")

    page.get_by_label("SpO₂", exact=False).first.fill("97")
    page.get_by_label("Pulse").fill("72")
    page.get_by_label("Pulse").press("Enter")
    expect(page.locator("#done-message")).to_contain_text("Vital signs recorded: NEWS2 0")
    expect(page.locator("table.observations tbody tr")).to_have_count(2)


def test_the_board_shows_a_new_alert_without_reloading_until_it_is_acknowledged(
    page: Page, web_clinic: ClinicUsers
) -> None:
    with web_clinic.client(Role.PHYSICIAN) as client:
        episode_id = in_recovery(client, family_name="Boardwatch")["episode_id"]
        record_vitals(client, episode_id)
    log_in(page, web_clinic, Role.NURSE, "/recovery?refresh=2")
    row = page.locator(f"#board-{episode_id}")
    expect(row).to_contain_text("Boardwatch")
    expect(row.locator(".news2")).to_have_text("NEWS2 0")
    expect(row).not_to_contain_text("Acknowledge")
    page.evaluate("window.__sameDocument = 'yes'")
    before = page.locator("#board-updated").inner_text()

    with web_clinic.client(Role.NURSE) as other_nurse:
        raised: dict[str, Any] = record_vitals(other_nurse, episode_id, respiratory_rate=26)
    assert raised["alert"]["level"] == "single_parameter"

    expect(row.locator(".board-alert")).to_contain_text("A score of 3 in a single parameter")
    expect(row.locator(".news2").first).to_have_text("NEWS2 3")
    expect(row.locator(".news2").first).to_have_class("news2 news2-yellow")
    expect(row).to_contain_text("Urgent ward-based response")
    assert page.evaluate("window.__sameDocument") == "yes"  # no full page load happened
    assert page.locator("#board-updated").inner_text() != before

    row.get_by_role("button", name="Acknowledge the alert for Boardwatch").click()
    expect(page.locator("#board-message")).to_contain_text("Alert acknowledged (NEWS2 3)")
    expect(row.locator(".board-alert")).to_have_count(0)
    assert page.evaluate("window.__sameDocument") == "yes"
    with web_clinic.client(Role.NURSE) as client:
        alerts = client.get(f"/api/v1/episodes/{episode_id}/recovery").json()["alerts"]
    assert [(a["status"], a["acknowledged_by_name"]) for a in alerts] == [
        ("acknowledged", f"Nurse of {web_clinic.slug}")
    ]
    # Stays gone on the next refreshes.
    page.wait_for_timeout(2500)
    expect(row.locator(".board-alert")).to_have_count(0)


def test_two_nurses_saving_the_same_checklist_the_second_is_told_it_changed(
    page: Page, browser: Browser, web_clinic: ClinicUsers
) -> None:
    with web_clinic.client(Role.PHYSICIAN) as client:
        episode_id = in_recovery(client, family_name="Twonurses")["episode_id"]
    path = f"/episodes/{episode_id}/recovery"
    log_in(page, web_clinic, Role.NURSE, path)
    second_context = browser.new_context()
    second = second_context.new_page()
    try:
        log_in(second, web_clinic, Role.COORDINATOR, path)
        page.get_by_label("A responsible adult will escort the patient home").check()
        page.get_by_role("button", name="Save checklist").click()
        expect(page.locator("#done-message")).to_contain_text("Checklist saved")

        second.get_by_label("Discharge instructions given").check()
        second.get_by_role("button", name="Save checklist").click()
        expect(second.get_by_role("alert")).to_contain_text("changed since you loaded it")
        # The page now shows what is stored, so a second click cannot undo the first nurse's save.
        expect(
            second.get_by_label("A responsible adult will escort the patient home")
        ).to_be_checked()
        expect(second.get_by_label("Discharge instructions given")).not_to_be_checked()
    finally:
        second_context.close()


def test_an_emergency_alert_is_shown_first_and_answered_with_the_action_and_arrival(
    page: Page, web_clinic: ClinicUsers
) -> None:
    with web_clinic.client(Role.PHYSICIAN) as client:
        episode_id = in_recovery(client, family_name="Emergency")["episode_id"]
    log_in(page, web_clinic, Role.NURSE, f"/episodes/{episode_id}/recovery")
    for name, value in (
        ("respiratory_rate", "26"),
        ("spo2_percent", "97"),
        ("systolic_bp_mmhg", "130"),
        ("diastolic_bp_mmhg", "80"),
        ("pulse_per_min", "115"),
        ("temperature_c", "39.5"),
    ):
        page.locator(f"#v-{name}").fill(value)
    page.locator("#v-on_oxygen").select_option("false")
    page.locator("#v-consciousness").select_option("A")
    page.get_by_role("button", name="Save vital signs").click()
    done = page.locator("#done-message")
    expect(done).to_contain_text("Alert raised: NEWS2 7 or more: emergency response")
    expect(done).to_have_class("alert danger")
    assert page.evaluate("window.location.hash") == "#alerts"
    expect(page.locator("table.observations")).to_contain_text("RR 3")
    expect(page.locator("#schedule")).to_contain_text("Continuous monitoring")

    page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(".field-error").first).to_contain_text("needs the action taken")
    page.get_by_label("Action taken", exact=False).fill("Crash call; registrar and outreach")
    page.get_by_label("Responder arrived at", exact=False).fill("2030-01-01T10:00")
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(".field-error").first).to_contain_text("cannot be in the future")
