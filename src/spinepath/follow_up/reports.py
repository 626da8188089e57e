"""Outcome reports for the quality lead, aggregated in the database.

Every figure comes from GROUP BY queries over indexed columns; no patient row is loaded. Medians
and quartiles are computed from per-value counts (``clinical.follow_up.statistics``), so they
are exact. The cohort is the episodes whose follow-up plan started in the date range (the
clinic's date of discharge or of the decision to treat conservatively).
"""

from __future__ import annotations

import csv
import io
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import Session

from spinepath.accounts.models import User, UserRole
from spinepath.accounts.roles import Permission, Role
from spinepath.audit import service as audit
from spinepath.clinical.errors import FieldError, InvalidInput
from spinepath.clinical.follow_up import kpi as kpis
from spinepath.clinical.follow_up.schedule import BASELINE, PlanKind, local_date
from spinepath.clinical.follow_up.statistics import (
    METHOD,
    Summary,
    percent,
    scaled,
    summarise_counts,
)
from spinepath.clinical.levels import level_index
from spinepath.context import Actor
from spinepath.episodes.reporting import had_gate_override
from spinepath.follow_up.models import (
    FollowUpContact,
    FollowUpEvent,
    FollowUpLevel,
    FollowUpPlan,
    FractureLiaison,
    OutcomeRecord,
)
from spinepath.follow_up.records import NO_PLAN
from spinepath.follow_up.settings import clinic_settings
from spinepath.procedures.reporting import PROCEDURE_RECORDS, EpisodeFilter, ProcedureSummary
from spinepath.store.base import utc_now

PLAN_KIND_LABELS = {
    PlanKind.POST_PROCEDURE.value: "Vertebral augmentation",
    PlanKind.CONSERVATIVE.value: "Conservative care",
}
PROCEDURE_PREFIX = "procedure:"


@dataclass(frozen=True)
class ReportFilters:
    date_from: date | None = None
    date_to: date | None = None
    physician_id: uuid.UUID | None = None
    procedure: str | None = None  # a plan kind, or "procedure:<type>" from procedure records

    def as_detail(self) -> dict[str, str | None]:
        return {
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "physician_id": str(self.physician_id) if self.physician_id else None,
            "procedure": self.procedure,
        }


@dataclass(frozen=True)
class Stat:
    """A median and spread, shown in the measure's unit."""

    n: int
    median: float | None
    q1: float | None
    q3: float | None

    @classmethod
    def of(cls, summary: Summary, divisor: int = 1) -> Stat:
        return cls(
            summary.n,
            scaled(summary.median, divisor),
            scaled(summary.q1, divisor),
            scaled(summary.q3, divisor),
        )


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        return percent(self.numerator, self.denominator)


@dataclass(frozen=True)
class TimePointRow:
    time_point: str
    label: str
    pain: Stat
    pain_change: Stat
    pain_responders: Rate
    odi: Stat
    odi_change: Stat
    odi_responders: Rate


@dataclass(frozen=True)
class KpiRow:
    code: str
    title: str
    met: int
    eligible: int
    pending: int
    no_data: int
    band: str | None
    band_label: str | None
    source_id: str

    @property
    def percent(self) -> float | None:
        return percent(self.met, self.eligible)


@dataclass(frozen=True)
class CompletionRow:
    code: str
    label: str
    done: int
    missed: int
    overdue: int

    @property
    def due(self) -> int:
        return self.done + self.missed + self.overdue

    @property
    def percent(self) -> float | None:
        return percent(self.done, self.due)


@dataclass(frozen=True)
class MonthRow:
    month: str
    episodes: int
    dxa: Rate
    completion: Rate
    new_fracture: Rate


@dataclass
class OutcomeReport:
    filters: ReportFilters
    as_of: date
    episodes: int
    by_kind: dict[str, int]
    levels: list[tuple[str, str, int]]  # (plan kind, level, fractures)
    time_points: list[TimePointRow]
    new_fracture: Rate
    new_fracture_adjacent: int
    complications: Rate
    complications_by_type: dict[str, int]
    readmissions: Rate
    deaths: Rate
    kpis: list[KpiRow]
    completion: list[CompletionRow]
    months: list[MonthRow]
    procedures: ProcedureSummary | None
    # Episodes of the cohort that moved past a stage gate by a physician's override.
    gate_overrides: int = 0
    procedure_options: list[tuple[str, str]] = field(default_factory=list)
    physicians: list[tuple[uuid.UUID, str]] = field(default_factory=list)
    method: str = METHOD

    @property
    def completion_total(self) -> Rate:
        return Rate(sum(r.done for r in self.completion), sum(r.due for r in self.completion))

    @property
    def cement_leakage(self) -> Rate | None:
        if self.procedures is None:
            return None
        return Rate(self.procedures.cement_leakage, self.procedures.episodes_with_record)

    @property
    def procedural_complications(self) -> Rate | None:
        if self.procedures is None:
            return None
        return Rate(self.procedures.complications, self.procedures.episodes_with_record)


