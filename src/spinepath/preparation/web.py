"""Web pages of the preparation planner.

Staff (logged in): the episode's preparation page (the inputs form with help text, the computed
plan with reasons and sources, the review flags, the physician's signature), and the patient's
copies of a signed plan (a phone-friendly page, the PDF, the calendar file).

Everyone (no login, no patient data): the education pages under ``/learn``.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import ChoiceLoader, FileSystemLoader

from spinepath.accounts.roles import Permission, Role
from spinepath.clinical.errors import FieldError, InvalidInput
from spinepath.clinical.preparation import (
    DEFAULT_EDITION,
    DEFAULT_GLP1_GUIDANCE,
    EDITIONS,
    GLP1_GUIDANCES,
)
from spinepath.clinical.preparation.dose_schedule import WEEKDAYS, parse_clock_time
from spinepath.clinical.preparation.labs import DEFAULT_INR_THRESHOLD
from spinepath.clinical.sources import UnknownSource, get_source
from spinepath.errors import DomainError, NotFound
from spinepath.preparation import education, outputs, service
from spinepath.preparation.models import SIGNED, PreparationPlan
from spinepath.store.base import utc_now
from spinepath.unit_of_work import attempt
from spinepath.web.forms import csrf_from, form_data, version_of
from spinepath.web.render import page, templates
from spinepath.web.session import check_csrf, web_work

router = APIRouter()

MIN_MEDICINE_ROWS = 3
MAX_MEDICINE_ROWS = 60
MEDICINE_FIELDS = (
    "name",
    "frequency",
    "dose_times",
    "rxnorm",
    "dose_weekday",
    "indication",
    "dose_intent",
    "route",
    "dose_escalation",
    "gi_symptoms",
)
_CHOICES = {
    "dose_weekday": WEEKDAYS,
    "indication": ("primary_prevention", "secondary_prevention"),
    "dose_intent": ("prophylactic", "therapeutic"),
    "route": ("oral", "subcutaneous", "iv"),
}
_YES_NO = ("dose_escalation", "gi_symptoms")
LAB_FIELDS = ("inr", "platelets_10e9_per_l", "hemoglobin_g_dl", "fibrinogen_mg_dl")
FASTING_HOURS = (
    "solid_food_hours",
    "light_meal_hours",
    "non_human_milk_hours",
    "clear_liquids_hours",
)

# Where each field of the planner's input is entered on the form.
_FORM_FIELD = {
    "procedure_start": "procedure_date",
    "procedure_end": "procedure_end_time",
    "arrival_at": "arrival_time",
    "follow_up_at": "follow_up_date",
    "edition": "edition",
    "creatinine_clearance_ml_min": "creatinine_clearance_ml_min",
    "chronic_liver_disease": "chronic_liver_disease",
    "clinic_policy.inr_threshold": "inr_threshold",
    "clinic_policy.glp1_guidance": "glp1_guidance",
    "clinic_policy.fasting.nothing_by_mouth_after_midnight": "npo_midnight",
    **{f"labs.{name}": name for name in LAB_FIELDS},
    **{f"clinic_policy.fasting.{name}": name for name in FASTING_HOURS},
}
FIELD_LABELS = {
    "procedure_date": "Procedure date",
    "procedure_time": "Procedure start time",
    "procedure_end_time": "Expected end time",
    "arrival_time": "Arrival time",
    "follow_up_date": "Follow-up date",
    "follow_up_time": "Follow-up time",
    "edition": "Bleeding-risk guidance",
    "creatinine_clearance_ml_min": "Creatinine clearance",
    "chronic_liver_disease": "Chronic liver disease",
    "inr": "INR",
    "platelets_10e9_per_l": "Platelets",
    "hemoglobin_g_dl": "Haemoglobin",
    "fibrinogen_mg_dl": "Fibrinogen",
    "inr_threshold": "INR threshold",
    "glp1_guidance": "GLP-1 guidance",
    "npo_midnight": "Nothing by mouth after midnight",
    "solid_food_hours": "Solid food: hours before",
    "light_meal_hours": "Light meal: hours before",
    "non_human_milk_hours": "Milk: hours before",
    "clear_liquids_hours": "Clear liquids: hours before",
    "note": "Note",
    "form": "Form",
}
_MEDICINE_LABELS = {
    "name": "name",
    "frequency": "how often",
    "dose_times": "usual dose times",
    "rxnorm": "RxNorm code",
    "dose_weekday": "weekly dose day",
    "indication": "aspirin taken for",
    "dose_intent": "dose intent",
    "route": "route",
    "dose_escalation": "dose being increased",
    "gi_symptoms": "stomach symptoms",
}


# The planner's defaults, shown as the first choice of a new plan's form.
FORM_DEFAULTS = {
    "edition": DEFAULT_EDITION,
    "inr_threshold": str(DEFAULT_INR_THRESHOLD),
    "glp1_guidance": DEFAULT_GLP1_GUIDANCE,
}


# --- display functions for the templates ------------------------------------------------------


def _local(value: str | None, zone: str, fmt: str = "%a %d %b %Y %H:%M") -> str:
    if not value:
        return ""
    moment = datetime.fromisoformat(value).astimezone(ZoneInfo(zone))
    return moment.strftime(fmt)


def _source_title(source_id: str | None) -> str:
    if not source_id:
        return ""
    try:
        return get_source(source_id).citation
    except UnknownSource:
        return source_id


def _hours(values: list[float] | None) -> str:
    if not values:
        return ""
    low, high = values
    return f"{low:g} h" if low == high else f"{low:g}–{high:g} h"


templates.env.filters["prep_local"] = _local
templates.env.filters["prep_hours"] = _hours
templates.env.globals["prep_source_title"] = _source_title


# --- form <-> stored inputs ---------------------------------------------------------------------


def form_from_inputs(inputs: dict[str, Any], zone: str) -> dict[str, str]:
    """The stored inputs as the form's fields (times in the clinic's zone)."""
    form: dict[str, str] = {}
    start = inputs.get("procedure_start")
    if start:
        form["procedure_date"] = _local(start, zone, "%Y-%m-%d")
        form["procedure_time"] = _local(start, zone, "%H:%M")
    form["procedure_end_time"] = _local(inputs.get("procedure_end"), zone, "%H:%M")
    form["arrival_time"] = _local(inputs.get("arrival_at"), zone, "%H:%M")
    form["follow_up_date"] = _local(inputs.get("follow_up_at"), zone, "%Y-%m-%d")
    form["follow_up_time"] = _local(inputs.get("follow_up_at"), zone, "%H:%M")
    form["edition"] = str(inputs.get("edition") or "")
    form["creatinine_clearance_ml_min"] = _number(inputs.get("creatinine_clearance_ml_min"))
    form["chronic_liver_disease"] = "on" if inputs.get("chronic_liver_disease") else ""
    labs = inputs.get("labs") or {}
    for name in LAB_FIELDS:
        form[name] = _number(labs.get(name))
    policy = inputs.get("clinic_policy") or {}
    form["inr_threshold"] = _number(policy.get("inr_threshold"))
    form["glp1_guidance"] = str(policy.get("glp1_guidance") or "")
    fasting = policy.get("fasting") or {}
    form["npo_midnight"] = "on" if fasting.get("nothing_by_mouth_after_midnight") else ""
    for name in FASTING_HOURS:
        form[name] = _number(fasting.get(name))
    medications = inputs.get("medications") or []
    for row, medicine in enumerate(medications):
        for name in MEDICINE_FIELDS:
            value = medicine.get(name)
            if name == "dose_times":
                text = ", ".join(value or [])
            elif name in _YES_NO:
                text = "" if value is None else ("yes" if value else "no")
            else:
                text = "" if value is None else str(value)
            form[f"med-{row}-{name}"] = text
    form["med_rows"] = str(max(MIN_MEDICINE_ROWS, len(medications) + 1))
    return form


def _number(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _row_count(data: dict[str, str]) -> int:
    try:
        rows = int(data.get("med_rows", ""))
    except ValueError:
        rows = MIN_MEDICINE_ROWS
    return max(MIN_MEDICINE_ROWS, min(rows, MAX_MEDICINE_ROWS))


def _parse_float(data: dict[str, str], name: str, errors: list[FieldError]) -> float | None:
    text = data.get(name, "").strip().replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        errors.append(FieldError(name, "must be a number"))
        return None


def _parse_clock(text: str) -> time | None:
    """ "HH:MM" (browsers may add ":SS") on the 24-hour clock, or None."""
    try:
        return parse_clock_time(re.sub(r"^(\d{1,2}:\d\d):\d\d$", r"\1", text.strip()))
    except ValueError:
        return None


def _local_moment(
    day_text: str, clock_text: str, zone: ZoneInfo, field: str, errors: list[FieldError]
) -> str | None:
    """A local date and time in the clinic's zone as ISO 8601 with its UTC offset."""
    try:
        day = datetime.strptime(day_text.strip(), "%Y-%m-%d").date()
    except ValueError:
        errors.append(FieldError(field, "must be a date (YYYY-MM-DD)"))
        return None
    clock = _parse_clock(clock_text)
    if clock is None:
        errors.append(FieldError(field, "must be a time on the 24-hour clock (HH:MM)"))
        return None
    moment = datetime.combine(day, clock, tzinfo=zone)
    if moment.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != moment.replace(tzinfo=None):
        errors.append(FieldError(field, "this time does not exist on that day (the clocks change)"))
        return None
    return moment.isoformat()


