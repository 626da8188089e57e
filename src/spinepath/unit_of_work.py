"""The unit of work: one transaction per use case, its events, and its refusals on record.

Every adapter (API, web page, CLI, worker, demo loader) runs a use case as::

    with UnitOfWork(factory, actor) as work:
        service.do_something(work.session, actor, ...)

- the transaction commits when the block ends and rolls back on any error, so nothing is ever
  half-written;
- events a service publishes (``publish``) are handled at once, inside the same transaction;
- callbacks for outside effects (``after_commit``) run only once the commit has succeeded;
- a refusal (no permission, or a record of another clinic reported as not found) is written to
  the audit trail exactly once, in a transaction of its own, because the work itself rolls back.

Services receive the session; ``publish(session, actor, event)`` finds the unit of work the
session belongs to, so a service never needs to be handed anything else.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from spinepath import events
from spinepath.audit import service as audit
from spinepath.context import Actor
from spinepath.errors import NotFound, PermissionDenied

log = logging.getLogger("spinepath.work")

_KEY = "spinepath.unit_of_work"
_AUDITED = "_spinepath_refusal_audited"

REFUSALS: tuple[type[Exception], ...] = (PermissionDenied, NotFound)


@dataclass(frozen=True)
class AuditedRefusal:
    """How a refusal other than 403/404 is kept on record (a time-out at the wrong level)."""

    action: str
    entity_type: str
    entity_id: object | None
    patient_id: uuid.UUID | None
    detail: dict[str, Any]


def _is_refusal(error: BaseException) -> bool:
    return isinstance(error, REFUSALS) or isinstance(
        getattr(error, "audited", None), AuditedRefusal
    )


class UnitOfWork:
    def __init__(
        self,
        factory: sessionmaker[Session],
        actor: Actor | None = None,
        *,
        origin: str | None = None,
        action: str = "request",
    ) -> None:
        """``origin`` (e.g. the request path) and ``action`` describe a refusal in the audit."""
        self.factory = factory
        self.actor = actor
        self.origin = origin
        self.action = action
        self.published: list[events.DomainEvent] = []
        self._after_commit: list[Callable[[], None]] = []
        # Refusals recorded in this transaction (inside an attempt): kept on record again,
        # outside it, should the whole work roll back after all.
        self._refusals_in_work: list[BaseException] = []
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the unit of work has not started")
        return self._session

    def __enter__(self) -> UnitOfWork:
        self._session = self.factory()
        self._session.info[_KEY] = self
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            if exc is None:
                session.commit()
            else:
                session.rollback()
        finally:
            session.info.pop(_KEY, None)
            session.close()
            self._session = None
        if exc is None:
            self._run_after_commit()
            return
        for refused in self._refusals_in_work:
            self._record_refusal(refused, outside=True)
        if _is_refusal(exc) and exc not in self._refusals_in_work:
            self.audit_refusal(exc)

    def publish(self, actor: Actor, event: events.DomainEvent) -> None:
        """Run every handler of ``event`` now, as ``actor``, in this transaction (a failing
        handler rolls the whole use case back)."""
        self.published.append(event)
        for handler in events.installed_bus().handlers_for(event):
            handler(self.session, actor, event)

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the transaction has committed; never if it rolls back."""
        self._after_commit.append(callback)

    @contextmanager
    def attempt(self) -> Iterator[None]:
        """Part of the work that may be refused, for a page that shows the refusal in place.

        On refusal or invalid input only this part rolls back (a savepoint), with its events
        and after-commit callbacks, and a refusal is audited in the transaction that goes on (a
        second transaction would wait on SQLite's write lock this one holds); the error goes on
        to the caller.
        """
        callbacks = len(self._after_commit)
        published = len(self.published)
        savepoint = self.session.begin_nested()
        try:
            yield
        except BaseException as failed:
            if savepoint.is_active:
                savepoint.rollback()
            del self._after_commit[callbacks:]
            del self.published[published:]
            if _is_refusal(failed) and not getattr(failed, _AUDITED, False):
                setattr(failed, _AUDITED, True)
                self._refusals_in_work.append(failed)
                self._record_refusal(failed, outside=False)
            raise
        else:
            if savepoint.is_active:
                savepoint.commit()

    def audit_refusal(self, refused: BaseException) -> None:
        """Keep a refused attempt on record, once, after its work rolled back."""
        if getattr(refused, _AUDITED, False):
            return
        setattr(refused, _AUDITED, True)
        self._record_refusal(refused, outside=True)

    def _record_refusal(self, refused: BaseException, *, outside: bool) -> None:
        actor = self.actor
        if actor is None:
            return
        described = getattr(refused, "audited", None)
        if isinstance(described, AuditedRefusal):
            action, entity_type, entity_id = (
                described.action,
                described.entity_type,
                described.entity_id,
            )
            patient_id, detail = described.patient_id, dict(described.detail)
        else:
            action = self.action
            entity_type = getattr(refused, "entity", "request")
            entity_id = getattr(refused, "entity_id", None)
            patient_id, detail = None, {"status": getattr(refused, "status", None)}
            if self.origin:
                detail["path"] = self.origin[:500]
        if outside:
            audit.record_outside_transaction(
                self.factory,
                actor,
                action,
                entity_type,
                entity_id,
                patient_id=patient_id,
                outcome="denied",
                detail=detail,
            )
        else:
            audit.record(
                self.session,
                actor,
                action,
                entity_type,
                entity_id,
                patient_id=patient_id,
                outcome="denied",
                detail=detail,
            )

    def _run_after_commit(self) -> None:
        for callback in self._after_commit:
            try:
                callback()
            except Exception:
                # The work is committed; an outside effect that failed must not undo it.
                log.exception("an after-commit callback failed")


def unit_of(session: Session) -> UnitOfWork:
    work = session.info.get(_KEY)
    if not isinstance(work, UnitOfWork):
        raise RuntimeError("this session is not inside a unit of work")
    return work


def publish(session: Session, actor: Actor, event: events.DomainEvent) -> None:
    """Publish ``event`` in the unit of work ``session`` belongs to."""
    unit_of(session).publish(actor, event)


def attempt(session: Session) -> Any:
    """``with attempt(session):`` — see ``UnitOfWork.attempt``."""
    return unit_of(session).attempt()
