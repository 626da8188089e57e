"""Web pages for procedure day: the time-out screen and the procedure record form."""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from spinepath.clinical.errors import FieldError, InvalidInput, parse_input
from spinepath.clinical.procedure import record as vocabulary
from spinepath.context import Actor
from spinepath.episodes.pathway import Stage
from spinepath.errors import DomainError, VersionConflict
from spinepath.procedures import service
from spinepath.procedures.models import ProcedureRecord, TimeOut
from spinepath.procedures.schemas import PlanIn, RecordIn, TimeOutIn
from spinepath.unit_of_work import attempt
from spinepath.web.forms import (
    csrf_from,
    errors_of,
    first,
    local_input,
    local_to_aware,
    multi_form,
    single_values,
    status_of,
)
from spinepath.web.render import page
from spinepath.web.session import check_csrf, web_work

router = APIRouter()

_SPLIT = re.compile(r"[\s,;]+")
TIME_OUT_CONFIRMATIONS = (
    ("identity_confirmed", "Patient identity checked (name, date of birth, wristband)"),
    ("procedure_confirmed", "Planned procedure and levels read aloud and agreed"),
    ("consent_confirmed", "Signed consent seen"),
    ("labs_reviewed", "Pre-procedure labs reviewed"),
)


def levels_from_text(text: str) -> list[str]:
    return [part for part in _SPLIT.split(text.strip()) if part]


# ---- Time-out ------------------------------------------------------------------------------------


def _render_time_out(
    request: Request,
    session: Session,
    actor: Actor,
    episode_id: uuid.UUID,
    csrf: str | None,
    errors: dict[str, str],
    form: dict[str, Any],
    status: int,
    mismatch: dict[str, Any] | None = None,
) -> Response:
    sheet = service.time_out_sheet(session, actor, episode_id)
    return page(
        request,
        "time_out.html",
        {
            "sheet": sheet,
            "episode": sheet.episode,
            "patient": sheet.episode.patient,
            "csrf_token": csrf,
            "errors": errors,
            "form": form,
            "mismatch": mismatch,
            "confirmations": TIME_OUT_CONFIRMATIONS,
            "techniques": vocabulary.TECHNIQUES,
            "today": date.today(),
            "can_time_out": Stage(sheet.episode.stage) in service.TIME_OUT_STAGES,
            "can_plan": Stage(sheet.episode.stage) in service.PLANNING_STAGES
            and not sheet.time_outs,
        },
        status_code=status,
    )


@router.get("/episodes/{episode_id}/time-out", response_class=HTMLResponse)
def time_out_page(request: Request, episode_id: uuid.UUID) -> Response:
    with web_work(request) as (session, actor, token):
        return _render_time_out(request, session, actor, episode_id, token.csrf_token, {}, {}, 200)


@router.post("/episodes/{episode_id}/procedure-plan")
async def save_plan(request: Request, episode_id: uuid.UUID) -> Response:
    data = await multi_form(request)
    with web_work(request) as (session, actor, token):
        check_csrf(token, csrf_from(request, single_values(data)))
        raw: dict[str, Any] = {
            "technique": first(data, "technique") or None,
            "levels": levels_from_text(first(data, "plan_levels")),
        }
        if first(data, "notes"):
            raw["notes"] = first(data, "notes")
        if first(data, "version"):
            raw["version"] = first(data, "version")
        try:
            with attempt(session):
                service.save_plan(session, actor, episode_id, parse_input(PlanIn, raw))
        except (InvalidInput, DomainError) as refused:
            errors = {f"plan_{k}": v for k, v in errors_of(refused).items()}
            return _render_time_out(
                request,
                session,
                actor,
                episode_id,
                token.csrf_token,
                errors,
                single_values(data),
                status_of(refused),
            )
    return RedirectResponse(f"/episodes/{episode_id}/time-out#time-out-form", status_code=303)


@router.post("/episodes/{episode_id}/time-out")
async def record_time_out(request: Request, episode_id: uuid.UUID) -> Response:
    data = await multi_form(request)
    form = single_values(data)
    with web_work(request) as (session, actor, token):
        check_csrf(token, csrf_from(request, form))
        raw: dict[str, Any] = {
            "levels_to_treat": levels_from_text(first(data, "levels_to_treat")),
            "allergies": first(data, "allergies"),
            "team": first(data, "team"),
            **{name: first(data, name) == "true" for name, _ in TIME_OUT_CONFIRMATIONS},
        }
        for name in ("labs_note", "level_mismatch_reason"):
            if first(data, name):
                raw[name] = first(data, name)
        mismatch = None
        try:
            with attempt(session):
                service.record_time_out(session, actor, episode_id, parse_input(TimeOutIn, raw))
        except service.LevelMismatch as refused:
            mismatch = refused.check.as_dict()
            return _render_time_out(
                request,
                session,
                actor,
                episode_id,
                token.csrf_token,
                errors_of(refused),
                form,
                422,
                mismatch,
            )
        except (InvalidInput, DomainError) as refused:
            return _render_time_out(
                request,
                session,
                actor,
                episode_id,
                token.csrf_token,
                errors_of(refused),
                form,
                status_of(refused),
                {"matches": True} if first(data, "level_mismatch_reason") else None,
            )
    return RedirectResponse(f"/episodes/{episode_id}/procedure?time_out=recorded", status_code=303)


