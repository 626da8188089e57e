"""Logging in under attack: throttled per account and per client address (429 with
Retry-After, a longer wait after each failure, audited), the password checked without holding
SQLite's write lock, and guessable passwords refused.

Requests come from their own loopback addresses (127.0.0.x), so a flooded address never
throttles the other tests' logins from 127.0.0.1.
"""

from __future__ import annotations

import math
import sqlite3
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import select

from spinepath.accounts import login, service
from spinepath.accounts.roles import Role
from spinepath.audit.models import AuditEvent
from tests.api.helpers import create_patient, error_fields, patient_payload
from tests.support import PASSWORD, ClinicUsers, LiveServer


def fresh_address() -> str:
    """A loopback address no other test logs in from (never 127.0.0.1)."""
    octets = uuid.uuid4().bytes[:3]
    return f"127.{octets[0] % 254 + 1}.{octets[1] % 254 + 1}.{octets[2] % 254 + 1}"


def client_from(server: LiveServer, address: str) -> httpx.Client:
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=server.base_url, transport=transport, timeout=30)


def log_in(client: httpx.Client, username: str, password: str) -> httpx.Response:
    return client.post("/api/v1/auth/token", json={"username": username, "password": password})


def audit_outcomes(server: LiveServer, username: str) -> list[str]:
    with server.session_factory() as session:
        return list(
            session.scalars(
                select(AuditEvent.outcome)
                .where(AuditEvent.actor_username == username, AuditEvent.action == "login")
                .order_by(AuditEvent.id)
            )
        )


def test_a_login_flood_gets_429s_while_everyone_else_is_served(clinic: ClinicUsers) -> None:
    server = clinic.server
    target = clinic.username(Role.NURSE)
    others_token = clinic.token(Role.COORDINATOR)
    flood_addresses = [fresh_address() for _ in range(2)]

    def flood(address: str) -> list[int]:
        codes: list[int] = []
        with client_from(server, address) as client:
            while len(codes) < 40:
                codes.append(log_in(client, target, "wrong-password-guess").status_code)
        return codes

    def others() -> list[int]:
        codes: list[int] = []
        with server.client(others_token) as client:
            for _ in range(15):
                codes.append(client.get("/api/v1/me").status_code)
                codes.append(client.post("/api/v1/patients", json=_patient()).status_code)
        with client_from(server, fresh_address()) as client:
            codes.append(log_in(client, clinic.username(Role.PHYSICIAN), PASSWORD).status_code)
        return codes

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=3) as pool:
        floods = [pool.submit(flood, address) for address in flood_addresses]
        theirs = pool.submit(others).result()
        flood_codes = [code for job in floods for code in job.result()]

    assert set(flood_codes) <= {401, 429}, flood_codes
    assert flood_codes.count(429) > 0
    # Beyond the account's allowance of 5, a guess was checked only when a wait had run out
    # (1 s, then 2 s, 4 s, ...) or while another flooder's attempt was in flight.
    elapsed = time.monotonic() - started
    assert flood_codes.count(401) <= 5 + len(flood_addresses) + math.ceil(math.log2(elapsed + 1))
    assert set(theirs) <= {200, 201}, theirs
    assert "throttled" in audit_outcomes(server, target)


def _patient() -> dict[str, str]:
    return patient_payload()


def test_each_failure_past_the_allowance_doubles_the_wait(clinic: ClinicUsers) -> None:
    target = clinic.username(Role.NURSE)
    with client_from(clinic.server, fresh_address()) as client:
        first_five = [log_in(client, target, "not-it-at-all").status_code for _ in range(5)]
        refused = log_in(client, target, PASSWORD)  # even the right password waits
        assert first_five == [401] * 5
        assert refused.status_code == 429
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert int(refused.headers["retry-after"]) == 1
        time.sleep(1.1)
        assert log_in(client, target, "not-it-at-all").status_code == 401
        second = log_in(client, target, "not-it-at-all")
        assert second.status_code == 429 and int(second.headers["retry-after"]) == 2
        time.sleep(2.1)
        assert log_in(client, target, PASSWORD).status_code == 200
        # A success forgets the account's failures.
        assert log_in(client, target, "not-it-at-all").status_code == 401
        assert log_in(client, target, PASSWORD).status_code == 200
    outcomes = audit_outcomes(clinic.server, target)
    assert outcomes.count("failed") == 7 and outcomes.count("throttled") == 2


