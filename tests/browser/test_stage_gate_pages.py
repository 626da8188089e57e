"""The episode page's moves in Chromium: a button whose gate is unmet says what is still needed,
and a physician's override with a reason lands in the timeline."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from spinepath.accounts.roles import Role
from tests.api.helpers import create_patient, move, open_episode
from tests.browser.conftest import log_in
from tests.support import ClinicUsers

pytestmark = pytest.mark.browser


def _at_decision(clinic: ClinicUsers) -> str:
    with clinic.client(Role.COORDINATOR) as client:
        episode = open_episode(client, create_patient(client, family_name="Gatekeeper")["id"])
        return str(move(client, move(client, episode, "consultation"), "decision")["id"])


def test_the_button_says_what_is_still_needed_and_a_coordinator_cannot_override(
    page: Page, web_clinic: ClinicUsers, tmp_path: Path
) -> None:
    episode_id = _at_decision(web_clinic)
    log_in(page, web_clinic, Role.COORDINATOR, f"/episodes/{episode_id}")
    scheduled = page.locator("#move-scheduled")
    expect(scheduled.get_by_role("button", name="Move to Scheduled")).to_be_disabled()
    expect(scheduled.locator(".unmet li")).to_have_text(
        "a recorded decision to proceed to vertebral augmentation "
        "(no treatment decision recorded)"
    )
    expect(scheduled.get_by_text("Override as the physician")).to_have_count(0)
    # The other moves wait folded away; one with no gate is ready at once.
    page.locator(".other-moves > summary").click()
    expect(page.locator("#move-conservative_care").get_by_role("button")).to_be_enabled()
    page.screenshot(path=str(tmp_path / "gates-coordinator.png"), full_page=True)


def test_a_physician_overrides_with_a_reason_and_the_timeline_shows_it(
    page: Page, web_clinic: ClinicUsers
) -> None:
    episode_id = _at_decision(web_clinic)
    log_in(page, web_clinic, Role.PHYSICIAN, f"/episodes/{episode_id}")
    scheduled = page.locator("#move-scheduled")
    scheduled.get_by_text("Override as the physician").click()
    scheduled.get_by_label("Why move without it?").fill("Decided at the spine meeting today")
    scheduled.get_by_role("button", name="Move to Scheduled anyway").click()
    expect(page.locator("#current-stage")).to_have_text("Scheduled")
    note = page.locator("#timeline .override-note")
    expect(note).to_contain_text("a recorded decision to proceed to vertebral augmentation")
    expect(note).to_contain_text("Decided at the spine meeting today")