# ---- Procedure record ----------------------------------------------------------------------------


def _level_rows(time_out: TimeOut | None, record: ProcedureRecord | None) -> list[dict[str, Any]]:
    """One form row per level confirmed at the latest time-out, filled from the record."""
    if time_out is None:
        return []
    saved = {level.level: level for level in record.levels} if record else {}
    rows = []
    for index, level in enumerate(time_out.levels_to_treat):
        stored = saved.get(level)
        rows.append(
            {
                "index": index,
                "level": level,
                "treated": stored is not None or record is None,
                "technique": stored.technique if stored else time_out.planned_technique,
                "approach": stored.approach if stored else "",
                "needle": stored.needle if stored and stored.needle else "",
                "balloon": stored.balloon if stored and stored.balloon else "",
                "cement_type": stored.cement_type if stored else "pmma",
                "cement_volume_ml": f"{stored.cement_volume_ml:g}" if stored else "",
                "leakage": list(stored.leakage) if stored else [],
                "no_leakage": stored is not None and not stored.leakage,
            }
        )
    return rows


def _render_procedure(
    request: Request,
    session: Session,
    actor: Actor,
    episode_id: uuid.UUID,
    csrf: str | None,
    errors: dict[str, str],
    submitted: dict[str, list[str]] | None,
    status: int,
) -> Response:
    sheet = service.time_out_sheet(session, actor, episode_id)
    record = sheet.record
    time_zone = actor.clinic_time_zone
    rows = _level_rows(sheet.latest, record)
    if submitted is not None:
        rows = _rows_from_form(submitted, rows)
        errors = _level_errors_by_name(errors, rows)
        form = single_values(submitted)
        complications = submitted.get("complications", [])
        no_complications = first(submitted, "no_complications") == "true"
    else:
        form = {
            "started_at": local_input(
                record.started_at
                if record
                else (sheet.latest.performed_at if sheet.latest else None),
                time_zone,
            ),
            "ended_at": local_input(record.ended_at if record else None, time_zone),
            "sedation": record.sedation if record else "",
            "fluoroscopy_time_min": f"{record.fluoroscopy_time_min:g}" if record else "",
            "air_kerma_mgy": f"{record.air_kerma_mgy:g}"
            if record and record.air_kerma_mgy is not None
            else "",
            "dose_area_product_gy_cm2": f"{record.dose_area_product_gy_cm2:g}"
            if record and record.dose_area_product_gy_cm2 is not None
            else "",
            "complication_details": (record.complication_details or "") if record else "",
            "notes": (record.notes or "") if record else "",
        }
        complications = list(record.complications) if record else []
        no_complications = record is not None and not record.complications
    return page(
        request,
        "procedure.html",
        {
            "sheet": sheet,
            "episode": sheet.episode,
            "patient": sheet.episode.patient,
            "record": record,
            "rows": rows,
            "form": form,
            "complications_checked": complications,
            "no_complications": no_complications,
            "csrf_token": csrf,
            "errors": errors,
            "vocab": vocabulary,
            "stage": Stage(sheet.episode.stage),
            "can_record": Stage(sheet.episode.stage) in service.RECORD_STAGES
            and sheet.latest is not None,
        },
        status_code=status,
    )