def payload_from_form(
    data: dict[str, str], zone_name: str
) -> tuple[dict[str, Any], list[FieldError], list[int]]:
    """The form as the planner's input; (payload, form errors, form row of each medicine)."""
    zone = ZoneInfo(zone_name)
    errors: list[FieldError] = []
    payload: dict[str, Any] = {}
    day = data.get("procedure_date", "").strip()
    start_clock = data.get("procedure_time", "").strip()
    if not day:
        errors.append(FieldError("procedure_date", "give the date of the procedure"))
    if not start_clock:
        errors.append(FieldError("procedure_time", "give the start time of the procedure"))
    if day and start_clock:
        start = _local_moment(day, start_clock, zone, "procedure_time", errors)
        if start is not None:
            payload["procedure_start"] = start
    for name, key in (("procedure_end_time", "procedure_end"), ("arrival_time", "arrival_at")):
        clock = data.get(name, "").strip()
        if clock and day:
            moment = _local_moment(day, clock, zone, name, errors)
            if moment is not None:
                payload[key] = moment
    follow_day = data.get("follow_up_date", "").strip()
    follow_clock = data.get("follow_up_time", "").strip()
    if follow_day and not follow_clock:
        errors.append(FieldError("follow_up_time", "give the time of the follow-up visit"))
    elif follow_clock and not follow_day:
        errors.append(FieldError("follow_up_date", "give the date of the follow-up visit"))
    elif follow_day:
        moment = _local_moment(follow_day, follow_clock, zone, "follow_up_date", errors)
        if moment is not None:
            payload["follow_up_at"] = moment

    if data.get("edition", "").strip():
        payload["edition"] = data["edition"].strip()
    clearance = _parse_float(data, "creatinine_clearance_ml_min", errors)
    if clearance is not None:
        payload["creatinine_clearance_ml_min"] = clearance
    payload["chronic_liver_disease"] = bool(data.get("chronic_liver_disease"))
    labs = {name: _parse_float(data, name, errors) for name in LAB_FIELDS}
    payload["labs"] = {name: value for name, value in labs.items() if value is not None}
    policy: dict[str, Any] = {}
    threshold = _parse_float(data, "inr_threshold", errors)
    if threshold is not None:
        policy["inr_threshold"] = threshold
    if data.get("glp1_guidance", "").strip():
        policy["glp1_guidance"] = data["glp1_guidance"].strip()
    fasting: dict[str, Any] = {"nothing_by_mouth_after_midnight": bool(data.get("npo_midnight"))}
    for name in FASTING_HOURS:
        hours = _parse_float(data, name, errors)
        if hours is not None:
            fasting[name] = hours
    policy["fasting"] = fasting
    payload["clinic_policy"] = policy

    medications: list[dict[str, Any]] = []
    rows: list[int] = []
    for row in range(_row_count(data)):
        values = {name: data.get(f"med-{row}-{name}", "").strip() for name in MEDICINE_FIELDS}
        if not any(values.values()):
            continue
        medicine: dict[str, Any] = {"name": values["name"]}
        if values["frequency"]:
            medicine["frequency"] = values["frequency"]
        if values["rxnorm"]:
            medicine["rxnorm"] = values["rxnorm"]
        medicine["dose_times"] = [t for t in re.split(r"[,;\s]+", values["dose_times"]) if t]
        for name in _CHOICES:
            if values[name]:
                medicine[name] = values[name]
        for name in _YES_NO:
            if values[name] in ("yes", "no"):
                medicine[name] = values[name] == "yes"
        medications.append(medicine)
        rows.append(row)
    payload["medications"] = medications
    return payload, errors, rows


