"""Procedure records, read for the outcome report through one small interface.

Follow-up does not own procedure records. When a package provides them, it exposes an object
with this interface as ``PROCEDURE_RECORDS`` in ``spinepath.procedures.reporting`` (or calls
``register``); failing that, the procedure-day records are read directly when that package is
installed (``procedure_records``). The report then shows procedure volumes by type and treated
level, cement-leakage and procedural-complication rates, and offers the procedure types as a
filter. Without any, the report says "no data" for those figures rather than guessing them.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session

# Given an episode-id column of the provider's table, a condition true when that episode is in
# the report's cohort (a correlated EXISTS: cheap per procedure record).
EpisodeFilter = Callable[[Any], Any]

PROVIDER_MODULE = "spinepath.procedures.reporting"


@dataclass(frozen=True)
class ProcedureVolume:
    procedure: str  # e.g. vertebroplasty, kyphoplasty
    level: str  # treated level, e.g. L1
    count: int


@dataclass(frozen=True)
class ProcedureSummary:
    episodes_with_record: int  # episodes of the cohort that have a procedure record
    volumes: list[ProcedureVolume]
    cement_leakage: int  # of those, episodes with cement leakage recorded
    complications: int  # of those, episodes with any procedural complication recorded


class ProcedureRecords(Protocol):
    def procedure_types(self) -> list[str]:
        """The procedure names a report can filter by."""
        ...

    def has_procedure(self, procedure: str, episode_id: Any) -> Any:
        """A condition on an episode-id column: that episode had ``procedure``."""
        ...

    def summary(
        self, session: Session, clinic_id: uuid.UUID | None, in_cohort: EpisodeFilter
    ) -> ProcedureSummary:
        """Figures for the clinic's episodes that ``in_cohort`` accepts."""
        ...


_registered: list[ProcedureRecords] = []


def register(records: ProcedureRecords | None) -> None:
    """Use ``records`` (None: go back to looking for the provider module)."""
    _registered.clear()
    if records is not None:
        _registered.append(records)


def provider() -> ProcedureRecords | None:
    if _registered:
        return _registered[0]
    try:
        module = importlib.import_module(PROVIDER_MODULE)
    except ModuleNotFoundError:
        from spinepath.follow_up import procedure_records

        return procedure_records.load()
    found: ProcedureRecords | None = getattr(module, "PROCEDURE_RECORDS", None)
    return found
