"""Background imports: received files are spooled to disk and imported one at a time by a
thread of the process that received them, while the client follows the import's status.

An import is saved whole or not at all, so a server that stops mid-import loses nothing it had
saved: the next runner marks such an import failed (after :data:`ABANDONED_AFTER` without
progress) and deletes what it had staged, and the client sends it again.
"""

from __future__ import annotations

import logging
import queue
import shutil
import threading
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from spinepath.context import Actor
from spinepath.fhir import importer, staging
from spinepath.fhir.models import FhirImportJob
from spinepath.fhir.stream import ImportFile
from spinepath.store.base import utc_now
from spinepath.unit_of_work import UnitOfWork

ABANDONED_AFTER = timedelta(minutes=15)
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Work:
    actor: Actor
    job_id: uuid.UUID
    files: list[ImportFile]
    spool: Path


class ImportRunner:
    def __init__(self, factory: sessionmaker[Session], budget_bytes: int) -> None:
        self.factory = factory
        self.budget_bytes = budget_bytes
        self._queue: queue.Queue[_Work] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def enqueue(
        self, actor: Actor, job_id: uuid.UUID, files: list[ImportFile], spool: Path
    ) -> None:
        """Import ``files`` (kept in ``spool``, removed afterwards) in the background."""
        self._queue.put(_Work(actor, job_id, files, spool))
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="fhir-import", daemon=True)
                self._thread.start()

    def wait_idle(self) -> None:
        """Return once every queued import has finished (for an orderly stop)."""
        self._queue.join()

    def _loop(self) -> None:
        fail_abandoned(self.factory)
        while True:
            work = self._queue.get()
            try:
                importer.run(
                    self.factory,
                    work.actor,
                    work.job_id,
                    work.files,
                    budget_bytes=self.budget_bytes,
                )
            except Exception as error:  # the job row says why; nothing of it was saved
                _log.info("background import failed", extra={"reason": type(error).__name__})
            finally:
                shutil.rmtree(work.spool, ignore_errors=True)
                self._queue.task_done()


def fail_abandoned(factory: sessionmaker[Session]) -> int:
    """Mark imports that stopped making progress (their server stopped) as failed."""
    cutoff = utc_now() - ABANDONED_AFTER
    try:
        with UnitOfWork(factory) as work:
            session = work.session
            stale = list(
                session.scalars(
                    select(FhirImportJob).where(
                        FhirImportJob.status.in_(("queued", "reading", "saving")),
                        FhirImportJob.updated_at < cutoff,
                    )
                )
            )
            for job in stale:
                staging.discard(session, job.id)
                job.status = "failed"
                job.finished_at = job.updated_at = utc_now()
                job.errors = [
                    {
                        "field": "(import)",
                        "message": "the server stopped before the import finished; nothing "
                        "was saved: send it again",
                    }
                ]
            return len(stale)
    except Exception:  # a database not yet migrated: nothing to recover
        _log.warning("could not look for abandoned imports")
        return 0
