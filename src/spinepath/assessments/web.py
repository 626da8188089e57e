"""Web pages: the consultation form, the assessment panel, the printable payer checklist and
the physician's decision. They call the same service functions as the API."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from spinepath.accounts.roles import Permission, Role
from spinepath.assessments import fields, service
from spinepath.assessments.models import Assessment
from spinepath.assessments.schemas import DECISION_LABELS, DecisionIn, Procedure
from spinepath.clinical.candidacy.patient_rules import pregnancy_rule_for
from spinepath.clinical.errors import InvalidInput, parse_input
from spinepath.clinical.sources import UnknownSource, get_source
from spinepath.context import Actor
from spinepath.episodes.models import Episode
from spinepath.episodes.service import load_episode
from spinepath.errors import DomainError, NotFound
from spinepath.unit_of_work import attempt
from spinepath.web.forms import csrf_from, errors_of
from spinepath.web.render import page
from spinepath.web.session import check_csrf, web_work

router = APIRouter()

ACTION_LABELS = {
    "urgent_surgical_evaluation": "Urgent surgical evaluation",
    "surgical_evaluation": "Surgical evaluation",
    "not_a_candidate": "Not a candidate for vertebral augmentation",
    "obtain_advanced_imaging": "Obtain advanced imaging (MRI or bone scan)",
    "complete_missing_information": "Complete the missing information",
    "continue_conservative_care": "Continue conservative care",
    "refer_for_vertebral_augmentation": "Refer for vertebral augmentation",
}
STATUS_LABELS = {"met": "Met", "not_met": "Not met", "unknown": "Unknown"}
CHECKLIST_LABELS = {
    "documented": "Documented",
    "missing": "Missing",
    "not_met": "Not met",
    "not_applicable": "Not applicable",
}
DATE_SOURCES = {
    service.FROM_FACTS: "recorded in the consultation facts",
    service.CLINIC_TODAY: "today in the clinic's time zone (no date was recorded)",
}


async def _submitted(request: Request) -> dict[str, str | list[str]]:
    """The form's values; a field sent several times (ticked boxes) keeps every value."""
    form = await request.form()
    values: dict[str, str | list[str]] = {}
    for key in form:
        found = [v for v in form.getlist(key) if isinstance(v, str)]
        values[key] = (
            found if key == "conservative_care.modalities" else (found[-1] if found else "")
        )
    return values


def _strings(values: dict[str, str | list[str]]) -> dict[str, str]:
    return {k: v for k, v in values.items() if isinstance(v, str)}


def _text(values: dict[str, str | list[str]], name: str) -> str | None:
    value = values.get(name)
    return value if isinstance(value, str) else None


# --- The consultation form -----------------------------------------------------------------


@router.get("/episodes/{episode_id}/consultation", response_class=HTMLResponse)
def consultation_page(request: Request, episode_id: uuid.UUID) -> Response:
    with web_work(request) as (session, actor, token):
        view = service.get_facts(session, actor, episode_id)
        return _render_consultation(
            request, view.episode, view, token.csrf_token, fields.form_values(view.facts), {}, 200
        )


def _render_consultation(
    request: Request,
    episode: Episode,
    view: service.FactsView,
    csrf: str | None,
    values: dict[str, str | list[str]],
    errors: dict[str, str],
    status: int,
    version: int | None = None,
) -> Response:
    return page(
        request,
        "consultation.html",
        {
            "episode": episode,
            "view": view,
            "version": view.version if version is None else version,
            "groups": fields.GROUPS,
            "fracture_fields": [f for f in fields.FRACTURE_FIELDS if ".sins." not in f.name],
            "sins_fields": fields.SINS_FIELDS,
            "values": values,
            "errors": errors,
            "field_id": fields.field_id,
            "csrf_token": csrf,
            "today": date.today(),
            "not_asked": _not_asked(episode, view),
        },
        status_code=status,
    )


