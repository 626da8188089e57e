"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from spinepath.accounts.roles import Role
from tests.support import PASSWORD, ClinicUsers, LiveServer, make_clinic

CHROMIUM = os.environ.get("SPINEPATH_CHROMIUM", "/usr/bin/chromium")
# Without these, Chromium tries to reach the network at start-up (closed on these machines).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is not installed at {CHROMIUM}; ./run test installs it")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def web_clinic(sqlite_server: LiveServer) -> ClinicUsers:
    return make_clinic(sqlite_server)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    opened = context.new_page()
    yield opened
    context.close()


def log_in(page: Page, clinic: ClinicUsers, role: Role, next_path: str = "/") -> None:
    page.goto(f"{clinic.server.base_url}/login?next={next_path}")
    page.get_by_label("Username").fill(clinic.username(role))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{clinic.server.base_url}{next_path}")
