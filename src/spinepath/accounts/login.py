"""Logging in: throttled per account and per client address, the password checked outside any
write transaction.

Checking an Argon2 hash takes a noticeable fraction of a second. On SQLite a write transaction
holds the database's one write lock, so the check runs with no transaction open at all: the
throttle state and the stored hash are read in a read-only transaction (never the write lock),
the hash is checked with no connection held, and only then a short write transaction records
the outcome (the failure count and audit event, or the new token).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from spinepath.accounts import throttle
from spinepath.accounts.models import User
from spinepath.accounts.passwords import verify_password
from spinepath.accounts.service import IssuedToken, actor_for, issue_token
from spinepath.audit import service as audit
from spinepath.context import Actor
from spinepath.errors import DomainError, NotAuthenticated
from spinepath.store.base import utc_now
from spinepath.store.db import READ_ONLY


class LoginThrottled(DomainError):
    status = 429
    title = "Too many attempts"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"too many failed logins for this account or from this address; try again in "
            f"{retry_after} s"
        )
        self.retry_after = max(1, retry_after)


@dataclass(frozen=True)
class LoginAttempt:
    username: str
    password: str
    client_address: str | None
    kind: str  # "api" | "session"
    lifetime: timedelta


def _entity(kind: str) -> str:
    return "api_token" if kind == "api" else "web_session"


def log_in(
    engine: Engine,
    factory: sessionmaker[Session],
    policy: throttle.Policy,
    attempt: LoginAttempt,
) -> IssuedToken:
    """A new token for the user, or LoginThrottled / NotAuthenticated (each audited)."""
    name = attempt.username.strip().lower()[:80]
    address = attempt.client_address
    now = utc_now()
    with Session(bind=engine.execution_options(**{READ_ONLY: True})) as reading:
        wait = throttle.wait_seconds(reading, name, address, now)
        found = None
        if not wait:
            found = reading.execute(
                select(User.id, User.password_hash, User.active).where(User.username == name)
            ).first()
        reading.rollback()
    anonymous = Actor(None, name, "", None, frozenset(), address)
    if wait:
        audit.record_outside_transaction(
            factory,
            anonymous,
            "login",
            _entity(attempt.kind),
            outcome="throttled",
            detail={"retry_after_seconds": wait},
        )
        raise LoginThrottled(wait)
    ok = verify_password(found.password_hash if found else None, attempt.password)
    with factory() as session, session.begin():
        if found is None or not ok or not found.active:
            wait = throttle.record_failure(session, policy, name, address, now)
            audit.record(session, anonymous, "login", _entity(attempt.kind), outcome="failed")
            failed = True
        else:
            failed = False
            throttle.clear_account(session, name)
            user = session.get(User, found.id)
            assert user is not None
            issued = issue_token(session, user, kind=attempt.kind, lifetime=attempt.lifetime)
            audit.record(
                session, actor_for(user, address), "login", _entity(attempt.kind), issued.token.id
            )
    if failed:
        raise NotAuthenticated("the username or password is not right")
    return issued


def policy_from(settings: object) -> throttle.Policy:
    return throttle.Policy(
        account_failures=getattr(settings, "login_account_failures", 5),
        address_failures=getattr(settings, "login_address_failures", 30),
        max_delay_seconds=getattr(settings, "login_max_delay_seconds", 900),
    )