def procedure_options() -> list[tuple[str, str]]:
    options = [(kind, label) for kind, label in PLAN_KIND_LABELS.items()]
    options += [
        (f"{PROCEDURE_PREFIX}{name}", name.capitalize())
        for name in PROCEDURE_RECORDS.procedure_types()
    ]
    return options


def check_filters(filters: ReportFilters) -> None:
    errors: list[FieldError] = []
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        errors.append(FieldError("date_to", "must be on or after date_from"))
    if filters.procedure and filters.procedure not in dict(procedure_options()):
        known = ", ".join(code for code, _ in procedure_options())
        errors.append(FieldError("procedure", f"one of: {known}"))
    if errors:
        raise InvalidInput(errors)


def _where(columns: Any, actor: Actor, filters: ReportFilters, kind_column: Any) -> list[Any]:
    """Conditions on a table carrying the cohort columns (clinic, start date, physician, kind)."""
    conditions: list[Any] = [columns.clinic_id == actor.clinic_id]
    if filters.date_from:
        conditions.append(columns.anchor_date >= filters.date_from)
    if filters.date_to:
        conditions.append(columns.anchor_date <= filters.date_to)
    if filters.physician_id:
        conditions.append(columns.physician_id == filters.physician_id)
    if filters.procedure in PLAN_KIND_LABELS:
        conditions.append(kind_column == filters.procedure)
    else:
        conditions.append(kind_column != NO_PLAN)
    if filters.procedure and filters.procedure.startswith(PROCEDURE_PREFIX):
        wanted = filters.procedure[len(PROCEDURE_PREFIX) :]
        conditions.append(PROCEDURE_RECORDS.has_procedure(wanted, columns.episode_id))
    return conditions


def _plans(actor: Actor, filters: ReportFilters) -> list[Any]:
    return _where(FollowUpPlan, actor, filters, FollowUpPlan.kind)


def _cohort(model: Any, actor: Actor, filters: ReportFilters) -> list[Any]:
    return _where(model, actor, filters, model.plan_kind)


def in_cohort(actor: Actor, filters: ReportFilters) -> EpisodeFilter:
    """For procedure records: is this episode (an id column) in the report's cohort?"""

    def test(episode_id: Any) -> Any:
        return exists(
            select(FollowUpPlan.id).where(
                FollowUpPlan.episode_id == episode_id, *_plans(actor, filters)
            )
        )

    return test


def _time_point_order(session: Session, clinic_id: uuid.UUID) -> dict[str, tuple[int, str]]:
    settings = clinic_settings(session, clinic_id).schedules
    order: dict[str, tuple[int, str]] = {BASELINE: (0, "Baseline")}
    for kind in PlanKind:
        for template in settings.for_kind(kind):
            order.setdefault(template.code, (len(order), template.label))
    return order