def test_one_address_trying_many_accounts_is_throttled_but_others_are_not(
    clinic: ClinicUsers,
) -> None:
    attacker, colleague = fresh_address(), fresh_address()
    with client_from(clinic.server, attacker) as client:
        codes = [
            log_in(client, f"guess.{n}.{clinic.slug}", "password-guess").status_code
            for n in range(30)
        ]
        assert codes == [401] * 30
        blocked = log_in(client, clinic.username(Role.PHYSICIAN), PASSWORD)
        assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) >= 1
    with client_from(clinic.server, colleague) as client:
        assert log_in(client, clinic.username(Role.PHYSICIAN), PASSWORD).status_code == 200


def test_the_web_login_form_is_throttled_too(clinic: ClinicUsers) -> None:
    target = clinic.username(Role.COORDINATOR)
    with client_from(clinic.server, fresh_address()) as client:
        codes = []
        for _ in range(6):
            form = client.get("/login")
            csrf = form.text.split('name="csrf_token" value="')[1].split('"')[0]
            answer = client.post(
                "/login",
                data={"username": target, "password": "wrong-again!", "csrf_token": csrf},
            )
            codes.append(answer.status_code)
    assert codes == [401] * 5 + [429]
    assert "Too many failed attempts" in answer.text and answer.headers["retry-after"] == "1"


def test_the_password_is_checked_without_holding_the_sqlite_write_lock(
    clinic: ClinicUsers, monkeypatch: pytest.MonkeyPatch
) -> None:
    if clinic.server.backend != "sqlite":
        pytest.skip("SQLite's single write lock")
    path = clinic.server.database_url.removeprefix("sqlite:///")
    real_verify = login.verify_password
    seen: list[str] = []

    def verify_while_writing(password_hash: str | None, password: str) -> bool:
        # Another writer must get the write lock at once while the hash is being checked.
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            seen.append("write lock free")
        except sqlite3.OperationalError as error:
            seen.append(str(error))
        finally:
            other.close()
        return real_verify(password_hash, password)

    monkeypatch.setattr(login, "verify_password", verify_while_writing)
    monkeypatch.setattr(service, "verify_password", verify_while_writing)
    with client_from(clinic.server, fresh_address()) as client:
        assert log_in(client, clinic.username(Role.NURSE), PASSWORD).status_code == 200
        assert log_in(client, clinic.username(Role.NURSE), "wrong-password-x").status_code == 401
    assert seen == ["write lock free", "write lock free"]


def test_breached_passwords_and_the_username_are_refused(clinic: ClinicUsers) -> None:
    def create(username: str, password: str) -> httpx.Response:
        with clinic.client(Role.ADMIN) as client:
            return client.post(
                "/api/v1/users",
                json={
                    "username": username,
                    "full_name": "New Nurse",
                    "password": password,
                    "roles": ["nurse"],
                },
            )

    name = f"new.{clinic.slug}"
    for guessable in ("password123", "qwertyuiop", "1234567890", "Football12"):
        answer = create(name, guessable)
        assert answer.status_code == 422 and error_fields(answer) == {"password"}, guessable
        assert "data breaches" in answer.json()["errors"][0]["message"]
    same = create(name, name.upper())
    assert same.status_code == 422 and error_fields(same) == {"password"}
    assert "username" in same.json()["errors"][0]["message"]
    assert create(name, "pelvic-tilt-morning-7").status_code == 201
    with clinic.client(Role.NURSE) as client:
        create_patient(client)  # the clinic works as before
