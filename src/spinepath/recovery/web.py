"""Web pages for recovery: the recovery board (refreshed in place) and one patient's recovery."""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from spinepath.clinical.errors import InvalidInput, parse_input
from spinepath.clinical.instruments import aldrete, padss
from spinepath.clinical.procedure import alerts as alert_rules
from spinepath.clinical.procedure.vitals import BY_FIELD
from spinepath.context import Actor
from spinepath.errors import DomainError, VersionConflict
from spinepath.recovery import board, service
from spinepath.recovery.schemas import (
    AcknowledgeIn,
    AdmissionIn,
    AldreteIn,
    ChecklistIn,
    DischargeIn,
    PadssIn,
)
from spinepath.unit_of_work import attempt
from spinepath.web.forms import (
    csrf_from,
    errors_of,
    first,
    local_to_aware,
    multi_form,
    single_values,
    status_of,
)
from spinepath.web.render import page
from spinepath.web.session import check_csrf, web_work

router = APIRouter()

DEFAULT_REFRESH_SECONDS = 10
WHOLE_NUMBER_FIELDS = (
    "respiratory_rate",
    "spo2_percent",
    "spo2_scale",
    "systolic_bp_mmhg",
    "diastolic_bp_mmhg",
    "pulse_per_min",
)
_INTEGER = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
ALERT_STATUSES = {
    "open": "Open",
    "resolved": "Resolved by a lower score, response not yet recorded",
    "acknowledged": "Acknowledged",
}
CHECKLIST_FLAGS = (
    ("escort_confirmed", "A responsible adult will escort the patient home"),
    ("pain_relief_given", "Pain relief for home given"),
    ("antibiotics_prescribed", "Antibiotics prescribed"),
    ("antibiotics_given", "Antibiotics given"),
    ("instructions_given", "Discharge instructions given"),
    ("follow_up_booked", "Follow-up visit booked"),
)


def _int_or_text(text: str) -> int | str:
    return int(text) if _INTEGER.match(text) else text


def _number_or_text(text: str) -> float | str:
    return float(text) if _NUMBER.match(text) else text


def vitals_from_form(data: dict[str, list[str]], time_zone: str) -> dict[str, Any]:
    """The vitals form as the API's observation input: blanks omitted (so they are named as
    missing), numbers converted when they are numbers, anything else passed on to be named."""
    raw: dict[str, Any] = {"kind": first(data, "kind") or "recovery"}
    if first(data, "observed_at"):
        raw["observed_at"] = local_to_aware(first(data, "observed_at"), time_zone)
    for name in WHOLE_NUMBER_FIELDS:
        if first(data, name):
            raw[name] = _int_or_text(first(data, name))
    if first(data, "temperature_c"):
        raw["temperature_c"] = _number_or_text(first(data, "temperature_c"))
    if first(data, "consciousness"):
        raw["consciousness"] = first(data, "consciousness")
    # No default: an untouched choice is left out, so it is named as missing.
    if first(data, "on_oxygen") in ("true", "false"):
        raw["on_oxygen"] = first(data, "on_oxygen") == "true"
    elif first(data, "on_oxygen"):
        raw["on_oxygen"] = first(data, "on_oxygen")
    return raw


# ---- The board -----------------------------------------------------------------------------------


def _refresh(value: int) -> int:
    return min(max(value, 2), 60)


def _board_context(
    session: Session, actor: Actor, csrf: str | None, refresh: int, message: str | None
) -> dict[str, Any]:
    return {
        "rows": board.board(session, actor),
        "csrf_token": csrf,
        "refresh": refresh,
        "message": message,
        "labels": BY_FIELD,
        "colour_of": alert_rules.colour_of,
        "ack_rules": alert_rules.ACKNOWLEDGEMENT_RULES,
    }


@router.get("/recovery", response_class=HTMLResponse)
def board_page(
    request: Request, refresh: int = Query(default=DEFAULT_REFRESH_SECONDS, ge=1, le=3600)
) -> Response:
    with web_work(request) as (session, actor, token):
        context = _board_context(session, actor, token.csrf_token, _refresh(refresh), None)
        template = (
            "_recovery_board.html" if request.headers.get("hx-request") else "recovery_board.html"
        )
        return page(request, template, context)