def outcome_report(
    session: Session,
    actor: Actor,
    filters: ReportFilters,
    *,
    now: datetime | None = None,
) -> OutcomeReport:
    actor.require(Permission.READ_PATIENTS, "read outcome reports")
    assert actor.clinic_id is not None
    check_filters(filters)
    today = local_date(now or utc_now(), ZoneInfo(actor.clinic_time_zone))

    by_kind: dict[str, int] = defaultdict(int)
    by_month: dict[str, int] = defaultdict(int)
    for month, kind, count in session.execute(
        select(FollowUpPlan.anchor_month, FollowUpPlan.kind, func.count())
        .where(*_plans(actor, filters))
        .group_by(FollowUpPlan.anchor_month, FollowUpPlan.kind)
    ):
        by_kind[kind] += count
        by_month[month] += count
    episodes = sum(by_kind.values())
    levels = [
        (kind, level, count)
        for kind, level, count in session.execute(
            select(FollowUpLevel.plan_kind, FollowUpLevel.level, func.count())
            .where(*_cohort(FollowUpLevel, actor, filters))
            .group_by(FollowUpLevel.plan_kind, FollowUpLevel.level)
        )
    ]
    levels.sort(key=lambda row: (row[0], level_index(row[1])))
    events, fractures_by_month = _events(session, actor, filters, episodes)
    kpi_rows, dxa_by_month = _kpis(session, actor, filters, today)
    completion, completion_by_month = _completion(session, actor, filters, today)
    months = [
        MonthRow(
            month=month,
            episodes=count,
            dxa=dxa_by_month.get(month, Rate(0, 0)),
            completion=completion_by_month.get(month, Rate(0, 0)),
            new_fracture=Rate(fractures_by_month.get(month, 0), count),
        )
        for month, count in sorted(by_month.items())
    ]
    report = OutcomeReport(
        filters=filters,
        as_of=today,
        episodes=episodes,
        by_kind=dict(by_kind),
        levels=levels,
        time_points=_time_points(session, actor, filters),
        **events,
        kpis=kpi_rows,
        completion=completion,
        months=months,
        procedures=_procedures(session, actor, filters),
        gate_overrides=_gate_overrides(session, actor, filters),
        procedure_options=procedure_options(),
        physicians=_physicians(session, actor.clinic_id),
    )
    audit.record(session, actor, "read", "outcome_report", detail=filters.as_detail())
    return report


def _gate_overrides(session: Session, actor: Actor, filters: ReportFilters) -> int:
    found = session.scalar(
        select(func.count())
        .select_from(FollowUpPlan)
        .where(*_plans(actor, filters), had_gate_override(FollowUpPlan.episode_id))
    )
    return int(found or 0)


def _time_points(session: Session, actor: Actor, filters: ReportFilters) -> list[TimePointRow]:
    assert actor.clinic_id is not None
    R = OutcomeRecord
    where = _cohort(R, actor, filters)
    nrs: dict[str, dict[int, int]] = defaultdict(dict)
    nrs_change: dict[str, dict[int, int]] = defaultdict(dict)
    nrs_resp: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    odi: dict[str, dict[int, int]] = defaultdict(dict)
    odi_change: dict[str, dict[int, int]] = defaultdict(dict)
    odi_resp: dict[str, list[int]] = defaultdict(lambda: [0, 0])

    def add(table: dict[int, int], key: int, count: int) -> None:
        table[key] = table.get(key, 0) + count

    # Pain, then ODI: each a GROUP BY read in the order of its covering index.
    for point, value, change, responder, count in session.execute(
        select(R.time_point, R.nrs, R.nrs_change, R.nrs_responder, func.count())
        .where(*where, R.nrs.is_not(None))
        .group_by(R.time_point, R.nrs, R.nrs_change, R.nrs_responder)
    ):
        add(nrs[point], cast(int, value), count)
        if change is not None:
            add(nrs_change[point], change, count)
            nrs_resp[point][1] += count
            nrs_resp[point][0] += count if responder else 0
    for point, value, change, responder, count in session.execute(
        select(R.time_point, R.odi_tenths, R.odi_change_tenths, R.odi_responder, func.count())
        .where(*where, R.odi_tenths.is_not(None))
        .group_by(R.time_point, R.odi_tenths, R.odi_change_tenths, R.odi_responder)
    ):
        add(odi[point], cast(int, value), count)
        if change is not None:
            add(odi_change[point], change, count)
            odi_resp[point][1] += count
            odi_resp[point][0] += count if responder else 0
    order = _time_point_order(session, actor.clinic_id)
    rows = []
    for point in sorted(set(nrs) | set(odi), key=lambda p: order.get(p, (len(order), p))):
        rows.append(
            TimePointRow(
                time_point=point,
                label=order.get(point, (0, point))[1],
                pain=Stat.of(summarise_counts(nrs.get(point, {}))),
                pain_change=Stat.of(summarise_counts(nrs_change.get(point, {}))),
                pain_responders=Rate(*nrs_resp[point]) if point in nrs_resp else Rate(0, 0),
                odi=Stat.of(summarise_counts(odi.get(point, {})), divisor=10),
                odi_change=Stat.of(summarise_counts(odi_change.get(point, {})), divisor=10),
                odi_responders=Rate(*odi_resp[point]) if point in odi_resp else Rate(0, 0),
            )
        )
    return rows


