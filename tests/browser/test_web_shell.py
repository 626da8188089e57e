"""The web shell in headless Chromium: log in, find a patient, move an episode, see it."""

from __future__ import annotations

import httpx
from playwright.sync_api import Page, expect

from spinepath.accounts.roles import Role
from tests.api.helpers import create_patient, open_episode
from tests.browser.conftest import log_in
from tests.support import PASSWORD, ClinicUsers


def _patient_with_episode(clinic: ClinicUsers, family_name: str) -> dict:  # type: ignore[type-arg]
    with clinic.client(Role.COORDINATOR) as client:
        patient = create_patient(client, family_name=family_name, given_name="Edith")
        return open_episode(client, patient["id"])


def test_log_in_find_a_patient_advance_a_stage_and_see_it_in_the_timeline(
    page: Page, web_clinic: ClinicUsers
) -> None:
    _patient_with_episode(web_clinic, "Quartermaine")
    _patient_with_episode(web_clinic, "Other")
    log_in(page, web_clinic, Role.PHYSICIAN)
    expect(page.get_by_role("heading", name="Worklist")).to_be_visible()

    page.get_by_label("Patient name or MRN").fill("quarter")
    expect(page.locator("#worklist tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Quartermaine, Edith").click()

    expect(page.locator("#current-stage")).to_have_text("Referral")
    page.get_by_role("button", name="Move to Consultation").click()
    expect(page.get_by_role("status")).to_contain_text("Moved to Consultation")
    expect(page.locator("#current-stage")).to_have_text("Consultation")
    timeline = page.locator("ol.timeline li")
    expect(timeline).to_have_count(2)
    expect(timeline.nth(1)).to_contain_text("Consultation")
    expect(timeline.nth(1)).to_contain_text(f"Physician of {web_clinic.slug}")
    expect(page.locator("#tasks")).to_contain_text("Record conservative-care history")


def test_a_wrong_password_shows_an_error_and_no_session(
    page: Page, web_clinic: ClinicUsers
) -> None:
    page.goto(f"{web_clinic.server.base_url}/login")
    page.get_by_label("Username").fill(web_clinic.username(Role.NURSE))
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("username or password is not right")
    page.goto(f"{web_clinic.server.base_url}/")
    expect(page).to_have_url(f"{web_clinic.server.base_url}/login?next=/")


def test_an_exit_without_a_reason_is_refused_on_the_page(
    page: Page, web_clinic: ClinicUsers
) -> None:
    episode = _patient_with_episode(web_clinic, "Reasonless")
    log_in(page, web_clinic, Role.PHYSICIAN, f"/episodes/{episode['id']}")
    page.locator(".other-moves > summary").click()
    cancel = page.locator("#move-cancelled")
    cancel.get_by_label("Why is the episode cancelled?").fill("   ")  # blank once trimmed
    cancel.get_by_role("button", name="Move to Cancelled").click()
    expect(page.locator("#move-cancelled .field-error")).to_contain_text("say why")
    expect(page.locator("#current-stage")).to_have_text("Referral")
    cancel = page.locator("#move-cancelled")
    cancel.get_by_label("Why is the episode cancelled?").fill("Referred to the wrong clinic")
    cancel.get_by_role("button", name="Move to Cancelled").click()
    expect(page.locator("#current-stage")).to_have_text("Cancelled")
    expect(page.locator("ol.timeline")).to_contain_text("Referred to the wrong clinic")


def test_registering_a_patient_names_each_bad_field_then_succeeds(
    page: Page, web_clinic: ClinicUsers
) -> None:
    log_in(page, web_clinic, Role.COORDINATOR, "/patients/new")
    page.get_by_label("Family name").fill("Lovelace")
    page.get_by_label("Date of birth").fill("2990-01-01")
    page.get_by_role("button", name="Register patient").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("mrn")
    expect(summary).to_contain_text("given name")
    expect(summary).to_contain_text("birth date")
    expect(page.get_by_label("Family name")).to_have_value("Lovelace")  # nothing typed is lost
    page.get_by_label("Medical record number (MRN)").fill("WEB-1")
    page.get_by_label("Given name").fill("Ada")
    page.get_by_label("Date of birth").fill("1940-12-10")
    page.get_by_label("Sex").select_option("female")
    page.get_by_role("button", name="Register patient").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lovelace, Ada")
    page.get_by_label("Fractured vertebra").fill("T12")
    page.get_by_role("button", name="Open episode").click()
    expect(page.locator("#current-stage")).to_have_text("Referral")
    expect(page.locator("#fractures")).to_contain_text("T12")


def test_every_form_control_has_a_label(page: Page, web_clinic: ClinicUsers) -> None:
    episode = _patient_with_episode(web_clinic, "Labels")
    log_in(page, web_clinic, Role.PHYSICIAN)
    for path in (
        "/",
        "/patients/new",
        f"/episodes/{episode['id']}",
        f"/patients/{episode['patient']['id']}",
    ):
        page.goto(web_clinic.server.base_url + path)
        unlabelled = page.evaluate(
            """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
                 .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
                 .map(el => el.name)"""
        )
        assert unlabelled == [], (path, unlabelled)
        assert page.locator("h1").count() == 1


def test_the_next_stage_can_be_reached_by_keyboard(page: Page, web_clinic: ClinicUsers) -> None:
    episode = _patient_with_episode(web_clinic, "Keyboard")
    log_in(page, web_clinic, Role.NURSE, f"/episodes/{episode['id']}")
    button = page.get_by_role("button", name="Move to Consultation")
    for _ in range(30):
        page.keyboard.press("Tab")
        if button.evaluate("el => el === document.activeElement"):
            break
    else:
        raise AssertionError("the move button is not reachable with Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#current-stage")).to_have_text("Consultation")