def form_field(path: str, rows: list[int]) -> str:
    """The form field where an input error of the planner belongs."""
    match = re.fullmatch(r"medications\.(\d+)\.([a-z_]+)(?:\.\d+)?", path)
    if match:
        index = int(match.group(1))
        row = rows[index] if index < len(rows) else index
        return f"med-{row}-{match.group(2)}"
    if path in _FORM_FIELD:
        return _FORM_FIELD[path]
    return "form"


def error_label(name: str) -> str:
    match = re.fullmatch(r"med-(\d+)-([a-z_]+)", name)
    if match:
        return f"Medicine {int(match.group(1)) + 1}: {_MEDICINE_LABELS.get(match.group(2), '')}"
    return FIELD_LABELS.get(name, name.replace("_", " "))


# --- the staff page ---------------------------------------------------------------------------


def _render(
    request: Request,
    episode: Any,
    record: PreparationPlan | None,
    csrf: str | None,
    *,
    form: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
    message: str | None = None,
) -> Response:
    actor = request.state.actor
    form = {**FORM_DEFAULTS, **form}
    rows = _row_count(form)
    return page(
        request,
        "preparation.html",
        {
            "episode": episode,
            "record": record,
            "plan": record.plan if record else None,
            "csrf_token": csrf,
            "form": form,
            "errors": errors,
            "error_labels": {name: error_label(name) for name in errors},
            "message": message,
            "rows": range(rows),
            "row_count": rows,
            "editions": EDITIONS,
            "glp1_guidances": GLP1_GUIDANCES,
            "weekdays": WEEKDAYS,
            "choices": _CHOICES,
            "is_physician": Role.PHYSICIAN in actor.roles,
            "can_edit": actor.can(Permission.EDIT_PATIENTS),
            "signed": record is not None and record.status == SIGNED,
            "open_form": record is None or bool(errors),
        },
        status_code=status,
    )


