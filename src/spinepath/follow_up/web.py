"""Web pages: an episode's follow-up, the patient's questionnaire, the letter, the report."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel

from spinepath.api.deps import anonymous_work, client_address
from spinepath.clinical.errors import FieldError, InvalidInput, parse_input
from spinepath.clinical.follow_up.schedule import BASELINE, local_date
from spinepath.context import Actor
from spinepath.errors import DomainError, NotFound
from spinepath.follow_up import (
    charts,
    clinical_events,
    fracture_liaison,
    links,
    outcomes,
    patient_text,
    plans,
    records,
    reports,
    summary,
)
from spinepath.follow_up.schemas import (
    Complication,
    ContactUpdate,
    EventIn,
    EventKind,
    LiaisonUpdate,
    OutcomeIn,
    PatientAnswersIn,
    PlanIn,
    RescheduleIn,
)
from spinepath.store.base import utc_now
from spinepath.unit_of_work import attempt
from spinepath.web.forms import csrf_from, form_data, parse_form
from spinepath.web.render import page
from spinepath.web.session import check_csrf, web_work

router = APIRouter()

ODI_SECTIONS = 10
RMDQ_ITEMS = 24
MEDICINES = (
    "alendronate",
    "risedronate",
    "ibandronate",
    "zoledronate",
    "denosumab",
    "teriparatide",
    "abaloparatide",
    "romosozumab",
    "raloxifene",
    "other",
)


# ── answers from a form ──────────────────────────────────────────────────────────────────────


def answers_from_form(data: dict[str, str]) -> dict[str, Any]:
    """NRS, the ten ODI parts and the 24 RMDQ statements from form fields. A part left blank or
    skipped is unanswered; an instrument with no answer at all is left out."""
    answers: dict[str, Any] = {}
    if data.get("nrs", "").strip() != "":
        answers["nrs"] = _number(data["nrs"])
    odi_raw = [data.get(f"odi_{n}", "").strip() for n in range(1, ODI_SECTIONS + 1)]
    if any(value not in ("", "skip") for value in odi_raw):
        answers["odi_sections"] = [
            None if value in ("", "skip") else _number(value) for value in odi_raw
        ]
    rmdq_raw = [data.get(f"rmdq_{n}", "").strip() for n in range(1, RMDQ_ITEMS + 1)]
    if any(rmdq_raw):
        answers["rmdq_items"] = [
            True if value == "yes" else False if value == "no" else None for value in rmdq_raw
        ]
    return answers


def _number(text: str) -> int | str:
    stripped = text.strip()
    return int(stripped) if stripped.lstrip("-").isdigit() else stripped


def form_field(error: FieldError) -> str:
    """``odi_sections.2`` → ``odi_3``; ``rmdq_items.0`` → ``rmdq_1``; others unchanged."""
    for prefix, name in (("odi_sections.", "odi_"), ("rmdq_items.", "rmdq_")):
        if error.field.startswith(prefix):
            index = error.field[len(prefix) :].split(".")[0]
            if index.isdigit():
                return f"{name}{int(index) + 1}"
    return error.field


def _errors(refused: Exception) -> dict[str, str]:
    if isinstance(refused, InvalidInput):
        found: dict[str, str] = {}
        for error in refused.errors:
            found.setdefault(form_field(error), error.message)
        return found
    if isinstance(refused, DomainError):
        return {"form": refused.detail}
    return {"form": str(refused)}


def _status(refused: Exception) -> int:
    return 422 if isinstance(refused, InvalidInput) else getattr(refused, "status", 400)


# ── the episode's follow-up page ─────────────────────────────────────────────────────────────


def _chart(view: summary.EpisodeFollowUp) -> Any:
    points = view.trajectory
    if not points:
        return None
    return charts.line_chart(
        "trajectory-chart",
        "Pain and disability over time",
        "Pain (0-10, shown times 10) and ODI (%) at each time point: "
        + "; ".join(
            f"{p.label}: pain {p.record.nrs if p.record.nrs is not None else 'none'}, ODI "
            f"{p.record.odi_tenths / 10 if p.record.odi_tenths is not None else 'none'}"
            for p in points
        ),
        [p.label for p in points],
        [
            charts.Series(
                "Pain (NRS × 10)",
                [None if p.record.nrs is None else p.record.nrs * 10.0 for p in points],
                "series-pain",
            ),
            charts.Series(
                "ODI (%)",
                [None if p.record.odi_tenths is None else p.record.odi_tenths / 10 for p in points],
                "series-odi",
            ),
        ],
        y_max=100,
        y_label="score",
    )


def _render(
    request: Request,
    session: Any,
    actor: Actor,
    episode_id: uuid.UUID,
    csrf: str | None,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    message: str | None = None,
    new_link: str | None = None,
    status: int = 200,
) -> Response:
    view = summary.episode_follow_up(session, actor, episode_id)
    points = ["baseline", *[c.contact.code for c in view.contacts]]
    recorded = {p.time_point for p in view.trajectory}
    return page(
        request,
        "follow_up_episode.html",
        {
            "view": view,
            "episode": view.episode,
            "chart": _chart(view),
            "csrf_token": csrf,
            "errors": errors or {},
            "form": form or {},
            "message": message or request.query_params.get("done"),
            "new_link": new_link,
            "time_points": [p for p in points if p not in recorded],
            "all_time_points": points,
            "labels": {BASELINE: "Baseline"}
            | {c.contact.code: c.contact.label for c in view.contacts},
            "odi_topics": patient_text.ODI_TOPICS,
            "rmdq_items": RMDQ_ITEMS,
            "event_kinds": list(EventKind),
            "complications": list(Complication),
            "medicines": MEDICINES,
            "today": date.today(),
        },
        status_code=status,
    )


@router.get("/episodes/{episode_id}/follow-up", response_class=HTMLResponse)
def follow_up_page(request: Request, episode_id: uuid.UUID) -> Response:
    with web_work(request) as (session, actor, token):
        return _render(request, session, actor, episode_id, token.csrf_token)


def _back(episode_id: uuid.UUID, done: str, anchor: str) -> Response:
    query = urlencode({"done": done})
    return RedirectResponse(f"/episodes/{episode_id}/follow-up?{query}#{anchor}", status_code=303)


async def _post(
    request: Request,
    episode_id: uuid.UUID,
    action: Any,
    done: str,
    anchor: str,
    prefix: str = "",
) -> Response:
    data = await form_data(request)
    with web_work(request) as (session, actor, token):
        check_csrf(token, csrf_from(request, data))
        try:
            with attempt(session):
                action(session, actor, data)
        except (InvalidInput, DomainError) as refused:
            if isinstance(refused, NotFound):
                raise
            errors = {f"{prefix}{k}": v for k, v in _errors(refused).items()}
            return _render(
                request,
                session,
                actor,
                episode_id,
                token.csrf_token,
                errors=errors,
                form=data,
                status=_status(refused),
            )
    return _back(episode_id, done, anchor)


@router.post("/episodes/{episode_id}/follow-up/plan")
async def start_plan(request: Request, episode_id: uuid.UUID) -> Response:
    def action(session: Any, actor: Actor, data: dict[str, str]) -> None:
        plan = parse_form(PlanIn, data, ("kind", "anchor_date"))
        plans.create_plan(session, actor, episode_id, plan, now=None)

    return await _post(request, episode_id, action, "Follow-up plan started", "contacts")


@router.post("/episodes/{episode_id}/follow-up/outcomes")
async def record_outcome(request: Request, episode_id: uuid.UUID) -> Response:
    def action(session: Any, actor: Actor, data: dict[str, str]) -> None:
        raw: dict[str, Any] = {
            k: data[k] for k in ("time_point", "method", "collected_on") if data.get(k)
        }
        raw.update(answers_from_form(data))
        outcomes.record_outcome(session, actor, episode_id, parse_input(OutcomeIn, raw))

    return await _post(request, episode_id, action, "Answers recorded", "trajectory")


@router.post("/episodes/{episode_id}/follow-up/link")
async def make_link(request: Request, episode_id: uuid.UUID) -> Response:
    data = await form_data(request)
    with web_work(request) as (session, actor, token):
        check_csrf(token, csrf_from(request, data))
        try:
            with attempt(session):
                point = data.get("time_point", "")
                link, secret = links.create_link(session, actor, episode_id, point)
        except (InvalidInput, DomainError) as refused:
            errors = {f"link_{k}": v for k, v in _errors(refused).items()}
            return _render(
                request, session, actor, episode_id, token.csrf_token, errors=errors,
                form=data, status=_status(refused),
            )  # fmt: skip
        base = request.app.state.settings.public_url.rstrip("/")
        session.flush()
        return _render(
            request,
            session,
            actor,
            episode_id,
            token.csrf_token,
            new_link=f"{base}/q/{secret}",
            message=f"Personal link made for {link.time_point}; it is shown only once",
        )


@router.post("/episodes/{episode_id}/follow-up/events")
async def record_event(request: Request, episode_id: uuid.UUID) -> Response:
    def action(session: Any, actor: Actor, data: dict[str, str]) -> None:
        event = parse_form(
            EventIn, data, ("kind", "occurred_on", "level", "complication", "description")
        )
        clinical_events.record_event(session, actor, episode_id, event)

    return await _post(request, episode_id, action, "Event recorded", "events", "event_")


@router.post("/episodes/{episode_id}/follow-up/liaison")
async def update_liaison(request: Request, episode_id: uuid.UUID) -> Response:
    fields = (
        "version",
        "fracture_date",
        "dxa_date",
        "treatment_start_date",
        "medicine",
        "adherence_checked_on",
        "still_on_treatment",
        "falls_assessed_on",
        "usual_doctor_name",
        "usual_doctor_address",
    )

    def action(session: Any, actor: Actor, data: dict[str, str]) -> None:
        raw = {k: data[k].strip() for k in fields if data.get(k, "").strip() != ""}
        if raw.get("still_on_treatment") not in (None, "yes", "no"):
            raw["still_on_treatment"] = "unknown"
        elif "still_on_treatment" in raw:
            raw["still_on_treatment"] = raw["still_on_treatment"] == "yes"  # type: ignore[assignment]
        fracture_liaison.update_liaison(session, actor, episode_id, parse_input(LiaisonUpdate, raw))

    return await _post(request, episode_id, action, "Bone health saved", "liaison", "liaison_")


@router.post("/follow-up/contacts/{contact_id}/reschedule")
async def reschedule(request: Request, contact_id: uuid.UUID) -> Response:
    episode_id = _episode_of_contact(request, contact_id)

    def action(session: Any, actor: Actor, data: dict[str, str]) -> None:
        change = parse_form(RescheduleIn, data, ("due_date", "reason", "version"))
        plans.reschedule_contact(session, actor, contact_id, change)

    prefix = f"c{contact_id.hex[:8]}_"
    return await _post(request, episode_id, action, "Contact moved", "contacts", prefix)


@router.post("/follow-up/contacts/{contact_id}/status")
async def contact_status(request: Request, contact_id: uuid.UUID) -> Response:
    episode_id = _episode_of_contact(request, contact_id)

    def action(session: Any, actor: Actor, data: dict[str, str]) -> None:
        change = parse_form(ContactUpdate, data, ("status", "version"))
        plans.set_contact_status(session, actor, contact_id, change)

    return await _post(request, episode_id, action, "Contact updated", "contacts")


@router.post("/follow-up/contacts/{contact_id}/remind")
async def remind(request: Request, contact_id: uuid.UUID) -> Response:
    episode_id = _episode_of_contact(request, contact_id)

    def action(session: Any, actor: Actor, data: dict[str, str]) -> None:
        summary.send_reminder_now(session, actor, contact_id)

    return await _post(request, episode_id, action, "Reminder email queued", "contacts")


def _episode_of_contact(request: Request, contact_id: uuid.UUID) -> uuid.UUID:
    with web_work(request) as (session, actor, _):
        return plans.load_contact(session, actor, contact_id).episode_id


# ── the letter to the usual doctor ───────────────────────────────────────────────────────────


@router.get("/episodes/{episode_id}/fracture-liaison/letter", response_class=HTMLResponse)
def letter(request: Request, episode_id: uuid.UUID) -> Response:
    with web_work(request) as (session, actor, _):
        liaison = fracture_liaison.mark_letter_printed(session, actor, episode_id)
        episode = records.load_episode(session, actor, episode_id)
        _, indicators = fracture_liaison.get_liaison(session, actor, episode_id)
        return page(
            request,
            "follow_up_letter.html",
            {
                "episode": episode,
                "patient": episode.patient,
                "liaison": liaison,
                "indicators": indicators,
                "clinic_name": _clinic_name(session, actor),
                "today": local_date(utc_now(), ZoneInfo(actor.clinic_time_zone)),
            },
        )


def _clinic_name(session: Any, actor: Actor) -> str:
    from spinepath.accounts.models import Clinic

    clinic = session.get(Clinic, actor.clinic_id)
    return clinic.name if clinic else ""


# ── the patient's questionnaire (no login: the link is the credential) ───────────────────────


def _questionnaire(
    request: Request,
    token: str,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
    clinic: str = "",
) -> Response:
    return page(
        request,
        "questionnaire.html",
        {
            "token": token,
            "text": patient_text,
            "errors": errors or {},
            "form": form or {},
            "rmdq_items": RMDQ_ITEMS,
            "clinic_name": clinic,
        },
        status_code=status,
    )


def _gone(request: Request, reason: str, status: int) -> Response:
    message = patient_text.GONE_TEXT.get(reason, patient_text.NOT_FOUND_TEXT)
    return page(request, "questionnaire_closed.html", {"message": message}, status_code=status)


PATIENT_MESSAGES = {
    "nrs": "Please pick a number from 0 to 10.",
    "odi": "Please pick a number from 0 to 5, or skip this part.",
    "rmdq": "Please pick Yes or No.",
}


def patient_errors(invalid: InvalidInput) -> dict[str, str]:
    """Field names for the form, in words a patient can follow."""
    found: dict[str, str] = {}
    for error in invalid.errors:
        name = form_field(error)
        if name == "odi_sections":
            found[name] = "Please answer at least 9 of the 10 parts, or skip them all."
        elif name.startswith("rmdq"):
            found[name] = PATIENT_MESSAGES["rmdq"]
        elif name.startswith("odi"):
            found[name] = PATIENT_MESSAGES["odi"]
        elif name == "nrs" and "at least one" in error.message:
            found["form"] = "Please answer at least the pain question."
        else:
            found[name] = PATIENT_MESSAGES.get(name, "Please check this answer.")
    return found


@router.get("/q/{token}", response_class=HTMLResponse)
def questionnaire(request: Request, token: str) -> Response:
    with anonymous_work(request) as session:
        try:
            link = links.open_link(session, token, client_address(request))
        except links.LinkGone as gone:
            return _gone(request, gone.reason, 410)
        except NotFound:
            return _gone(request, "unknown", 404)
        clinic = _clinic_of(session, link.clinic_id)
    return _questionnaire(request, token, clinic=clinic)


@router.post("/q/{token}")
async def answer(request: Request, token: str) -> Response:
    data = await form_data(request)
    with anonymous_work(request) as session:
        try:
            with attempt(session):
                link = links.resolve_link(session, token, utc_now())
                clinic = _clinic_of(session, link.clinic_id)
                answers = parse_input(PatientAnswersIn, answers_from_form(data))
                links.submit_link_answers(session, token, answers, client_address(request))
        except links.LinkGone as gone:
            return _gone(request, gone.reason, 410)
        except NotFound:
            return _gone(request, "unknown", 404)
        except InvalidInput as invalid:
            return _questionnaire(
                request,
                token,
                errors=patient_errors(invalid),
                form=data,
                status=422,
                clinic=clinic,
            )
    return page(request, "questionnaire_closed.html", {"message": patient_text.THANK_YOU})


def _clinic_of(session: Any, clinic_id: uuid.UUID) -> str:
    from spinepath.accounts.models import Clinic

    clinic = session.get(Clinic, clinic_id)
    return clinic.name if clinic else ""


# ── the outcome report ───────────────────────────────────────────────────────────────────────


def _report_filters(
    date_from: str, date_to: str, physician: str, procedure: str
) -> reports.ReportFilters:
    raw = {
        k: v
        for k, v in {
            "date_from": date_from,
            "date_to": date_to,
            "physician_id": physician,
        }.items()
        if v
    }
    parsed = parse_input(_ReportQuery, raw)
    return reports.ReportFilters(
        parsed.date_from, parsed.date_to, parsed.physician_id, procedure or None
    )


class _ReportQuery(BaseModel):
    date_from: date | None = None
    date_to: date | None = None
    physician_id: uuid.UUID | None = None


def report_charts(report: reports.OutcomeReport) -> dict[str, Any]:
    rows = report.time_points
    found: dict[str, Any] = {}
    if rows:
        found["pain"] = charts.line_chart(
            "pain-chart",
            "Pain (NRS 0-10) at each time point: median and interquartile range",
            "; ".join(
                f"{r.label}: median {r.pain.median}, IQR {r.pain.q1} to {r.pain.q3}, n {r.pain.n}"
                for r in rows
            ),
            [r.label for r in rows],
            [
                charts.Series(
                    "Median pain",
                    [r.pain.median for r in rows],
                    "series-pain",
                    low=[r.pain.q1 for r in rows],
                    high=[r.pain.q3 for r in rows],
                )
            ],
            y_max=10,
            y_label="NRS",
        )
        found["odi"] = charts.line_chart(
            "odi-chart",
            "ODI (%) at each time point: median and interquartile range",
            "; ".join(
                f"{r.label}: median {r.odi.median}, IQR {r.odi.q1} to {r.odi.q3}, n {r.odi.n}"
                for r in rows
            ),
            [r.label for r in rows],
            [
                charts.Series(
                    "Median ODI",
                    [r.odi.median for r in rows],
                    "series-odi",
                    low=[r.odi.q1 for r in rows],
                    high=[r.odi.q3 for r in rows],
                )
            ],
            y_max=100,
            y_label="ODI %",
        )
    if report.months:
        months = report.months
        found["rates"] = charts.line_chart(
            "rates-chart",
            "Rates by month follow-up started",
            "; ".join(
                f"{m.month}: DXA within 12 weeks {m.dxa.percent} %, follow-up completed "
                f"{m.completion.percent} %, new fracture {m.new_fracture.percent} %"
                for m in months
            ),
            [m.month for m in months],
            [
                charts.Series("DXA in 12 weeks %", [m.dxa.percent for m in months], "series-dxa"),
                charts.Series(
                    "Follow-up done %", [m.completion.percent for m in months], "series-done"
                ),
                charts.Series(
                    "New fracture %", [m.new_fracture.percent for m in months], "series-fracture"
                ),
            ],
            y_max=100,
            y_label="%",
        )
    return found


@router.get("/reports/outcomes", response_class=HTMLResponse)
def report_page(
    request: Request,
    date_from: str = Query(default=""),
    date_to: str = Query(default=""),
    physician: str = Query(default=""),
    procedure: str = Query(default=""),
) -> Response:
    with web_work(request) as (session, actor, token):
        form = {
            "date_from": date_from,
            "date_to": date_to,
            "physician": physician,
            "procedure": procedure,
        }
        try:
            with attempt(session):
                filters = _report_filters(date_from, date_to, physician, procedure)
                found = reports.outcome_report(session, actor, filters)
        except InvalidInput as invalid:
            return page(
                request,
                "follow_up_report.html",
                {
                    "report": None,
                    "errors": {e.field: e.message for e in invalid.errors},
                    "form": form,
                    "procedure_options": reports.procedure_options(),
                    "physicians": [],
                    "csrf_token": token.csrf_token,
                },
                status_code=422,
            )
        query = urlencode({k: v for k, v in form.items() if v})
        return page(
            request,
            "follow_up_report.html",
            {
                "report": found,
                "charts": report_charts(found),
                "errors": {},
                "form": form,
                "procedure_options": found.procedure_options,
                "physicians": found.physicians,
                "csv_url": "/reports/outcomes.csv" + (f"?{query}" if query else ""),
                "kind_labels": reports.PLAN_KIND_LABELS,
                "csrf_token": token.csrf_token,
            },
        )


@router.get("/reports/outcomes.csv")
def report_csv(
    request: Request,
    date_from: str = Query(default=""),
    date_to: str = Query(default=""),
    physician: str = Query(default=""),
    procedure: str = Query(default=""),
) -> Response:
    with web_work(request) as (session, actor, _):
        filters = _report_filters(date_from, date_to, physician, procedure)
        text = reports.csv_text(reports.outcome_report(session, actor, filters))
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="outcome-report.csv"'},
    )
