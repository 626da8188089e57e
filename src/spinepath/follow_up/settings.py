"""Clinic follow-up settings: the schedules, link validity and reminder hour a clinic uses."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from spinepath.accounts.models import Clinic
from spinepath.accounts.roles import Permission
from spinepath.audit import service as audit
from spinepath.clinical.errors import FieldError, InvalidInput
from spinepath.clinical.follow_up.schedule import (
    PlanKind,
    ScheduleConfig,
    parse_schedule_config,
)
from spinepath.context import Actor
from spinepath.follow_up.models import (
    FollowUpSettings,
)
from spinepath.follow_up.schemas import (
    SettingsIn,
)
from spinepath.versioning import check_version

DEFAULT_LINK_VALID_DAYS = 14
DEFAULT_REMINDER_HOUR = 9


@dataclass(frozen=True)
class ClinicFollowUp:
    schedules: ScheduleConfig
    link_valid_days: int
    reminder_hour: int
    version: int | None  # None: nothing stored, the defaults apply


def clinic_settings(session: Session, clinic_id: uuid.UUID) -> ClinicFollowUp:
    row = session.scalar(select(FollowUpSettings).where(FollowUpSettings.clinic_id == clinic_id))
    if row is None:
        return ClinicFollowUp(
            ScheduleConfig(), DEFAULT_LINK_VALID_DAYS, DEFAULT_REMINDER_HOUR, None
        )
    return ClinicFollowUp(
        parse_schedule_config(row.schedules), row.link_valid_days, row.reminder_hour, row.version
    )


def update_settings(session: Session, actor: Actor, data: SettingsIn) -> ClinicFollowUp:
    """Clinic administrators set the clinic's schedules (new plans use them)."""
    actor.require(Permission.MANAGE_USERS, "change the clinic's follow-up settings")
    assert actor.clinic_id is not None
    prefixed: list[FieldError] = []
    unknown = set(data.schedules) - {kind.value for kind in PlanKind}
    prefixed += [FieldError(f"schedules.{name}", "not a kind of plan") for name in sorted(unknown)]
    try:
        config = parse_schedule_config(data.schedules)
    except InvalidInput as invalid:
        prefixed += [FieldError(f"schedules.{e.field}", e.message) for e in invalid.errors]
    if prefixed:
        raise InvalidInput(prefixed)
    row = session.scalar(
        select(FollowUpSettings).where(FollowUpSettings.clinic_id == actor.clinic_id)
    )
    stored = config.model_dump(mode="json")
    if row is None:
        row = FollowUpSettings(clinic_id=actor.clinic_id, schedules=stored)
        session.add(row)
    else:
        check_version("follow-up settings", row.version, data.version)
        row.schedules = stored
    row.link_valid_days = data.link_valid_days
    row.reminder_hour = data.reminder_hour
    session.flush()
    audit.record(session, actor, "update", "follow_up_settings", row.id)
    return clinic_settings(session, actor.clinic_id)


def clinic_zone(session: Session, clinic_id: uuid.UUID) -> ZoneInfo:
    clinic = session.get(Clinic, clinic_id)
    return ZoneInfo(clinic.time_zone if clinic else "UTC")