@router.get("/episodes/{episode_id}/preparation", response_class=HTMLResponse)
def preparation_page(request: Request, episode_id: uuid.UUID) -> Response:
    with web_work(request) as (session, actor, token):
        episode, record = service.find_preparation(session, actor, episode_id)
        form = form_from_inputs(record.inputs, actor.clinic_time_zone) if record else {}
        message = request.query_params.get("done")
        return _render(
            request, episode, record, token.csrf_token, form=form, errors={}, message=message
        )


@router.post("/episodes/{episode_id}/preparation")
async def save_preparation(request: Request, episode_id: uuid.UUID) -> Response:
    data = await form_data(request)
    with web_work(request) as (session, actor, token):
        check_csrf(token, csrf_from(request, data))
        if data.get("action") == "add_row":
            episode, record = service.find_preparation(session, actor, episode_id)
            form = {**data, "med_rows": str(_row_count(data) + 1)}
            return _render(request, episode, record, token.csrf_token, form=form, errors={})
        payload, form_errors, rows = payload_from_form(data, actor.clinic_time_zone)
        errors = {error.field: error.message for error in form_errors}
        status = 422
        if not errors:
            version = version_of(data)
            try:
                with attempt(session):
                    service.save_preparation(
                        session,
                        actor,
                        episode_id,
                        payload if version is None else {**payload, "version": version},
                    )
                return RedirectResponse(
                    f"/episodes/{episode_id}/preparation?done=saved#plan", status_code=303
                )
            except InvalidInput as invalid:
                errors = _planner_errors(invalid, rows)
            except DomainError as refused:
                errors, status = {"form": refused.detail}, refused.status
        else:
            # The planner's own complaints about the other fields: every field named at once.
            try:
                service.validate_episode_input(
                    payload, clinic_zone=actor.clinic_time_zone, now=utc_now()
                )
            except InvalidInput as invalid:
                for name, message in _planner_errors(invalid, rows).items():
                    if name in _PROCEDURE_FIELDS and _PROCEDURE_FIELDS & errors.keys():
                        continue  # the form already said what is wrong with the start
                    errors.setdefault(name, message)
        episode, record = service.find_preparation(session, actor, episode_id)
        return _render(
            request, episode, record, token.csrf_token, form=data, errors=errors, status=status
        )


_PROCEDURE_FIELDS = {"procedure_date", "procedure_time"}


