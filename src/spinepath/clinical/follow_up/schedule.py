"""Follow-up contact schedules: the defaults, a clinic's own, due dates, windows and overdue.

A contact is due on ``due_date`` and may still happen on any day up to ``window_end`` (the same
day when the source gives no window). It is overdue from the start of the next day in the
clinic's time zone: the clinic's calendar decides, never the server's.

Defaults:
- after vertebral augmentation: a phone check the day after (VERTOS IV measured at one day), a
  visit at 2 weeks that may happen up to 4 weeks (Hirsch 2018: 2-4 weeks), visits at 3 and 12
  months (VERTOS IV; EVOLVE);
- after conservative care: one visit at 2-4 weeks (Hirsch 2018).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from spinepath.clinical.errors import FieldError, InvalidInput, parse_input
from spinepath.clinical.sources.follow_up import EVOLVE_2019, HIRSCH_2018, VERTOS_IV_2018


class PlanKind(StrEnum):
    POST_PROCEDURE = "post_procedure"
    CONSERVATIVE = "conservative"


class ContactMode(StrEnum):
    PHONE = "phone"
    VISIT = "visit"


ContactState = Literal["upcoming", "due", "overdue", "done", "missed", "cancelled"]

BASELINE = "baseline"  # the time point before treatment; never a contact code
ContactCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
MAX_CONTACTS = 12


class ContactTemplate(BaseModel):
    """One contact of a schedule, relative to the day the schedule starts."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    code: ContactCode = Field(description="Stable name of the time point, e.g. month_3")
    label: str = Field(min_length=1, max_length=120)
    mode: ContactMode = Field(strict=False)
    offset_days: int = Field(default=0, ge=0, le=3660)
    offset_months: int = Field(default=0, ge=0, le=120)
    window_days: int = Field(
        default=0, ge=0, le=366, description="Days after the due date the contact may still be made"
    )
    reminder_email: bool = Field(
        default=False, description="Email the patient a link to the questionnaire on the due day"
    )
    source_id: str | None = Field(default=None, description="None: the clinic's own setting")

    @model_validator(mode="after")
    def _one_offset(self) -> ContactTemplate:
        if self.offset_days and self.offset_months:
            raise ValueError("give offset_days or offset_months, not both")
        if not self.offset_days and not self.offset_months:
            raise ValueError("a contact needs an offset of at least one day or one month")
        if self.code == BASELINE:
            raise ValueError("'baseline' is the time point before treatment, not a contact")
        return self


def _row(
    code: str,
    label: str,
    mode: ContactMode,
    source_id: str,
    *,
    days: int = 0,
    months: int = 0,
    window_days: int = 0,
    reminder_email: bool = True,
) -> ContactTemplate:
    return ContactTemplate(
        code=code,
        label=label,
        mode=mode,
        offset_days=days,
        offset_months=months,
        window_days=window_days,
        reminder_email=reminder_email,
        source_id=source_id,
    )


P, V = ContactMode.PHONE, ContactMode.VISIT

DEFAULT_SCHEDULES: dict[PlanKind, tuple[ContactTemplate, ...]] = {
    PlanKind.POST_PROCEDURE: (
        _row("day_1", "Phone check the day after", P, VERTOS_IV_2018, days=1, reminder_email=False),
        _row("week_2", "Visit at 2 weeks (2-4 weeks)", V, HIRSCH_2018, days=14, window_days=14),
        _row("month_3", "Visit at 3 months", V, VERTOS_IV_2018, months=3),
        _row("month_12", "Visit at 12 months", V, EVOLVE_2019, months=12),
    ),
    PlanKind.CONSERVATIVE: (
        _row("week_2_4", "Visit at 2-4 weeks", V, HIRSCH_2018, days=14, window_days=14),
    ),
}


