"""Follow-up pages in headless Chromium: a patient answers on a phone-sized screen through the
personal link; the quality lead opens the outcome report and sees its charts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from spinepath.accounts.roles import Role
from tests.browser.conftest import log_in
from tests.follow_up.helpers import discharged_episode, follow_up, set_anchor, token_of
from tests.support import ClinicUsers

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    opened = context.new_page()
    yield opened
    context.close()


def test_a_patient_answers_through_the_link_on_a_phone(
    phone: Page, web_clinic: ClinicUsers
) -> None:
    episode = discharged_episode(web_clinic, given_name="Philippa")
    with web_clinic.client(Role.NURSE) as client:
        made = client.post(
            f"/api/v1/episodes/{episode['id']}/outcome-links", json={"time_point": "week_2"}
        ).json()
    phone.goto(f"{web_clinic.server.base_url}/q/{token_of(made['url'])}")
    expect(phone.get_by_role("heading", name="Your back check-up")).to_be_visible()
    # Nothing wider than the phone: no sideways scrolling.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    pain = phone.get_by_role("group", name="How bad is your back pain right now?")
    pain.get_by_text("4", exact=True).click()
    for part in range(1, 11):
        phone.locator(f"#q-odi_{part}").get_by_text("2", exact=True).click()
    phone.locator("#q-rmdq_1").get_by_text("Yes", exact=True).click()  # only one of 24
    phone.get_by_role("button", name="Send my answers").click()

    expect(phone.get_by_role("alert")).to_contain_text("Please check the answers marked below")
    expect(phone.locator("#q-rmdq_2 .field-error")).to_have_text("Please pick Yes or No.")
    expect(phone.locator("#q-nrs input[value='4']")).to_be_checked()  # answers kept
    for item in range(2, 25):
        phone.locator(f"#q-rmdq_{item}").get_by_text("No", exact=True).click()
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.locator("#closed-message")).to_have_text(
        "Thank you. Your answers were sent to your care team."
    )
    with web_clinic.client(Role.NURSE) as client:
        (answer,) = follow_up(client, episode["id"])["trajectory"]
    assert (answer["nrs"], answer["odi_percent"], answer["rmdq_score"]) == (4, 40.0, 1)

    phone.goto(f"{web_clinic.server.base_url}/q/{token_of(made['url'])}")
    expect(phone.locator("#closed-message")).to_contain_text("already sent your answers")


def test_the_quality_lead_opens_the_report_and_sees_the_charts(
    page: Page, web_clinic: ClinicUsers
) -> None:
    for number, (anchor, before, after) in enumerate(
        [("2025-05-04", 8, 3), ("2025-06-09", 7, 5), ("2025-06-20", 9, 2)]
    ):
        episode = discharged_episode(web_clinic, family_name=f"Chart{number}")
        with web_clinic.client(Role.NURSE) as client:
            set_anchor(client, episode["id"], anchor)
            for point, nrs in (("baseline", before), ("week_2", after)):
                answer = client.post(
                    f"/api/v1/episodes/{episode['id']}/outcomes",
                    json={"time_point": point, "nrs": nrs, "odi_sections": [3] * 10},
                )
                assert answer.status_code == 201, answer.text
    log_in(page, web_clinic, Role.QUALITY_LEAD)
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Outcome report")).to_be_visible()
    expect(page.locator("#episode-count")).to_have_text("3")
    pain_chart = page.get_by_role("img", name="Pain (NRS 0-10) at each time point")
    expect(pain_chart).to_be_visible()
    expect(pain_chart.locator("circle")).to_have_count(2)  # baseline and 2 weeks
    box = pain_chart.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 80
    expect(page.get_by_role("img", name="ODI (%) at each time point")).to_be_visible()
    rates = page.get_by_role("img", name="Rates by month follow-up started")
    expect(rates).to_be_visible()
    expect(page.locator("#outcomes-table tr[data-time-point='week_2']")).to_contain_text("3 / 3")
    page.get_by_label("Follow-up started from").fill("2025-06-01")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#episode-count")).to_have_text("2")
    with page.expect_download() as download:
        page.locator("#csv-link").click()
    assert download.value.suggested_filename == "outcome-report.csv"