def _rows_from_form(data: dict[str, list[str]], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    position = 0
    for row in rows:
        prefix = f"l{row['index']}_"
        treated = first(data, f"{prefix}treated") == "true"
        # Position among the treated levels: the index the record input's errors use.
        row["position"] = position if treated else None
        position += 1 if treated else 0
        row.update(
            {
                "treated": treated,
                "technique": first(data, f"{prefix}technique"),
                "approach": first(data, f"{prefix}approach"),
                "needle": first(data, f"{prefix}needle"),
                "balloon": first(data, f"{prefix}balloon"),
                "cement_type": first(data, f"{prefix}cement_type"),
                "cement_volume_ml": first(data, f"{prefix}cement_volume_ml"),
                "leakage": data.get(f"{prefix}leakage", []),
                "no_leakage": first(data, f"{prefix}no_leakage") == "true",
            }
        )
    return rows


def _level_errors_by_name(errors: dict[str, str], rows: list[dict[str, Any]]) -> dict[str, str]:
    """``levels.1.cement_volume_ml`` becomes ``L2 cement_volume_ml``: the level the nurse sees."""
    names = {row["position"]: row["level"] for row in rows if row.get("position") is not None}
    renamed: dict[str, str] = {}
    for key, message in errors.items():
        parts = key.split(".", 2)
        if len(parts) == 3 and parts[0] == "levels" and parts[1].isdigit():
            level = names.get(int(parts[1]))
            if level is not None:
                renamed[f"{level} {parts[2]}"] = message
                continue
        renamed[key] = message
    return renamed


def _number(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text


def _record_input(
    data: dict[str, list[str]], rows: list[dict[str, Any]], time_zone: str
) -> tuple[dict[str, Any], list[FieldError]]:
    """The form as the API's record input, with the form-only checks (explicit 'none')."""
    errors: list[FieldError] = []
    levels: list[dict[str, Any]] = []
    for row in _rows_from_form(data, rows):
        if not row["treated"]:
            continue
        index = len(levels)
        if row["no_leakage"] and row["leakage"]:
            errors.append(
                FieldError(f"levels.{index}.leakage", "tick 'no leakage' or the sites, not both")
            )
        elif not row["no_leakage"] and not row["leakage"]:
            errors.append(
                FieldError(f"levels.{index}.leakage", "tick where cement leaked, or 'no leakage'")
            )
        level: dict[str, Any] = {
            "level": row["level"],
            "technique": row["technique"] or None,
            "approach": row["approach"] or None,
            "cement_type": row["cement_type"] or None,
            "cement_volume_ml": _number(row["cement_volume_ml"])
            if row["cement_volume_ml"]
            else None,
            "leakage": row["leakage"],
        }
        for name in ("needle", "balloon"):
            if row[name]:
                level[name] = row[name]
        levels.append(level)
    complications = data.get("complications", [])
    if first(data, "no_complications") == "true" and complications:
        errors.append(FieldError("complications", "tick 'none' or the complications, not both"))
    elif first(data, "no_complications") != "true" and not complications:
        errors.append(FieldError("complications", "tick the complications, or 'none'"))
    raw: dict[str, Any] = {
        "levels": levels,
        "started_at": local_to_aware(first(data, "started_at"), time_zone)
        if first(data, "started_at")
        else None,
        "ended_at": local_to_aware(first(data, "ended_at"), time_zone)
        if first(data, "ended_at")
        else None,
        "sedation": first(data, "sedation") or None,
        "fluoroscopy_time_min": _number(first(data, "fluoroscopy_time_min"))
        if first(data, "fluoroscopy_time_min")
        else None,
        "complications": complications,
    }
    for name in ("air_kerma_mgy", "dose_area_product_gy_cm2"):
        if first(data, name):
            raw[name] = _number(first(data, name))
    for name in ("complication_details", "notes"):
        if first(data, name):
            raw[name] = first(data, name)
    if first(data, "version"):
        raw["version"] = first(data, "version")
    return raw, errors


@router.get("/episodes/{episode_id}/procedure", response_class=HTMLResponse)
def procedure_page(request: Request, episode_id: uuid.UUID) -> Response:
    with web_work(request) as (session, actor, token):
        return _render_procedure(
            request, session, actor, episode_id, token.csrf_token, {}, None, 200
        )


@router.post("/episodes/{episode_id}/procedure")
async def save_record(request: Request, episode_id: uuid.UUID) -> Response:
    data = await multi_form(request)
    with web_work(request) as (session, actor, token):
        check_csrf(token, csrf_from(request, single_values(data)))
        sheet = service.time_out_sheet(session, actor, episode_id)
        rows = _level_rows(sheet.latest, sheet.record)
        raw, form_errors = _record_input(data, rows, actor.clinic_time_zone)
        try:
            with attempt(session):
                try:
                    parsed = parse_input(RecordIn, raw)
                except InvalidInput as invalid:
                    raise InvalidInput([*invalid.errors, *form_errors]) from None
                if form_errors:
                    raise InvalidInput(form_errors)
                service.save_record(
                    session, actor, episode_id, parsed, expect_new=sheet.record is None
                )
        except (InvalidInput, DomainError) as refused:
            return _render_procedure(
                request,
                session,
                actor,
                episode_id,
                token.csrf_token,
                errors_of(refused),
                # After someone else's change, show what is stored now, not the stale form.
                None if isinstance(refused, VersionConflict) else data,
                status_of(refused),
            )
    return RedirectResponse(f"/episodes/{episode_id}/procedure?saved=1#codes", status_code=303)