@router.post("/alerts/{alert_id}/acknowledge")
async def acknowledge(request: Request, alert_id: uuid.UUID) -> Response:
    data = await multi_form(request)
    htmx = bool(request.headers.get("hx-request"))
    back = first(data, "back")
    with web_work(request) as (session, actor, token):
        check_csrf(token, csrf_from(request, single_values(data)))
        raw: dict[str, Any] = {}
        for name in ("action_taken", "note", "version"):
            if first(data, name):
                raw[name] = first(data, name)
        if first(data, "responder_arrived_at"):
            raw["responder_arrived_at"] = local_to_aware(
                first(data, "responder_arrived_at"), actor.clinic_time_zone
            )
        message = None
        try:
            with attempt(session):
                alert = service.acknowledge_alert(
                    session, actor, alert_id, parse_input(AcknowledgeIn, raw)
                )
                message = f"Alert acknowledged (NEWS2 {alert.news2_total})."
                episode_id = alert.episode_id
        except (InvalidInput, DomainError) as refused:
            stay_on_page = back == "episode" and isinstance(refused, InvalidInput | VersionConflict)
            if not htmx and stay_on_page:
                # Show the refusal beside the alert's form, keeping what was typed.
                shown = service.episode_of_alert(session, actor, alert_id)
                kept = {
                    f"ack_{k}": first(data, k) for k in ("action_taken", "responder_arrived_at")
                }
                return _render(
                    request,
                    session,
                    actor,
                    shown,
                    token.csrf_token,
                    errors_of(refused),
                    {**kept, "ack_alert_id": str(alert_id)},
                    status_of(refused),
                )
            if not htmx:
                raise
            message = "; ".join(errors_of(refused).values())
            episode_id = None
        if htmx:
            refresh = _refresh(int(first(data, "refresh") or DEFAULT_REFRESH_SECONDS))
            context = _board_context(session, actor, token.csrf_token, refresh, message)
            return page(request, "_recovery_board.html", context)
    if back == "episode" and episode_id is not None:
        return RedirectResponse(f"/episodes/{episode_id}/recovery#alerts", status_code=303)
    return RedirectResponse("/recovery", status_code=303)


# ---- One patient's recovery ----------------------------------------------------------------------


def _render(
    request: Request,
    session: Session,
    actor: Actor,
    episode_id: uuid.UUID,
    csrf: str | None,
    errors: dict[str, str],
    form: dict[str, str],
    status: int,
) -> Response:
    view = board.recovery_view(session, actor, episode_id)
    return page(
        request,
        "recovery.html",
        {
            "view": view,
            "episode": view.episode,
            "patient": view.episode.patient,
            "stay": view.stay,
            "csrf_token": csrf,
            "errors": errors,
            "form": form,
            "labels": BY_FIELD,
            "colour_of": alert_rules.colour_of,
            "checklist_flags": CHECKLIST_FLAGS,
            "ack_rules": alert_rules.ACKNOWLEDGEMENT_RULES,
            "alert_statuses": ALERT_STATUSES,
            "aldrete_items": aldrete.ITEMS,
            "padss_items": padss.ITEMS,
            "vitals_kind": "recovery"
            if view.stay is not None and view.stay.status in service.OPEN_STATUSES
            else "baseline",
            "can_baseline": view.stay is None
            and view.episode.stage in {s.value for s in service.BASELINE_STAGES},
        },
        status_code=status,
    )


@router.get("/episodes/{episode_id}/recovery", response_class=HTMLResponse)
def recovery_page(request: Request, episode_id: uuid.UUID) -> Response:
    with web_work(request) as (session, actor, token):
        return _render(request, session, actor, episode_id, token.csrf_token, {}, {}, 200)


async def _act(
    request: Request,
    episode_id: uuid.UUID,
    prefix: str,
    action: Any,
    anchor: str,
) -> Response:
    """Run one form's action; on refusal re-render the page with that form's errors."""
    data = await multi_form(request)
    form = single_values(data)
    with web_work(request) as (session, actor, token):
        check_csrf(token, csrf_from(request, form))
        try:
            with attempt(session):
                outcome = action(session, actor, data)
        except (InvalidInput, DomainError) as refused:
            errors = {f"{prefix}{k}": v for k, v in errors_of(refused).items()}
            # After someone else's change, show what is stored now, not the stale form.
            stale = isinstance(refused, VersionConflict)
            prefixed = {} if stale else {f"{prefix}{k}": v for k, v in form.items()}
            return _render(
                request,
                session,
                actor,
                episode_id,
                token.csrf_token,
                errors,
                prefixed,
                status_of(refused),
            )
    message, tone = outcome if isinstance(outcome, tuple) else (outcome, "success")
    # After an alert, land on it (the alerts come first on the page), not past it.
    where = "alerts" if tone == "danger" else anchor
    return RedirectResponse(
        f"/episodes/{episode_id}/recovery?done={quote(message)}&tone={tone}#{where}",
        status_code=303,
    )