class ScheduleConfig(BaseModel):
    """A clinic's schedules; each list replaces the default for its kind of plan."""

    model_config = ConfigDict(extra="forbid", strict=True)

    post_procedure: list[ContactTemplate] = Field(
        default_factory=lambda: list(DEFAULT_SCHEDULES[PlanKind.POST_PROCEDURE]),
        min_length=1,
        max_length=MAX_CONTACTS,
    )
    conservative: list[ContactTemplate] = Field(
        default_factory=lambda: list(DEFAULT_SCHEDULES[PlanKind.CONSERVATIVE]),
        min_length=1,
        max_length=MAX_CONTACTS,
    )

    def for_kind(self, kind: PlanKind) -> tuple[ContactTemplate, ...]:
        return tuple(self.post_procedure if kind is PlanKind.POST_PROCEDURE else self.conservative)


def parse_schedule_config(raw: object) -> ScheduleConfig:
    """Validate a clinic's schedules; raises InvalidInput naming every bad field."""
    config = parse_input(ScheduleConfig, raw)
    errors: list[FieldError] = []
    for kind in PlanKind:
        seen: set[str] = set()
        for index, row in enumerate(config.for_kind(kind)):
            if row.code in seen:
                errors.append(FieldError(f"{kind.value}.{index}.code", "each code once per plan"))
            seen.add(row.code)
    if errors:
        raise InvalidInput(errors)
    return config


@dataclass(frozen=True)
class PlannedContact:
    sequence: int
    code: str
    label: str
    mode: ContactMode
    due_date: date
    window_end: date
    reminder_email: bool
    source_id: str | None


def add_months(start: date, months: int) -> date:
    """Calendar months, keeping the day of the month or the month's last day (31 Jan + 1 → 28/29
    Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def due_date_for(template: ContactTemplate, start: date) -> date:
    if template.offset_months:
        return add_months(start, template.offset_months)
    return start + timedelta(days=template.offset_days)


def plan_contacts(templates: tuple[ContactTemplate, ...], start: date) -> list[PlannedContact]:
    """The contacts of a schedule starting on ``start`` (the clinic's date of discharge or of the
    decision to treat conservatively), in due-date order."""
    planned = [
        PlannedContact(
            sequence=0,
            code=t.code,
            label=t.label,
            mode=t.mode,
            due_date=due_date_for(t, start),
            window_end=due_date_for(t, start) + timedelta(days=t.window_days),
            reminder_email=t.reminder_email,
            source_id=t.source_id,
        )
        for t in templates
    ]
    planned.sort(key=lambda contact: (contact.due_date, contact.code))
    return [replace(contact, sequence=number) for number, contact in enumerate(planned, start=1)]


def local_date(instant: datetime, zone: tzinfo) -> date:
    if instant.tzinfo is None:
        raise InvalidInput([FieldError("instant", "must be timezone-aware")])
    return instant.astimezone(zone).date()


def start_of_local_day(day: date, zone: tzinfo) -> datetime:
    """Midnight at the start of ``day`` in ``zone`` (as an aware datetime)."""
    return datetime.combine(day, time(0), tzinfo=zone)


def overdue_from(window_end: date, zone: tzinfo) -> datetime:
    """The first moment a contact whose window ends on ``window_end`` is overdue: the start of the
    next day in the clinic's zone."""
    return start_of_local_day(window_end + timedelta(days=1), zone)


def last_moment_of(window_end: date, zone: tzinfo) -> datetime:
    """The last representable moment of the window (what a task's due time is set to)."""
    return overdue_from(window_end, zone) - timedelta(microseconds=1)


def contact_state(
    due: date,
    window_end: date,
    status: Literal["planned", "done", "missed", "cancelled"],
    now: datetime,
    zone: tzinfo,
) -> ContactState:
    """upcoming (before the due day), due (within the window), overdue (the window has passed in
    the clinic's zone), or the recorded outcome."""
    if status != "planned":
        return status
    today = local_date(now, zone)
    if today < due:
        return "upcoming"
    if today <= window_end:
        return "due"
    return "overdue"