def test_a_form_post_without_the_csrf_token_is_refused(web_clinic: ClinicUsers) -> None:
    episode = _patient_with_episode(web_clinic, "Forged")
    base = web_clinic.server.base_url
    with httpx.Client(base_url=base, follow_redirects=False) as client:
        login_page = client.get("/login")
        csrf = login_page.text.split('name="csrf_token" value="')[1].split('"')[0]
        logged_in = client.post(
            "/login",
            data={
                "username": web_clinic.username(Role.PHYSICIAN),
                "password": PASSWORD,
                "csrf_token": csrf,
                "next": "/",
            },
        )
        assert logged_in.status_code == 303
        forged = client.post(
            f"/episodes/{episode['id']}/transition",
            data={"to_stage": "consultation", "version": "1"},
        )
    assert forged.status_code == 403
    with web_clinic.client(Role.PHYSICIAN) as api:
        assert api.get(f"/api/v1/episodes/{episode['id']}").json()["stage"] == "referral"


def test_the_worklist_reads_on_a_phone_sized_screen(page: Page, web_clinic: ClinicUsers) -> None:
    _patient_with_episode(web_clinic, "Phone")
    page.set_viewport_size({"width": 375, "height": 740})
    log_in(page, web_clinic, Role.COORDINATOR)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


def test_administrators_land_on_the_audit_trail(page: Page, web_clinic: ClinicUsers) -> None:
    log_in(page, web_clinic, Role.ADMIN, "/admin/audit")
    page.goto(f"{web_clinic.server.base_url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit trail")
    expect(page.locator("table")).to_contain_text("login")


def test_an_htmx_request_without_a_session_redirects_the_whole_page(
    web_clinic: ClinicUsers,
) -> None:
    with httpx.Client(base_url=web_clinic.server.base_url, follow_redirects=False) as client:
        answer = client.get("/?q=x", headers={"HX-Request": "true"})
    assert answer.status_code == 204
    assert answer.headers["hx-redirect"] == "/login?next=/%3Fq%3Dx"