@router.post("/episodes/{episode_id}/recovery/start")
async def start(request: Request, episode_id: uuid.UUID) -> Response:
    def action(session: Session, actor: Actor, _: dict[str, list[str]]) -> str:
        service.start_recovery(session, actor, episode_id)
        return "Received in recovery."

    return await _act(request, episode_id, "start_", action, "vitals")


@router.post("/episodes/{episode_id}/recovery/observations")
async def observations(request: Request, episode_id: uuid.UUID) -> Response:
    def action(session: Session, actor: Actor, data: dict[str, list[str]]) -> tuple[str, str]:
        raw = vitals_from_form(data, actor.clinic_time_zone)
        recorded = service.record_observations(session, actor, episode_id, raw)
        saved = recorded.observation_set
        message = f"Vital signs recorded: NEWS2 {saved.news2_total} ({saved.news2_risk} risk)."
        if recorded.alert is not None:
            return f"{message} Alert raised: {recorded.alert.label}.", "danger"
        # Green only for a low score; any other risk is shown as a warning.
        return message, "success" if saved.news2_risk == "low" else "warning"

    return await _act(request, episode_id, "vitals_", action, "vitals")


def _points(data: dict[str, list[str]], names: tuple[str, ...]) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for name in names:
        text = first(data, name)
        if text:
            raw[name] = _int_or_text(text)
    return raw


@router.post("/episodes/{episode_id}/recovery/aldrete")
async def score_aldrete(request: Request, episode_id: uuid.UUID) -> Response:
    def action(session: Session, actor: Actor, data: dict[str, list[str]]) -> str:
        raw = _points(data, tuple(item.field for item in aldrete.ITEMS))
        score = service.score_aldrete(session, actor, episode_id, parse_input(AldreteIn, raw))
        return f"Modified Aldrete score {score.total}."

    return await _act(request, episode_id, "aldrete_", action, "scores")


@router.post("/episodes/{episode_id}/recovery/padss")
async def score_padss(request: Request, episode_id: uuid.UUID) -> Response:
    def action(session: Session, actor: Actor, data: dict[str, list[str]]) -> str:
        raw = _points(data, tuple(item.field for item in padss.ITEMS))
        score = service.score_padss(session, actor, episode_id, parse_input(PadssIn, raw))
        return f"PADSS {score.total}."

    return await _act(request, episode_id, "padss_", action, "scores")


@router.post("/episodes/{episode_id}/recovery/checklist")
async def checklist(request: Request, episode_id: uuid.UUID) -> Response:
    def action(session: Session, actor: Actor, data: dict[str, list[str]]) -> str:
        raw: dict[str, Any] = {name: first(data, name) == "true" for name, _ in CHECKLIST_FLAGS}
        for name in ("escort_name", "follow_up_note"):
            raw[name] = first(data, name) or None
        interval = first(data, "observation_interval_minutes")
        raw["observation_interval_minutes"] = _int_or_text(interval) if interval else None
        if first(data, "version"):
            raw["version"] = first(data, "version")
        service.update_checklist(session, actor, episode_id, parse_input(ChecklistIn, raw))
        return "Checklist saved."

    return await _act(request, episode_id, "checklist_", action, "readiness")


@router.post("/episodes/{episode_id}/recovery/admission")
async def admission(request: Request, episode_id: uuid.UUID) -> Response:
    def action(session: Session, actor: Actor, data: dict[str, list[str]]) -> str:
        raw: dict[str, Any] = {"reason": first(data, "reason")}
        if first(data, "version"):
            raw["version"] = first(data, "version")
        service.admit_overnight(session, actor, episode_id, parse_input(AdmissionIn, raw))
        return "Admitted overnight."

    return await _act(request, episode_id, "admission_", action, "readiness")


@router.post("/episodes/{episode_id}/recovery/discharge")
async def discharge(request: Request, episode_id: uuid.UUID) -> Response:
    def action(session: Session, actor: Actor, data: dict[str, list[str]]) -> str:
        raw: dict[str, Any] = {}
        if first(data, "version"):
            raw["version"] = first(data, "version")
        service.discharge(session, actor, episode_id, parse_input(DischargeIn, raw))
        return "Discharged."

    return await _act(request, episode_id, "discharge_", action, "readiness")