def _not_asked(episode: Episode, view: service.FactsView) -> dict[str, str]:
    """Questions that cannot apply to this patient (by the core's rule), with the reason."""
    recorded = view.facts.get("assessment_date")
    try:
        on = date.fromisoformat(recorded) if isinstance(recorded, str) else date.today()
    except ValueError:
        on = date.today()
    patient = episode.patient
    rule = pregnancy_rule_for(patient.sex, patient.birth_date, on)
    return {"patient.pregnant": rule.rule.text} if rule is not None else {}


@router.post("/episodes/{episode_id}/consultation")
async def save_consultation(request: Request, episode_id: uuid.UUID) -> Response:
    submitted = await _submitted(request)
    with web_work(request) as (session, actor, token):
        check_csrf(token, csrf_from(request, _strings(submitted)))
        episode = load_episode(session, actor, episode_id)
        levels = [f.level for f in episode.fractures]
        facts = fields.facts_from_form(submitted, levels)
        try:
            version = int(_text(submitted, "version") or "")
        except ValueError:
            version = None
        try:
            with attempt(session):
                service.save_facts(session, actor, episode_id, facts, expected_version=version)
                if _text(submitted, "then") == "evaluate":
                    service.evaluate_episode(session, actor, episode_id)
        except (InvalidInput, DomainError) as refused:
            view = service.get_facts(session, actor, episode_id)
            errors = errors_of(refused)
            status = 422 if isinstance(refused, InvalidInput) else refused.status
            return _render_consultation(
                request, view.episode, view, token.csrf_token, submitted, errors, status, version
            )
    if _text(submitted, "then") == "evaluate":
        return RedirectResponse(f"/episodes/{episode_id}/assessment", status_code=303)
    return RedirectResponse(f"/episodes/{episode_id}/consultation?saved=1", status_code=303)


# --- The assessment panel ------------------------------------------------------------------


def _chosen(
    session: Session, actor: Actor, episode_id: uuid.UUID, number: int | None
) -> tuple[Episode, list[Assessment], Assessment | None]:
    assessments = service.list_assessments(session, actor, episode_id)
    episode = session.get(Episode, episode_id)
    assert episode is not None  # list_assessments found it in the actor's clinic
    if number is None:
        return episode, assessments, assessments[0] if assessments else None
    for assessment in assessments:
        if assessment.number == number:
            return episode, assessments, assessment
    raise NotFound("assessment", f"{number} of episode {episode_id}")


def _sources(result: dict[str, Any]) -> dict[str, Any]:
    found = {}
    for source_id in result.get("sources", []):
        try:
            found[source_id] = get_source(source_id)
        except UnknownSource:
            continue
    return found


def _questions(result: dict[str, Any], levels: list[str]) -> list[fields.PathInfo]:
    """Every missing fact, once, as a question: the suggestion's first, then each set's."""
    paths = list(result["recommendation"].get("questions", []))
    for block in result["criteria_sets"].values():
        paths += block.get("missing", [])
    for item in result["contraindications"].get("items", []):
        paths += item.get("missing", [])
    return [fields.describe_path(path, levels) for path in dict.fromkeys(paths)]


def panel_context(
    session: Session, actor: Actor, episode: Episode, assessment: Assessment
) -> dict[str, Any]:
    result = assessment.result
    levels = [f.get("level") or "" for f in (assessment.evaluated_case.get("fractures") or [])]
    return {
        "assessment": assessment,
        "result": result,
        "levels": levels,
        "questions": _questions(result, levels),
        "describe": lambda path: fields.describe_path(path, levels),
        "value_of": lambda path: fields.value_at(assessment.evaluated_case, path),
        "sources": _sources(result),
        "stale": service.facts_changed_since(session, assessment),
        "is_latest": assessment.number == service.latest_number(session, episode.id),
        "date_source": DATE_SOURCES.get(assessment.assessment_date_source, ""),
    }


def _shown(value: Any) -> str:
    if value is None:
        return "unknown"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, list):
        return ", ".join(str(v).replace("_", " ") for v in value) or "none"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_shown(v)}" for k, v in value.items())
    return str(value).replace("_", " ")


