"""The calculator pages in headless Chromium: fill a form, see the result beside its sources."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from spinepath.accounts.roles import Role
from spinepath.clinical.instruments.registry import INSTRUMENTS
from spinepath.clinical.sources import get_source
from tests.browser.conftest import log_in
from tests.support import ClinicUsers

pytestmark = pytest.mark.browser


def references_are_shown(page: Page, name: str) -> None:
    instrument = INSTRUMENTS[name]
    formula = page.locator(".calc-formula")
    expect(formula).to_contain_text(instrument.formula.splitlines()[0])
    expect(page.locator("#calc-edition")).to_have_text(instrument.edition)
    references = page.locator(".calc-refs > li")
    expect(references).to_have_count(len(instrument.source_ids))
    for index, source_id in enumerate(instrument.source_ids):
        expect(references.nth(index)).to_contain_text(get_source(source_id).citation)


def component(page: Page, label: str) -> str:
    row = page.locator(".calc-components tbody tr").filter(
        has=page.get_by_role("rowheader", name=label, exact=True)
    )
    return row.locator("td").inner_text()


def fact(page: Page, key: str) -> str:
    return page.locator(f'.calc-result [data-key="{key}"]').inner_text()


def test_news2_form_gives_the_score_components_response_formula_and_references(
    page: Page, web_clinic: ClinicUsers
) -> None:
    log_in(page, web_clinic, Role.NURSE, "/calculators/news2")
    references_are_shown(page, "news2")
    # Chart 1: RR 22 → 2, SpO2 95 → 1, oxygen → 2, SBP 105 → 1, pulse 112 → 2, alert 0,
    # 38.5 °C → 1: total 9, high risk, continuous monitoring.
    page.get_by_role("textbox", name="Respiratory rate").fill("22")
    page.get_by_role("textbox", name="SpO2", exact=True).fill("95")
    page.get_by_role("group", name="On oxygen").get_by_label("Yes").check()
    page.get_by_role("textbox", name="Systolic BP").fill("105")
    page.get_by_role("textbox", name="Pulse").fill("112")
    page.get_by_label("A: alert").check()
    page.get_by_role("textbox", name="Temperature").fill("38.5")
    expect(page.get_by_label("1: for most patients")).to_be_checked()  # the default scale
    page.get_by_role("button", name="Calculate").click()

    result = page.locator("#result")
    expect(result.get_by_role("heading", name="Result")).to_be_visible()
    assert fact(page, "total") == "9"
    assert fact(page, "risk") == "high"
    assert fact(page, "monitoring_frequency") == "continuous monitoring of vital signs"
    assert component(page, "Respiration rate") == "2"
    assert component(page, "SpO2") == "1"
    assert component(page, "Air or oxygen") == "2"
    assert component(page, "Systolic BP") == "1"
    assert component(page, "Pulse") == "2"
    assert component(page, "Consciousness") == "0"
    assert component(page, "Temperature") == "1"
    references_are_shown(page, "news2")
    # The form keeps what was entered, to correct and recalculate.
    expect(page.get_by_role("textbox", name="Pulse")).to_have_value("112")
    expect(page.get_by_role("group", name="On oxygen").get_by_label("Yes")).to_be_checked()


def test_news2_invalid_and_missing_entries_are_shown_by_field_with_a_summary(
    page: Page, web_clinic: ClinicUsers
) -> None:
    log_in(page, web_clinic, Role.NURSE, "/calculators/news2")
    page.get_by_role("textbox", name="Respiratory rate").fill("18")
    page.get_by_role("textbox", name="SpO2", exact=True).fill("150")
    page.get_by_role("textbox", name="Systolic BP").fill("one twenty")
    page.get_by_role("textbox", name="Pulse").fill("80")
    page.get_by_role("textbox", name="Temperature").fill("37")
    page.get_by_role("button", name="Calculate").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("SpO2 (%)")
    expect(summary).to_contain_text("less than or equal to 100")
    expect(summary).to_contain_text("Systolic BP (mmHg)")
    expect(summary).to_contain_text("On oxygen")
    expect(summary).to_contain_text("Consciousness")
    spo2 = page.get_by_role("textbox", name="SpO2", exact=True)
    expect(spo2).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#calc-spo2-percent-error")).to_contain_text("less than or equal to 100")
    expect(page.locator("#calc-systolic-bp-mmhg-error")).to_contain_text("valid integer")
    expect(page.locator("#calc-on-oxygen-error")).to_contain_text("required")
    expect(page.locator("#calc-respiratory-rate-error")).to_have_count(0)
    expect(page.locator("#result")).to_have_count(0)
    expect(page.get_by_role("textbox", name="Systolic BP")).to_have_value("one twenty")


@pytest.fixture
def page_without_javascript(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_odi_scores_ten_sections_without_javascript(
    page_without_javascript: Page, web_clinic: ClinicUsers
) -> None:
    page = page_without_javascript
    log_in(page, web_clinic, Role.QUALITY_LEAD, "/calculators/odi")
    sections = page.locator("select[name^='sections.']")
    expect(sections).to_have_count(10)
    # The ODI form's worked example: 16 points, section 8 unanswered: 16 ÷ 45 = 35.6 %.
    for number, points in enumerate([3, 2, 2, 2, 2, 1, 1, None, 2, 1], start=1):
        if points is not None:
            page.get_by_label(f"Section {number}:").select_option(str(points))
    expect(page.get_by_label("Section 8: sex life")).to_have_value("")
    page.get_by_role("button", name="Calculate").click()

    assert fact(page, "score_percent") == "35.6 %"
    assert fact(page, "answered") == "9"
    assert fact(page, "band") == "moderate"
    assert fact(page, "unanswered_sections") == "8"
    references_are_shown(page, "odi")
    expect(page.get_by_label("Section 1: pain intensity")).to_have_value("3")


def test_morphometry_from_heights_with_a_reference_vertebra(
    page: Page, web_clinic: ClinicUsers
) -> None:
    log_in(page, web_clinic, Role.PHYSICIAN, "/calculators/morphometry")
    heights = page.get_by_role("group", name="Heights (mm)")
    heights.get_by_role("textbox", name="Anterior").fill("25")
    heights.get_by_role("textbox", name="Middle").fill("25")
    heights.get_by_role("textbox", name="Posterior").fill("25")
    page.get_by_role("textbox", name="Reference height").fill("40")
    page.get_by_role("button", name="Calculate").click()
    # An evenly flattened body against a 40 mm neighbour: (40 − 25) ÷ 40 = 37.5 % → grade 2;
    # a tie of all three heights is a crush.
    assert fact(page, "genant_grade") == "2"
    assert fact(page, "height_loss_percent") == "37.5 %"
    assert fact(page, "expected_height_mm") == "40.0 mm"
    assert fact(page, "shape") == "crush"
    expect(page.locator('.calc-result [data-key="wedge_angle_deg"]')).to_have_count(0)
    references_are_shown(page, "morphometry")


def test_morphometry_from_six_points_gives_the_wedge_angle(
    page: Page, web_clinic: ClinicUsers
) -> None:
    log_in(page, web_clinic, Role.PHYSICIAN, "/calculators/morphometry")
    # Superior endplate (0, 20) → (30, 25), inferior flat: heights 20, 22.5, 25, loss 20 %
    # (grade 1), anterior smallest (wedge), angle atan(5 / 30) = 9.46° → 9.5°.
    points = {
        "Anterior superior": ("0", "20"),
        "Anterior inferior": ("0", "0"),
        "Middle superior": ("15", "22.5"),
        "Middle inferior": ("15", "0"),
        "Posterior superior": ("30", "25"),
        "Posterior inferior": ("30", "0"),
    }
    six = page.get_by_role("group", name="Points (mm)")
    for name, (x, y) in points.items():
        pair = six.get_by_role("group", name=name)
        pair.get_by_role("textbox", name="x").fill(x)
        pair.get_by_role("textbox", name="y").fill(y)
    page.get_by_role("button", name="Calculate").click()
    assert fact(page, "anterior_mm") == "20.0 mm"
    assert fact(page, "middle_mm") == "22.5 mm"
    assert fact(page, "posterior_mm") == "25.0 mm"
    assert fact(page, "anterior_posterior_ratio") == "0.8"
    assert fact(page, "genant_grade") == "1"
    assert fact(page, "shape") == "wedge"
    assert fact(page, "wedge_angle_deg") == "9.5°"
    references_are_shown(page, "morphometry")


def test_morphometry_a_half_entered_point_is_named(page: Page, web_clinic: ClinicUsers) -> None:
    log_in(page, web_clinic, Role.PHYSICIAN, "/calculators/morphometry")
    pair = page.get_by_role("group", name="Points (mm)").get_by_role(
        "group", name="Anterior superior"
    )
    pair.get_by_role("textbox", name="x").fill("0")
    page.get_by_role("button", name="Calculate").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Points: Anterior superior y (mm)")
    expect(summary).to_contain_text("Points: Posterior inferior (mm)")
    expect(page.locator("#calc-points-mm-anterior-superior-1-error")).to_have_text("Field required")
    expect(page.locator("#result")).to_have_count(0)


def test_of_score_takes_explicit_unknowns_and_says_it_is_not_validated(
    page: Page, web_clinic: ClinicUsers
) -> None:
    log_in(page, web_clinic, Role.PHYSICIAN, "/calculators/of_score")
    page.get_by_role("textbox", name="OF type").fill("3")
    answers = {
        "T-score below −3": "Yes",
        "Deformity progression": "No",
        "Pain VAS 5 or more": "Yes",
        "Neurological deficit": "Not known",
        "Mobilisation possible": "Yes",
    }
    for group, answer in answers.items():
        page.get_by_role("group", name=group).get_by_label(answer, exact=True).check()
    page.get_by_role("group", name="Health penalties").get_by_label("Anticoagulation").check()
    page.get_by_role("button", name="Calculate").click()
    # OF 3 → 6, +1, −1, +1, unknown 0, −1, anticoagulation −1: total 5 → conservative.
    assert fact(page, "total") == "5"
    assert fact(page, "recommendation") == "conservative"
    assert fact(page, "unknown_items") == "neurological deficit"
    assert component(page, "Neurological deficit") == "0"
    assert component(page, "Health penalties") == "−1"
    expect(page.locator(".calc-result")).to_contain_text("Not yet validated")


def test_index_links_to_every_calculator_and_each_page_shows_its_sources(
    page: Page, web_clinic: ClinicUsers
) -> None:
    log_in(page, web_clinic, Role.COORDINATOR, "/calculators")
    links = page.locator(".calc-index a")
    expect(links).to_have_count(len(INSTRUMENTS))
    for name, instrument in INSTRUMENTS.items():
        page.get_by_role("link", name=instrument.title).click()
        expect(page).to_have_url(f"{web_clinic.server.base_url}/calculators/{name}")
        expect(page.get_by_role("heading", level=1)).to_have_text(instrument.title)
        references_are_shown(page, name)
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Calculators").click()


def test_calculator_pages_need_a_login(page: Page, web_clinic: ClinicUsers) -> None:
    page.goto(f"{web_clinic.server.base_url}/calculators/news2")
    expect(page).to_have_url(f"{web_clinic.server.base_url}/login?next=/calculators/news2")


def test_an_unknown_calculator_page_is_not_found(page: Page, web_clinic: ClinicUsers) -> None:
    log_in(page, web_clinic, Role.NURSE, "/calculators")
    answer = page.goto(f"{web_clinic.server.base_url}/calculators/apgar")
    assert answer is not None and answer.status == 404
    expect(page.get_by_role("alert")).to_contain_text("apgar")