def _events(
    session: Session, actor: Actor, filters: ReportFilters, episodes: int
) -> tuple[dict[str, Any], dict[str, int]]:
    E = FollowUpEvent
    counts: dict[str, int] = defaultdict(int)
    fractures_by_month: dict[str, int] = defaultdict(int)
    adjacent = 0
    # An episode's events share its start month, so distinct episodes per month add up.
    for kind, month, distinct_episodes, adjacent_count in session.execute(
        select(
            E.kind,
            E.anchor_month,
            func.count(func.distinct(E.episode_id)),
            func.sum(case((E.adjacent.is_(True), 1), else_=0)),
        )
        .where(*_cohort(E, actor, filters))
        .group_by(E.kind, E.anchor_month)
    ):
        counts[kind] += distinct_episodes
        if kind == "new_vertebral_fracture":
            adjacent += int(adjacent_count or 0)
            fractures_by_month[month] += distinct_episodes
    by_type = {
        complication: count
        for complication, count in session.execute(
            select(E.complication, func.count())
            .where(*_cohort(E, actor, filters), E.kind == "complication")
            .group_by(E.complication)
        )
    }
    figures = {
        "new_fracture": Rate(counts["new_vertebral_fracture"], episodes),
        "new_fracture_adjacent": adjacent,
        "complications": Rate(counts["complication"], episodes),
        "complications_by_type": by_type,
        "readmissions": Rate(counts["readmission"], episodes),
        "deaths": Rate(counts["death"], episodes),
    }
    return figures, dict(fractures_by_month)


