"""Login throttling per account and per client address, kept in the database so every server
process sees the same counts.

Each failed login adds one to the account's count and to the address's. Once a count reaches
its allowance, every further attempt must wait: 1 second after the first failure past the
allowance, doubling with each further failure, up to the maximum delay. An attempt made while
it must wait is refused (429 with Retry-After) without the password being checked, and is not
counted. Counts are forgotten a window after the last failure; a successful login clears the
account's count (the address keeps its own).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from spinepath.accounts.models import LoginThrottle

ACCOUNT = "account"
ADDRESS = "address"
# Failures older than this (after the last one) are forgotten.
WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class Policy:
    account_failures: int = 5
    address_failures: int = 30
    max_delay_seconds: int = 900

    def delay_after(self, failures: int, allowance: int) -> float:
        """Seconds the next attempt must wait after ``failures`` failed attempts."""
        if failures < allowance:
            return 0.0
        return float(min(self.max_delay_seconds, 2 ** min(failures - allowance, 30)))

    @property
    def window(self) -> timedelta:
        return max(WINDOW, timedelta(seconds=self.max_delay_seconds))


def _keys(username: str, address: str | None) -> list[tuple[str, str]]:
    keys = [(ACCOUNT, username[:128])]
    if address:
        keys.append((ADDRESS, address[:128]))
    return keys


def wait_seconds(session: Session, username: str, address: str | None, now: datetime) -> int:
    """Whole seconds until the account and the address may try again (0: now)."""
    rows = session.execute(
        select(LoginThrottle.scope, LoginThrottle.key, LoginThrottle.blocked_until).where(
            LoginThrottle.key.in_([key for _, key in _keys(username, address)])
        )
    ).all()
    wanted = set(_keys(username, address))
    waits = [
        (blocked - now).total_seconds()
        for scope, key, blocked in rows
        if (scope, key) in wanted and blocked is not None and blocked > now
    ]
    return math.ceil(max(waits)) if waits else 0


def record_failure(
    session: Session, policy: Policy, username: str, address: str | None, now: datetime
) -> int:
    """Count a failed attempt for the account and the address; the seconds the next must wait."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.last_failed_at < now - policy.window))
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    longest = 0.0
    for scope, key in _keys(username, address):
        allowance = policy.account_failures if scope == ACCOUNT else policy.address_failures
        values = insert(LoginThrottle).values(
            scope=scope, key=key, failures=1, last_failed_at=now, blocked_until=None
        )
        statement = values.on_conflict_do_update(
            index_elements=[LoginThrottle.scope, LoginThrottle.key],
            set_={"failures": LoginThrottle.failures + 1, "last_failed_at": now},
        ).returning(LoginThrottle.id, LoginThrottle.failures)
        row_id, failures = session.execute(statement).one()
        delay = policy.delay_after(failures, allowance)
        if delay:
            session.execute(
                update(LoginThrottle)
                .where(LoginThrottle.id == row_id)
                .values(blocked_until=now + timedelta(seconds=delay))
            )
        longest = max(longest, delay)
    return math.ceil(longest)


def clear_account(session: Session, username: str) -> None:
    session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.scope == ACCOUNT, LoginThrottle.key == username[:128]
        )
    )
