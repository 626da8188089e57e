"""Test support: real databases, a real HTTP server, clinics with a user for each role."""

from __future__ import annotations

import functools
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
import uvicorn
from sqlalchemy.orm import Session, sessionmaker

from spinepath.accounts import service as accounts
from spinepath.accounts.models import User, UserRole
from spinepath.accounts.passwords import hash_password
from spinepath.accounts.roles import Role
from spinepath.accounts.schemas import ClinicIn
from spinepath.api.app import create_app
from spinepath.context import Actor
from spinepath.settings import Settings
from spinepath.store.migrate import upgrade

POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def wait_for_health(base_url: str, *, seconds: float, what: str = "the server") -> None:
    """Poll ``/api/v1/health`` of a server started as a subprocess until it answers 200."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base_url}/api/v1/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{what} did not start within {seconds:g} s")


PASSWORD = "correct-horse-battery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this test run, dropped afterwards."""
    name = f"spinepath_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class LiveServer:
    """spinepath served by uvicorn on a loopback port, in a thread of the test process."""

    base_url: str
    database_url: str
    session_factory: sessionmaker[Session]
    backend: str
    _server: uvicorn.Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=30)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


def start_server(database_url: str, backend: str, data_dir: str) -> LiveServer:
    upgrade(database_url)
    settings = Settings(
        database_url=database_url, secret_key="test-secret", data_dir=Path(data_dir)
    )
    app = create_app(settings)
    port = free_port()
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
        database_url=database_url,
        session_factory=app.state.session_factory,
        backend=backend,
        _server=server,
        _thread=thread,
    )


@dataclass
class ClinicUsers:
    """A clinic of its own for one test, with one user per role, so tests never share data."""

    server: LiveServer
    clinic_id: uuid.UUID
    slug: str
    users: dict[Role, User]
    time_zone: str
    _tokens: dict[Role, str] = field(default_factory=dict, repr=False)

    def username(self, role: Role) -> str:
        return self.users[role].username

    def actor(self, role: Role) -> Actor:
        with self.server.session_factory() as session:
            user = session.get(User, self.users[role].id)
            assert user is not None
            return accounts.actor_for(user, "127.0.0.1")

    def token(self, role: Role) -> str:
        if role in self._tokens:
            return self._tokens[role]
        with self.server.client() as client:
            answer = client.post(
                "/api/v1/auth/token",
                json={"username": self.username(role), "password": PASSWORD},
            )
        answer.raise_for_status()
        self._tokens[role] = str(answer.json()["access_token"])
        return self._tokens[role]

    def client(self, role: Role) -> httpx.Client:
        return self.server.client(self.token(role))


@functools.cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


def make_clinic(server: LiveServer, time_zone: str = "America/Chicago") -> ClinicUsers:
    slug = f"c-{uuid.uuid4().hex[:10]}"
    factory = server.session_factory
    with factory() as session, session.begin():
        clinic = accounts.create_clinic(
            session, ClinicIn(name=f"Clinic {slug}", slug=slug, time_zone=time_zone)
        )
        # Users are inserted with one precomputed Argon2 hash: hashing five passwords per test
        # would dominate the suite's time. Logging in still verifies the hash for real.
        users = {
            role: User(
                clinic_id=clinic.id,
                username=f"{role.value.replace('_', '')}.{slug}",
                full_name=f"{role.value.title()} of {slug}",
                password_hash=_password_hash(),
                role_rows=[UserRole(role=role.value)],
            )
            for role in Role
        }
        session.add_all(users.values())
        session.flush()
        clinic_id = clinic.id
    return ClinicUsers(server, clinic_id, slug, users, time_zone)