def _planner_errors(invalid: InvalidInput, rows: list[int]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in invalid.errors:
        errors.setdefault(form_field(error.field, rows), error.message)
    return errors


@router.post("/episodes/{episode_id}/preparation/sign")
async def sign_preparation(request: Request, episode_id: uuid.UUID) -> Response:
    data = await form_data(request)
    with web_work(request) as (session, actor, token):
        check_csrf(token, csrf_from(request, data))
        try:
            with attempt(session):
                service.sign_preparation(
                    session,
                    actor,
                    episode_id,
                    expected_version=version_of(data),
                    via_if_match=False,
                    note=data.get("note"),
                )
        except DomainError as refused:
            episode, record = service.find_preparation(session, actor, episode_id)
            form = form_from_inputs(record.inputs, actor.clinic_time_zone) if record else {}
            return _render(
                request,
                episode,
                record,
                token.csrf_token,
                form=form,
                errors={"sign": refused.detail},
                status=refused.status,
            )
    return RedirectResponse(f"/episodes/{episode_id}/preparation?done=signed#plan", status_code=303)


# --- medicine decisions (physicians) --------------------------------------------------------

# This package's own templates, found after the shared ones (they extend "base.html").
if templates.env.loader is not None and not isinstance(templates.env.loader, ChoiceLoader):
    templates.env.loader = ChoiceLoader(
        [templates.env.loader, FileSystemLoader(str(Path(__file__).parent / "templates"))]
    )

DECISION_CHOICES = (
    ("call_patient", "The care team calls the patient"),
    ("hold", "Hold: the last dose and the restart below"),
    ("follow_suggestion", "Follow the other edition's suggestion"),
    ("continue", "Continue as usual"),
    ("skip_dose", "Leave out one dose (below)"),
    ("withdraw", "Withdraw the decision"),
)
# decision field -> (date field, time field) on the form, per action
_DECISION_MOMENTS = {
    "hold": {
        "last_dose_at": ("last_dose_date", "last_dose_time"),
        "restart_at": ("restart_date", "restart_time"),
    },
    "skip_dose": {"skip_dose_at": ("skip_date", "skip_time")},
}
_DECISION_FORM_FIELD = {
    "action": "action",
    "last_dose_at": "last_dose_time",
    "restart_at": "restart_time",
    "skip_dose_at": "skip_time",
    "instructions": "instructions",
    "note": "note",
}
_DECISION_LABELS = {
    "action": "decision",
    "last_dose_date": "last dose date",
    "last_dose_time": "last dose",
    "restart_date": "restart date",
    "restart_time": "restart",
    "skip_date": "date of the dose to leave out",
    "skip_time": "dose to leave out",
    "instructions": "instructions",
    "note": "note",
}


def decision_form(plan: dict[str, Any], zone: str) -> dict[str, str]:
    """The recorded decisions as the decision forms' fields (times in the clinic's zone)."""
    form: dict[str, str] = {}
    for index, medicine in enumerate(plan.get("medications", [])):
        decision = medicine.get("decision") or {}
        prefix = f"d{index}-"
        if decision:
            form[prefix + "action"] = str(decision["action"])
        for moments in _DECISION_MOMENTS.values():
            for name, (day, clock) in moments.items():
                if decision.get(name):
                    form[prefix + day] = _local(decision[name], zone, "%Y-%m-%d")
                    form[prefix + clock] = _local(decision[name], zone, "%H:%M")
        for name in ("instructions", "note"):
            form[prefix + name] = str(decision.get(name) or "")
    return form


def decision_payload(
    data: dict[str, str], index: int, zone_name: str
) -> tuple[dict[str, Any], list[FieldError]]:
    """One medicine's decision form as the service's input: only the chosen action's times."""
    prefix = f"d{index}-"
    errors: list[FieldError] = []
    action = data.get(prefix + "action", "").strip()
    raw: dict[str, Any] = {"action": action}
    for name, (day_field, clock_field) in _DECISION_MOMENTS.get(action, {}).items():
        day, clock = data.get(prefix + day_field, "").strip(), data.get(prefix + clock_field, "")
        if not day and not clock.strip():
            continue
        if not day or not clock.strip():
            missing = day_field if not day else clock_field
            errors.append(FieldError(prefix + missing, "give both the date and the time"))
            continue
        moment = _local_moment(day, clock, ZoneInfo(zone_name), prefix + clock_field, errors)
        if moment is not None:
            raw[name] = moment
    if action != "withdraw":
        for name in ("instructions", "note"):
            text = data.get(prefix + name, "").strip()
            if text:
                raw[name] = text
    version = version_of(data)
    if version is not None:
        raw["version"] = version
    return raw, errors


def _render_decisions(
    request: Request,
    episode: Any,
    record: PreparationPlan,
    csrf: str | None,
    *,
    form: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
    message: str | None = None,
) -> Response:
    actor = request.state.actor
    plan = record.plan
    medications = plan.get("medications", [])
    default_action = [
        str(m["decision"]["action"])
        if m.get("decision")
        else ("follow_suggestion" if m.get("suggestion") else "call_patient")
        for m in medications
    ]
    labels = {
        f"d{index}-{name}": f"{medicine['input']}: {label}"
        for index, medicine in enumerate(medications)
        for name, label in _DECISION_LABELS.items()
    }
    return page(
        request,
        "preparation_decisions.html",
        {
            "episode": episode,
            "record": record,
            "plan": plan,
            "csrf_token": csrf,
            "form": {**decision_form(plan, actor.clinic_time_zone), **form},
            "errors": errors,
            "labels": labels,
            "message": message,
            "actions": DECISION_CHOICES,
            "default_action": default_action,
            "can_decide": actor.can(Permission.SIGN_CLINICAL_DECISIONS),
        },
        status_code=status,
    )


@router.get("/episodes/{episode_id}/preparation/decisions", response_class=HTMLResponse)
def decisions_page(request: Request, episode_id: uuid.UUID) -> Response:
    with web_work(request) as (session, actor, token):
        episode, record = service.find_preparation(session, actor, episode_id)
        if record is None:
            raise NotFound("preparation plan for episode", episode_id)
        message = request.query_params.get("done")
        return _render_decisions(
            request, episode, record, token.csrf_token, form={}, errors={}, message=message
        )


@router.post("/episodes/{episode_id}/preparation/medications/{medicine}/decision")
async def decide_medicine(request: Request, episode_id: uuid.UUID, medicine: int) -> Response:
    data = await form_data(request)
    with web_work(request) as (session, actor, token):
        check_csrf(token, csrf_from(request, data))
        raw, form_errors = decision_payload(data, medicine, actor.clinic_time_zone)
        errors = {error.field: error.message for error in form_errors}
        status = 422
        if not errors:
            try:
                service.decide_medicine(session, actor, episode_id, medicine, raw)
                return RedirectResponse(
                    f"/episodes/{episode_id}/preparation/decisions?done=decided"
                    f"#medicine-{medicine}",
                    status_code=303,
                )
            except InvalidInput as invalid:
                errors = {
                    f"d{medicine}-{_DECISION_FORM_FIELD[e.field]}"
                    if e.field in _DECISION_FORM_FIELD
                    else "form": e.message
                    for e in invalid.errors
                }
            except DomainError as refused:
                errors, status = {"form": refused.detail}, refused.status
        session.rollback()
        episode, record = service.find_preparation(session, actor, episode_id)
        if record is None:
            raise NotFound("preparation plan for episode", episode_id)
        return _render_decisions(
            request, episode, record, token.csrf_token, form=data, errors=errors, status=status
        )


# --- the patient's copies ---------------------------------------------------------------------


@router.get("/episodes/{episode_id}/preparation/patient", response_class=HTMLResponse)
def patient_page(request: Request, episode_id: uuid.UUID) -> Response:
    with web_work(request) as (session, actor, _):
        _, _, document = outputs.patient_document(session, actor, episode_id, "page")
        return page(
            request,
            "preparation_patient.html",
            {"document": document, "episode_id": episode_id},
        )


@router.get("/episodes/{episode_id}/preparation/plan.pdf")
def patient_pdf(request: Request, episode_id: uuid.UUID) -> Response:
    with web_work(request) as (session, actor, _):
        return outputs.pdf_response(session, actor, episode_id)


@router.get("/episodes/{episode_id}/preparation/plan.ics")
def patient_ics(request: Request, episode_id: uuid.UUID) -> Response:
    with web_work(request) as (session, actor, _):
        return outputs.ics_response(session, actor, episode_id)


# --- education (public) -----------------------------------------------------------------------


@router.get("/learn", response_class=HTMLResponse)
def learn_index(request: Request) -> Response:
    return page(request, "learn_index.html", {"pages": education.PAGES})


@router.get("/learn/{slug}", response_class=HTMLResponse)
def learn_page(request: Request, slug: str) -> Response:
    found = education.BY_SLUG.get(slug)
    if found is None:
        raise NotFound("page", slug)
    index = education.PAGES.index(found)
    return page(
        request,
        "learn_page.html",
        {
            "learn": found,
            "previous": education.PAGES[index - 1] if index > 0 else None,
            "following": education.PAGES[index + 1] if index + 1 < len(education.PAGES) else None,
            "disclaimer": education.DISCLAIMER,
            "related": [education.BY_SLUG[slug] for slug in found.see_also],
        },
    )
