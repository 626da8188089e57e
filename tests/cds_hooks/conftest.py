"""Live spinepath servers configured for CDS Hooks (SQLite and PostgreSQL), with trusted clients,
their keys, a JWK Set host and a FHIR server, all on loopback ports."""

from __future__ import annotations

import dataclasses
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from spinepath.accounts import service as accounts
from spinepath.accounts.schemas import ClinicIn
from spinepath.api.app import create_app
from spinepath.settings import CdsClient, Settings
from spinepath.store.migrate import upgrade
from tests.cds_hooks.support import (
    FakeFhir,
    LoopbackHttp,
    SigningKey,
    ec_key,
    jwks,
    make_token,
    rsa_key,
)
from tests.support import LiveServer, free_port, postgres_database

ISS_INLINE = "https://ehr.example/inline"
ISS_URL = "https://ehr.example/hosted"


@dataclass
class CdsWorld:
    """A CDS-configured server and everything around it."""

    server: LiveServer
    clinic_id: uuid.UUID
    clinic_slug: str
    es: SigningKey
    rs: SigningKey
    hosted: SigningKey
    rotated: SigningKey
    jku_key: SigningKey
    keys_host: LoopbackHttp
    fhir: FakeFhir

    def url(self, service_id: str) -> str:
        return f"{self.server.base_url}/cds-services/{service_id}"

    def token(
        self,
        service_id: str,
        key: SigningKey | None = None,
        *,
        iss: str = ISS_INLINE,
        aud: str | list[str] | None = None,
        **options: Any,
    ) -> str:
        return make_token(
            key or self.es, iss=iss, aud=aud if aud is not None else self.url(service_id), **options
        )

    def call(
        self,
        service_id: str,
        body: dict[str, Any] | bytes,
        token: str | None = "sign",
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        sent = dict(headers or {})
        if token == "sign":
            token = self.token(service_id)
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        with httpx.Client(timeout=30) as client:
            if isinstance(body, bytes):
                return client.post(self.url(service_id), content=body, headers=sent)
            return client.post(self.url(service_id), json=body, headers=sent)


def start_with(settings: Settings, backend: str) -> LiveServer:
    upgrade(settings.database_url)
    port = free_port()
    # The JWT audience is checked against the public URL, so it is the server's own address.
    settings = dataclasses.replace(settings, public_url=f"http://127.0.0.1:{port}")
    app = create_app(settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.02)
    return LiveServer(
        base_url=f"http://127.0.0.1:{port}",
        database_url=settings.database_url,
        session_factory=app.state.session_factory,
        backend=backend,
        _server=server,
        _thread=thread,
    )


def _make_clinic(server: LiveServer, slug: str) -> uuid.UUID:
    with server.session_factory() as session, session.begin():
        clinic = accounts.create_clinic(
            session, ClinicIn(name=f"Clinic {slug}", slug=slug, time_zone="America/Chicago")
        )
        return clinic.id


@pytest.fixture(scope="session")
def keys() -> dict[str, SigningKey]:
    return {
        "es": ec_key("es-1"),
        "rs": rsa_key("rs-1"),
        "hosted": ec_key("hosted-1"),
        "rotated": ec_key("hosted-2"),
        "jku": rsa_key("jku-1"),
    }


def running_world(
    backend: str, database_url: str, data_dir: Path, keys: dict[str, SigningKey]
) -> Iterator[CdsWorld]:
    keys_host = LoopbackHttp().start()
    keys_host.routes["/jwks.json"] = lambda *_: (200, jwks(keys["hosted"]))
    keys_host.routes["/jku.json"] = lambda *_: (200, jwks(keys["jku"]))
    fhir = FakeFhir(LoopbackHttp().start())
    slug = f"cds-{uuid.uuid4().hex[:8]}"
    settings = Settings(
        database_url=database_url,
        secret_key="test-secret",
        data_dir=data_dir,
        cds_clients=(
            CdsClient(
                iss=ISS_INLINE,
                clinic=slug,
                jwks=jwks(keys["es"], keys["rs"]),
                fhir_servers=(fhir.base,),
            ),
            CdsClient(
                iss=ISS_URL,
                clinic=slug,
                jwks_url=f"{keys_host.url}/jwks.json",
                jku=(f"{keys_host.url}/jku.json",),
                fhir_servers=(fhir.base,),
            ),
        ),
    )
    server = start_with(settings, backend)
    clinic_id = _make_clinic(server, slug)
    yield CdsWorld(
        server,
        clinic_id,
        slug,
        keys["es"],
        keys["rs"],
        keys["hosted"],
        keys["rotated"],
        keys["jku"],
        keys_host,
        fhir,
    )
    server.stop()
    keys_host.stop()
    fhir.http.stop()


@pytest.fixture(
    scope="session",
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ],
)
def world(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    keys: dict[str, SigningKey],
) -> Iterator[CdsWorld]:
    data_dir = tmp_path_factory.mktemp(f"cds-{request.param}")
    if request.param == "sqlite":
        yield from running_world("sqlite", f"sqlite:///{data_dir / 'cds.db'}", data_dir, keys)
    else:
        with postgres_database() as url:
            yield from running_world("postgres", url, data_dir, keys)


@pytest.fixture(scope="session")
def dev_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, uuid.UUID]]:
    """A server in the explicit development mode (as `spinepath demo` runs it)."""
    data_dir = tmp_path_factory.mktemp("cds-dev")
    slug = f"dev-{uuid.uuid4().hex[:8]}"
    settings = dataclasses.replace(
        Settings(
            database_url=f"sqlite:///{data_dir / 'dev.db'}", secret_key="x", data_dir=data_dir
        ),
        cds_dev_mode=True,
        cds_dev_clinic=slug,
    )
    server = start_with(settings, "sqlite")
    clinic_id = _make_clinic(server, slug)
    yield server, clinic_id
    server.stop()
