"""Security headers on every answer: a Content-Security-Policy with no inline script (and no
template needs one), nosniff, frame-ancestors and X-Frame-Options from the setting,
Referrer-Policy, HSTS over HTTPS only, and no-store on everything but the static files. The API
docs page is served from the installed Swagger UI package, never a CDN."""

from __future__ import annotations

import dataclasses
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from spinepath.accounts.roles import Role
from spinepath.api.app import create_app
from spinepath.settings import Settings
from tests.api.helpers import create_patient
from tests.support import PASSWORD, ClinicUsers, LiveServer, free_port

INLINE_SCRIPT = r"<script(?![^>]*\bsrc=)[^>]*>"
TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "spinepath" / "web" / "templates"


def test_every_answer_carries_the_security_headers(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        patient = create_patient(client)
        answers = {
            "patient json": client.get(f"/api/v1/patients/{patient['id']}"),
            "problem": client.get("/api/v1/patients/not-an-id"),
            "login page": client.get("/login"),
            "health": client.get("/api/v1/health"),
        }
    for what, answer in answers.items():
        csp = answer.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("style-src")[0]
        assert "frame-ancestors 'none'" in csp, what
        assert answer.headers["x-content-type-options"] == "nosniff", what
        assert answer.headers["x-frame-options"] == "DENY", what
        assert answer.headers["referrer-policy"] == "no-referrer", what
        assert answer.headers["cache-control"] == "no-store", what
        assert "strict-transport-security" not in answer.headers, what  # plain HTTP


def test_patient_pages_are_not_stored_but_static_files_may_be(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        patient = create_patient(client)
    with clinic.server.client() as browser:
        form = browser.get("/login")
        csrf = form.text.split('name="csrf_token" value="')[1].split('"')[0]
        browser.post(
            "/login",
            data={
                "username": clinic.username(Role.NURSE),
                "password": PASSWORD,
                "csrf_token": csrf,
            },
        )
        page = browser.get(f"/patients/{patient['id']}")
        static = browser.get("/static/spinepath.css")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert static.status_code == 200 and static.headers.get("cache-control") != "no-store"
    assert static.headers["x-content-type-options"] == "nosniff"


def test_hsts_is_sent_over_https_only(server: LiveServer) -> None:
    with server.client() as client:
        # The loopback proxy says the client came over HTTPS.
        secure = client.get("/api/v1/health", headers={"X-Forwarded-Proto": "https"})
        plain = client.get("/api/v1/health")
    assert secure.headers["strict-transport-security"] == "max-age=31536000"
    assert "strict-transport-security" not in plain.headers


def test_no_template_has_inline_script_handlers_or_styles() -> None:
    found = []
    for path in sorted(TEMPLATES.glob("*.html")):
        text = path.read_text()
        for pattern in (
            r"<script(?![^>]*\bsrc=)[^>]*>",
            r"\son[a-z]+\s*=",
            r"\sstyle\s*=",
            "<style",
        ):
            found += [f"{path.name}: {m.group()}" for m in re.finditer(pattern, text)]
    assert found == []


@pytest.fixture(scope="module")
def framed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server whose pages an EHR at https://ehr.example may frame (a SMART launch)."""
    from spinepath.store.migrate import upgrade

    data_dir = tmp_path_factory.mktemp("framed")
    url = f"sqlite:///{data_dir / 'spinepath.db'}"
    upgrade(url)
    settings = dataclasses.replace(
        Settings(database_url=url, secret_key="test", data_dir=data_dir),
        frame_ancestors="'self' https://ehr.example",
    )
    app = create_app(settings)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    live = LiveServer(
        f"http://127.0.0.1:{port}", url, app.state.session_factory, "sqlite", server, thread
    )
    yield live
    live.stop()


def test_the_frame_ancestors_setting_lets_a_named_ehr_frame_the_pages(
    framed_server: LiveServer,
) -> None:
    with framed_server.client() as client:
        answer = client.get("/login")
    assert "frame-ancestors 'self' https://ehr.example" in answer.headers["content-security-policy"]
    # X-Frame-Options cannot name an origin: it is left out rather than contradicting the CSP.
    assert "x-frame-options" not in answer.headers


def test_the_api_docs_are_served_from_the_package_not_a_cdn(server: LiveServer) -> None:
    with server.client() as client:
        page = client.get("/api/v1/docs")
        assert page.status_code == 200
        sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert sources and all(source.startswith("/") for source in sources), sources
        assert not re.search(INLINE_SCRIPT, page.text)
        for source in sources:
            asset = client.get(source)
            assert asset.status_code == 200, source
        bundle = client.get("/api/v1/docs/assets/swagger-ui-bundle.js")
    assert "SwaggerUIBundle" in bundle.text
