"""Under the Content-Security-Policy the pages and the API docs work in Chromium, and the
browser reports no blocked script or style."""

from __future__ import annotations

from playwright.sync_api import ConsoleMessage, Page, expect

from spinepath.accounts.roles import Role
from tests.browser.conftest import log_in
from tests.support import ClinicUsers


def _watch(page: Page) -> list[str]:
    blocked: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            blocked.append(message.text)

    page.on("console", keep)
    return blocked


def test_the_pages_run_under_the_csp_without_a_blocked_script_or_style(
    page: Page, web_clinic: ClinicUsers
) -> None:
    blocked = _watch(page)
    log_in(page, web_clinic, Role.COORDINATOR)
    for path in ("/", "/calculators", "/calculators/news2", "/recovery", "/patients/new"):
        page.goto(f"{web_clinic.server.base_url}{path}")
        page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{web_clinic.server.base_url}/login")
    assert blocked == []


def test_the_api_docs_render_from_the_vendored_swagger_ui(
    page: Page, web_clinic: ClinicUsers
) -> None:
    blocked = _watch(page)
    page.goto(f"{web_clinic.server.base_url}/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("spinepath")
    expect(page.locator(".opblock").first).to_be_visible()
    assert blocked == []
