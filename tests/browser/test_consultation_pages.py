"""The consultation form and the assessment panel in headless Chromium: a physician records the
facts, evaluates them, answers what is missing, and records the decision."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from spinepath.accounts.roles import Role
from tests.api.helpers import create_patient, open_episode
from tests.browser.conftest import log_in
from tests.support import ClinicUsers

pytestmark = pytest.mark.browser

SCREENING = (
    "Active infection",
    "Coagulopathy that cannot be corrected",
    "Allergy to bone cement or contrast",
    "Neurological deficit",
    "Myelopathy",
    "Radicular pain",
    "Spinal instability",
    "Retropulsed fragment",
    "Pain mainly from another cause",
)
OSTEOPOROSIS_CARE = (
    "Referred for bone-density (BMD) evaluation",
    "Osteoporosis education given",
    "Instructed to join a prevention or treatment programme",
)


def an_episode(clinic: ClinicUsers) -> dict[str, Any]:
    """An 82-year-old woman with an osteoporotic L1 fracture whose pain began on 2026-10-10."""
    with clinic.client(Role.COORDINATOR) as client:
        patient = create_patient(client, birth_date="1944-03-02", sex="female")
        return open_episode(client, patient["id"])


def answer(page: Page, question: str, choice: str) -> None:
    page.get_by_role("group", name=question, exact=True).get_by_label(choice, exact=True).check()


def status_of(page: Page, criteria_set: str, criterion: str) -> str | None:
    row = page.locator(f"#criterion-{criteria_set}-{criterion}")
    return row.locator("[data-status]").get_attribute("data-status")


def test_a_physician_records_the_facts_evaluates_answers_and_decides(
    page: Page, web_clinic: ClinicUsers
) -> None:
    episode = an_episode(web_clinic)
    base = web_clinic.server.base_url
    log_in(page, web_clinic, Role.PHYSICIAN, f"/episodes/{episode['id']}")
    page.get_by_role("link", name="Consultation facts").click()
    expect(page.get_by_role("heading", name=re.compile("Consultation facts"))).to_be_visible()

    # Every yes/no fact starts unknown, never no.
    for question in ("Marrow oedema on MRI", *SCREENING, *OSTEOPOROSIS_CARE):
        group = page.get_by_role("group", name=question, exact=True)
        expect(group.get_by_label("Unknown", exact=True)).to_be_checked()
        expect(group.get_by_label("No", exact=True)).not_to_be_checked()

    page.get_by_label("Assessment date").fill("2026-11-20")
    answer(page, "Setting", "Outpatient")
    # An 82-year-old woman is not asked about pregnancy: the rule is shown instead.
    expect(page.locator(".not-asked")).to_contain_text("Pregnant")
    answer(page, "Marrow oedema on MRI", "Yes")
    page.get_by_role("spinbutton", name="Vertebral body height loss").fill("30")
    answer(page, "Kyphotic deformity", "Yes")
    # Left unknown on purpose: whether the pain is confirmed at the level.
    page.get_by_role("spinbutton", name="Pain now").fill("11")  # a slip, corrected below
    answer(page, "Pain trend", "Worsening")
    answer(page, "Severe pain (your judgement)", "Yes")
    page.get_by_role("spinbutton", name="Roland–Morris Disability Questionnaire").fill("19")
    answer(page, "Optimal non-surgical management tried", "Yes")
    page.get_by_label("Conservative care began on").fill("2026-10-12")
    page.get_by_label("Analgesics").check()
    page.get_by_label("Bracing").check()
    answer(page, "Intolerable side effects of the medicines", "No")
    for question in SCREENING:
        answer(page, question, "No")
    for question in OSTEOPOROSIS_CARE:
        answer(page, question, "Yes")
    page.get_by_role("button", name="Save and evaluate").click()

    # The slip is named, and everything else entered is kept.
    expect(page.get_by_role("alert")).to_contain_text("pain.nrs")
    expect(page.locator("#f-pain-nrs-error")).to_contain_text("less than or equal to 10")
    rdq = page.get_by_role("spinbutton", name="Roland–Morris Disability Questionnaire")
    expect(rdq).to_have_value("19")
    expect(
        page.get_by_role("group", name="Marrow oedema on MRI", exact=True).get_by_label("Yes")
    ).to_be_checked()
    expect(page.get_by_label("Bracing")).to_be_checked()
    page.get_by_role("spinbutton", name="Pain now").fill("7")
    page.get_by_role("button", name="Save and evaluate").click()

    # The panel: every criterion with its status; the unknown one is a question.
    page.wait_for_url(f"{base}/episodes/{episode['id']}/assessment")
    assert status_of(page, "cms_lcd_l38201", "A") == "met"
    assert status_of(page, "cms_lcd_l38201", "B") == "met"
    assert status_of(page, "cms_lcd_l38201", "C") == "met"
    assert status_of(page, "nice_ta279", "1_severe_ongoing_pain") == "met"
    assert status_of(page, "nice_ta279", "2_pain_confirmed_at_level") == "unknown"
    expect(page.locator("#set-nice_ta279 h2 [data-status]")).to_have_attribute(
        "data-status", "unknown"
    )
    criterion_a = page.locator("#criterion-cms_lcd_l38201-A")
    expect(criterion_a).to_contain_text("L1: Marrow oedema on MRI")
    expect(criterion_a).to_contain_text("cms-lcd-l38201")
    expect(page.locator("#suggested-action")).to_have_attribute(
        "data-action", "complete_missing_information"
    )
    expect(page.locator("#contra-absolute")).to_have_count(0)
    expect(page.locator("#procedure-considerations")).to_contain_text("not a recommendation")
    question = page.locator("#questions").get_by_role(
        "link", name=re.compile("Is the pain confirmed at this level")
    )
    expect(question).to_be_visible()

    # Answer the question on the form, then evaluate again.
    question.click()
    answer(page, "Pain confirmed at this level", "Yes")
    page.get_by_role("button", name="Save and evaluate").click()
    page.wait_for_url(f"{base}/episodes/{episode['id']}/assessment")
    expect(page.locator(".assess-header")).to_contain_text("Assessment 2")
    assert status_of(page, "nice_ta279", "2_pain_confirmed_at_level") == "met"
    expect(page.locator("#suggested-action")).to_have_text("Refer for vertebral augmentation")
    expect(page.locator("#questions")).to_contain_text("No fact the criteria need is missing")

    # The physician decides; the decision stays beside this assessment.
    decision = page.locator("#decision")
    decision.get_by_label("Decision").select_option(label="Proceed to vertebral augmentation")
    decision.get_by_label("Procedure (when proceeding)").select_option("kyphoplasty")
    decision.get_by_label("Rationale").fill("Meets LCD and NICE; 30 % height loss with kyphosis.")
    decision.get_by_role("button", name="Record the decision").click()
    expect(page.locator("#recorded-decision")).to_have_attribute(
        "data-decision", "proceed_to_vertebral_augmentation"
    )
    expect(page.locator("#decision-rationale")).to_have_text(
        "Meets LCD and NICE; 30 % height loss with kyphosis."
    )
    expect(page.locator("#decision")).to_contain_text("on assessment 2")

    with web_clinic.client(Role.NURSE) as client:
        stored = client.get(f"/api/v1/episodes/{episode['id']}/assessments").json()
    assert [a["number"] for a in stored] == [2, 1]
    assert stored[0]["decision"]["procedure"] == "kyphoplasty"
    assert stored[1]["decision"] is None
    assert stored[0]["case"]["fractures"][0]["pain_confirmed_at_level"] is True


def test_the_payer_checklist_prints_without_the_page_controls(
    page: Page, web_clinic: ClinicUsers
) -> None:
    episode = an_episode(web_clinic)
    log_in(page, web_clinic, Role.NURSE, f"/episodes/{episode['id']}/assessment")
    expect(page.get_by_text("No assessment yet")).to_be_visible()
    page.get_by_role("button", name="Evaluate the recorded facts").click()
    expect(page.locator("#suggested-action")).to_be_visible()
    expect(page.locator("#decision")).to_contain_text("Only a physician records the decision")
    page.get_by_role("link", name="Printable payer checklist", exact=True).click()
    title = page.get_by_role("heading", name="Vertebral augmentation: payer checklist")
    expect(title).to_be_visible()
    imaging = page.locator('[data-item="advanced_imaging"]')
    expect(imaging).to_contain_text("Missing")
    expect(imaging).to_contain_text("L1: Marrow oedema on MRI: unknown")
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    expect(page.locator(".site-header nav")).to_be_hidden()
    expect(imaging).to_be_visible()
