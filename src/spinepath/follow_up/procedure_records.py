"""Procedure figures read from the procedure-day records, when that package is present.

Read-only, through the ``ProcedureRecords`` interface: volumes by technique and treated level,
episodes with cement leakage at any level, episodes with any procedural complication.
"""

from __future__ import annotations

import importlib
import uuid
from types import ModuleType
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from spinepath.follow_up.procedure_data import (
    EpisodeFilter,
    ProcedureRecords,
    ProcedureSummary,
    ProcedureVolume,
)


class ProcedureDayRecords:
    def __init__(self, models: ModuleType, techniques: list[str]) -> None:
        self.record = models.ProcedureRecord
        self.level = models.ProcedureLevel
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


def load() -> ProcedureRecords | None:
    """The procedure-day records, or None when that package is not installed."""
    try:
        models = importlib.import_module("spinepath.procedures.models")
        vocabulary = importlib.import_module("spinepath.clinical.procedure.record")
    except ModuleNotFoundError:
        return None
    if not hasattr(models, "ProcedureRecord") or not hasattr(models, "ProcedureLevel"):
        return None
    techniques = list(getattr(vocabulary, "TECHNIQUES", {"vertebroplasty": "", "kyphoplasty": ""}))
    return ProcedureDayRecords(models, techniques)