def _kpis(
    session: Session, actor: Actor, filters: ReportFilters, today: date
) -> tuple[list[KpiRow], dict[str, Rate]]:
    L = FractureLiaison

    def _sum(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    totals = [0] * 8
    dxa_by_month: dict[str, Rate] = {}
    for month, *figures in session.execute(
        select(
            L.anchor_month,
            _sum(L.dxa_met.is_(True)),
            _sum(L.dxa_met.is_(True) | (L.dxa_deadline < today)),
            _sum(L.treatment_met.is_(True)),
            _sum(L.treatment_met.is_(True) | (L.treatment_deadline < today)),
            _sum(L.adherence_met.is_(True)),
            _sum(L.adherence_checked.is_(True) | (L.adherence_due < today)),
            _sum(L.adherence_checked.is_(False) & (L.adherence_due < today)),
            func.count(),
        )
        .where(*_cohort(L, actor, filters))
        .group_by(L.anchor_month)
    ):
        values = [int(v) for v in figures]
        totals = [a + b for a, b in zip(totals, values, strict=True)]
        dxa_by_month[month] = Rate(values[0], values[1])
    dxa_met, dxa_eligible, tr_met, tr_eligible, ad_met, ad_eligible, ad_no_data, total = totals
    figures_by_code = {
        "dxa_12_weeks": (dxa_met, dxa_eligible, 0),
        "treatment_16_weeks": (tr_met, tr_eligible, 0),
        "on_treatment_52_weeks": (ad_met, ad_eligible, ad_no_data),
    }
    rows = []
    for definition in kpis.KPIS:
        met, eligible, no_data = figures_by_code[definition.code]
        band = kpis.achievement_band(met, eligible)
        rows.append(
            KpiRow(
                code=definition.code,
                title=definition.title,
                met=met,
                eligible=eligible,
                pending=total - eligible,
                no_data=no_data,
                band=band.code if band else None,
                band_label=band.label if band else None,
                source_id=definition.source_id,
            )
        )
    return rows, dxa_by_month


def _completion(
    session: Session, actor: Actor, filters: ReportFilters, today: date
) -> tuple[list[CompletionRow], dict[str, Rate]]:
    """Contacts whose window has passed (or that were recorded): done, missed or overdue."""
    assert actor.clinic_id is not None
    C = FollowUpContact
    counted = C.status.in_(["done", "missed"]) | ((C.status == "planned") & (C.window_end < today))
    figures: dict[str, dict[str, int]] = defaultdict(lambda: {"done": 0, "missed": 0, "planned": 0})
    by_month: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for code, status, month, count in session.execute(
        select(C.code, C.status, C.anchor_month, func.count())
        .where(*_cohort(C, actor, filters), counted)
        .group_by(C.code, C.status, C.anchor_month)
    ):
        figures[code][status] += count
        by_month[month][1] += count
        by_month[month][0] += count if status == "done" else 0
    order = _time_point_order(session, actor.clinic_id)
    rows = [
        CompletionRow(
            code=code,
            label=order.get(code, (0, code))[1],
            done=f["done"],
            missed=f["missed"],
            overdue=f["planned"],
        )
        for code, f in sorted(figures.items(), key=lambda i: order.get(i[0], (len(order), i[0])))
    ]
    return rows, {month: Rate(done, due) for month, (done, due) in by_month.items()}


def _procedures(session: Session, actor: Actor, filters: ReportFilters) -> ProcedureSummary:
    return PROCEDURE_RECORDS.summary(session, actor.clinic_id, in_cohort(actor, filters))


def _physicians(session: Session, clinic_id: uuid.UUID) -> list[tuple[uuid.UUID, str]]:
    return [
        (user_id, name)
        for user_id, name in session.execute(
            select(User.id, User.full_name)
            .join(UserRole, UserRole.user_id == User.id)
            .where(User.clinic_id == clinic_id, UserRole.role == Role.PHYSICIAN.value)
            .order_by(User.full_name)
        )
    ]


CSV_COLUMNS = (
    "section",
    "item",
    "time_point",
    "n",
    "value",
    "median",
    "q1",
    "q3",
    "percent",
    "band",
)


def csv_rows(report: OutcomeReport) -> list[dict[str, Any]]:
    """The report's table, one figure a row (what the CSV export contains)."""
    rows: list[dict[str, Any]] = []

    def add(section: str, item: str, **values: Any) -> None:
        rows.append({"section": section, "item": item, **values})

    add("cohort", "episodes", n=report.episodes)
    for kind, count in sorted(report.by_kind.items()):
        add("volume", PLAN_KIND_LABELS.get(kind, kind), n=count)
    for kind, level, count in report.levels:
        add("volume by level", f"{PLAN_KIND_LABELS.get(kind, kind)} {level}", n=count)
    for tp in report.time_points:
        for item, stat in (
            ("pain (NRS)", tp.pain),
            ("pain change from baseline", tp.pain_change),
            ("ODI (%)", tp.odi),
            ("ODI change from baseline", tp.odi_change),
        ):
            add(
                "outcomes",
                item,
                time_point=tp.time_point,
                n=stat.n,
                median=stat.median,
                q1=stat.q1,
                q3=stat.q3,
            )
        for item, rate in (
            ("pain responders", tp.pain_responders),
            ("ODI responders", tp.odi_responders),
        ):
            add(
                "outcomes",
                item,
                time_point=tp.time_point,
                n=rate.denominator,
                value=rate.numerator,
                percent=rate.percent,
            )
    for item, rate in (
        ("new vertebral fracture", report.new_fracture),
        ("complication", report.complications),
        ("readmission", report.readmissions),
        ("death", report.deaths),
    ):
        add("events", item, n=rate.denominator, value=rate.numerator, percent=rate.percent)
    add("events", "new fracture adjacent to a treated level", value=report.new_fracture_adjacent)
    for name, maybe in (
        ("cement leakage", report.cement_leakage),
        ("procedural complication", report.procedural_complications),
    ):
        if maybe is None:
            add("procedures", name, value="no data")
        else:
            rate = maybe
            add("procedures", name, n=rate.denominator, value=rate.numerator, percent=rate.percent)
    for k in report.kpis:
        add(
            "fracture liaison",
            k.title,
            n=k.eligible,
            value=k.met,
            percent=k.percent,
            band=k.band_label or "",
        )
    for c in report.completion:
        add("completion", c.label, time_point=c.code, n=c.due, value=c.done, percent=c.percent)
    for m in report.months:
        add("by month", "DXA within 12 weeks", time_point=m.month, n=m.dxa.denominator,
            value=m.dxa.numerator, percent=m.dxa.percent)  # fmt: skip
        add("by month", "follow-up completed", time_point=m.month, n=m.completion.denominator,
            value=m.completion.numerator, percent=m.completion.percent)  # fmt: skip
    return [{column: row.get(column, "") for column in CSV_COLUMNS} for row in rows]


def csv_text(report: OutcomeReport) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in csv_rows(report):
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buffer.getvalue()
