"""Procedure figures for the outcome report, read from the procedure-day records.

Read-only: volumes by technique and treated level, episodes with cement leakage at any level,
episodes with any procedural complication. The follow-up report reads them through
``PROCEDURE_RECORDS`` and never touches these tables itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from spinepath.clinical.procedure.record import TECHNIQUES
from spinepath.procedures.models import ProcedureLevel, ProcedureRecord

# Given an episode-id column of the provider's table, a condition true when that episode is in
# the report's cohort (a correlated EXISTS: cheap per procedure record).
EpisodeFilter = Callable[[Any], Any]


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


class ProcedureDayRecords:
    record = ProcedureRecord
    level = ProcedureLevel

    def __init__(self, techniques: list[str]) -> None:
        self.techniques = techniques

    def procedure_types(self) -> list[str]:
        return list(self.techniques)

    def has_procedure(self, procedure: str, episode_id: Any) -> Any:
        return exists(
            select(self.record.id)
            .join(self.level, self.level.record_id == self.record.id)
            .where(self.record.episode_id == episode_id, self.level.technique == procedure)
        )

    def summary(
        self, session: Session, clinic_id: uuid.UUID | None, in_cohort: EpisodeFilter
    ) -> ProcedureSummary:
        record, level = self.record, self.level
        in_cohort_rows = and_(record.clinic_id == clinic_id, in_cohort(record.episode_id))
        volumes = [
            ProcedureVolume(technique, name, count)
            for technique, name, count in session.execute(
                select(level.technique, level.level, func.count())
                .join(record, record.id == level.record_id)
                .where(in_cohort_rows)
                .group_by(level.technique, level.level)
                .order_by(level.technique, func.min(level.level_order))
            )
        ]
        with_record = (
            session.scalar(select(func.count()).select_from(record).where(in_cohort_rows)) or 0
        )
        leakage = session.scalar(
            select(func.count(func.distinct(record.id)))
            .join(level, level.record_id == record.id)
            .where(in_cohort_rows, func.json_array_length(level.leakage) > 0)
        )
        complications = session.scalar(
            select(func.count())
            .select_from(record)
            .where(in_cohort_rows, func.json_array_length(record.complications) > 0)
        )
        return ProcedureSummary(
            episodes_with_record=int(with_record),
            volumes=volumes,
            cement_leakage=int(leakage or 0),
            complications=int(complications or 0),
        )


PROCEDURE_RECORDS = ProcedureDayRecords(list(TECHNIQUES))