def _render_panel(
    request: Request,
    session: Session,
    actor: Actor,
    episode_id: uuid.UUID,
    number: int | None,
    csrf: str | None,
    errors: dict[str, str],
    form: dict[str, str],
    status: int,
    template: str = "assessment.html",
) -> Response:
    episode, assessments, assessment = _chosen(session, actor, episode_id, number)
    context: dict[str, Any] = {
        "episode": episode,
        "assessments": assessments,
        "assessment": assessment,
        "csrf_token": csrf,
        "errors": errors,
        "form": form,
        "shown": _shown,
        "action_labels": ACTION_LABELS,
        "status_labels": STATUS_LABELS,
        "checklist_labels": CHECKLIST_LABELS,
        "decisions": DECISION_LABELS,
        "procedures": list(Procedure),
        "is_physician": Role.PHYSICIAN in actor.roles,
        "can_evaluate": actor.can(Permission.EDIT_PATIENTS),
        "field_id": fields.field_id,
        "criteria_sets": service.criteria_set_choice(session, actor),
        "today": date.today(),
    }
    if assessment is not None:
        context.update(panel_context(session, actor, episode, assessment))
    return page(request, template, context, status_code=status)


@router.get("/episodes/{episode_id}/assessment", response_class=HTMLResponse)
def assessment_page(request: Request, episode_id: uuid.UUID, number: int | None = None) -> Response:
    with web_work(request) as (session, actor, token):
        return _render_panel(
            request, session, actor, episode_id, number, token.csrf_token, {}, {}, 200
        )


@router.get("/episodes/{episode_id}/assessment/checklist", response_class=HTMLResponse)
def checklist_page(request: Request, episode_id: uuid.UUID, number: int | None = None) -> Response:
    with web_work(request) as (session, actor, token):
        return _render_panel(
            request,
            session,
            actor,
            episode_id,
            number,
            token.csrf_token,
            {},
            {},
            200,
            "assessment_checklist.html",
        )


@router.post("/episodes/{episode_id}/assessments")
async def evaluate(request: Request, episode_id: uuid.UUID) -> Response:
    submitted = await _submitted(request)
    with web_work(request) as (session, actor, token):
        check_csrf(token, csrf_from(request, _strings(submitted)))
        try:
            with attempt(session):
                service.evaluate_episode(session, actor, episode_id)
        except InvalidInput as invalid:
            return _render_panel(
                request,
                session,
                actor,
                episode_id,
                None,
                token.csrf_token,
                errors_of(invalid),
                {},
                422,
            )
    return RedirectResponse(f"/episodes/{episode_id}/assessment", status_code=303)


@router.post("/episodes/{episode_id}/assessment/decision")
async def decide(request: Request, episode_id: uuid.UUID) -> Response:
    form = _strings(await _submitted(request))
    with web_work(request) as (session, actor, token):
        check_csrf(token, csrf_from(request, form))
        number = _number_of(session, actor, episode_id, form.get("assessment_id", ""))
        raw = {k: form[k].strip() for k in ("decision", "procedure", "rationale") if form.get(k)}
        try:
            with attempt(session):
                decision = parse_input(DecisionIn, {**raw, "rationale": raw.get("rationale", "")})
                service.record_decision(session, actor, uuid.UUID(form["assessment_id"]), decision)
        except InvalidInput as invalid:
            return _render_panel(
                request,
                session,
                actor,
                episode_id,
                number,
                token.csrf_token,
                errors_of(invalid),
                form,
                422,
            )
    return RedirectResponse(f"/episodes/{episode_id}/assessment#decision", status_code=303)


def _number_of(session: Session, actor: Actor, episode_id: uuid.UUID, given: str) -> int:
    """The number of the assessment a form names, which must be one of this episode's."""
    try:
        assessment = session.get(Assessment, uuid.UUID(given))
    except ValueError:
        assessment = None
    if (
        assessment is None
        or assessment.clinic_id != actor.clinic_id
        or assessment.episode_id != episode_id
    ):
        raise NotFound("assessment", given)
    return assessment.number
