"""Web pages: the worklist and the episode page (timeline, tasks, fractures, moves)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.routing import Match

from spinepath.accounts.roles import Permission, Role
from spinepath.clinical.errors import InvalidInput
from spinepath.clinical.procedure import alerts as alert_rules
from spinepath.context import Actor
from spinepath.episodes import pathway, service
from spinepath.episodes.models import Episode
from spinepath.episodes.pathway import Stage
from spinepath.episodes.schemas import FractureIn, TaskUpdate, TransitionIn
from spinepath.episodes.summary import EpisodeSummary, Link, episode_summary
from spinepath.episodes.worklist import SORT_KEYS, SORT_VALUES, WorklistFilters, worklist
from spinepath.errors import DomainError
from spinepath.paging import MAX_PAGE
from spinepath.store.base import utc_now
from spinepath.unit_of_work import attempt
from spinepath.web.forms import csrf_from, errors_of, form_data, parse_form, status_of
from spinepath.web.render import page
from spinepath.web.session import check_csrf, web_work

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def worklist_page(
    request: Request,
    stage: list[str] = Query(default=[]),
    mine: bool = False,
    owner_role: str = "",
    overdue: bool = False,
    q: str = Query(default="", max_length=100),
    page_number: int = Query(default=1, ge=1, le=MAX_PAGE, alias="page"),
    sort: str = Query(default="due", max_length=20),
) -> Response:
    stages = tuple(Stage(s) for s in stage if s in Stage.__members__.values())
    sort = sort if sort in SORT_VALUES else "due"  # as with the stages: an unknown one is ignored
    with web_work(request) as (session, actor, token):
        if not actor.can(Permission.READ_PATIENTS) and actor.can(Permission.READ_AUDIT):
            return RedirectResponse("/admin/audit", status_code=303)  # administrators' home
        filters = WorklistFilters(
            stages=stages,
            assignee_id=actor.user_id if mine else None,
            owner_role=owner_role if owner_role in Role.__members__.values() else None,
            overdue_only=overdue,
            text=q or None,
            page=page_number,
            sort=sort,
        )
        found = worklist(session, actor, filters)
        labels = dict(SORT_OPTIONS)
        context = {
            "found": found,
            "prev_url": _page_url(request, found.page - 1) if found.page > 1 else None,
            "next_url": _page_url(request, found.page + 1) if found.page < found.pages else None,
            "stages": list(Stage),
            "roles": list(Role),
            "selected_stages": {s.value for s in stages},
            "mine": mine,
            "owner_role": filters.owner_role or "",
            "overdue": overdue,
            "q": q,
            "csrf_token": token.csrf_token,
            "today": found.today,
            "sort": sort,
            "sort_options": SORT_OPTIONS,
            "sort_label": labels.get(sort, ""),
            "sort_urls": {key: _sort_url(request, key, sort) for key in SORT_KEYS},
            "news2_colour": _news2_colour,
        }
        template = "_worklist_table.html" if request.headers.get("hx-request") else "worklist.html"
        return page(request, template, context)


SORT_OPTIONS: tuple[tuple[str, str], ...] = (
    ("due", "Next task due"),
    ("appointment", "Next appointment"),
    ("-news2", "Latest NEWS2, highest first"),
    ("name", "Name"),
    ("-age", "Age, oldest first"),
    ("age", "Age, youngest first"),
    ("level", "Level, from the top of the spine"),
    ("stage_entered", "Longest in the stage"),
)


def _sort_url(request: Request, key: str, current: str) -> str:
    """A column header's link: sorted by the column, or the other way if it already is."""
    wanted = f"-{key}" if current == key else key
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("sort", "page")]
    return "/?" + urlencode([*params, ("sort", wanted)])


def _news2_colour(risk: str | None) -> str:
    try:
        return alert_rules.colour_of(risk) if risk else "green"
    except KeyError:
        return "green"


def _page_url(request: Request, number: int) -> str:
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
    return "/?" + urlencode([*params, ("page", str(number))])


@router.get("/episodes/{episode_id}", response_class=HTMLResponse)
def episode_page(request: Request, episode_id: uuid.UUID) -> Response:
    with web_work(request) as (session, actor, token):
        episode = service.get_episode(session, actor, episode_id)
        return _render_episode(request, session, actor, episode, token.csrf_token, {}, None, 200)


def _render_episode(
    request: Request,
    session: Session,
    actor: Actor,
    episode: Episode,
    csrf: str | None,
    errors: dict[str, str],
    message: str | None,
    status: int,
    form: dict[str, str] | None = None,
) -> Response:
    stage = Stage(episode.stage)
    following = pathway.next_main_stage(stage)
    now = utc_now()
    today = now.astimezone(ZoneInfo(actor.clinic_time_zone)).date()
    summary = _with_pages_that_exist(
        request,
        episode_summary(session, actor, episode, today=today, now=now),
    )
    return page(
        request,
        "episode.html",
        {
            "episode": episode,
            "stage": stage,
            "next_stage": following,
            "allowed": pathway.allowed_transitions(stage),
            "moves": service.move_options(session, actor, episode),
            "reason_required": pathway.REASON_REQUIRED,
            "terminal": stage in pathway.TERMINAL,
            "csrf_token": csrf,
            "errors": errors,
            "message": message,
            "form": form or {},
            "today": today,
            "summary": summary,
            "age": _age(episode.patient.birth_date, today),
            "etiologies": ["osteoporotic", "neoplastic", "traumatic", "unknown"],
        },
        status_code=status,
    )


def _with_pages_that_exist(request: Request, summary: EpisodeSummary) -> EpisodeSummary:
    """A provider's link to a page this service does not serve is left out, never shown broken."""

    def served(link: Link) -> bool:
        path = link.href.split("#", 1)[0].split("?", 1)[0]
        if not path:
            return True  # a place on this page
        scope = {"type": "http", "path": path, "method": "GET"}
        return any(route.matches(scope)[0] is Match.FULL for route in request.app.router.routes)

    blocks = [
        replace(block, links=tuple(link for link in block.links if served(link)))
        for block in summary.blocks
    ]
    timeline = [
        entry if entry.link is None or served(entry.link) else replace(entry, link=None)
        for entry in summary.timeline
    ]
    return replace(summary, blocks=blocks, timeline=timeline)


def _age(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


@router.post("/episodes/{episode_id}/transition")
async def transition(request: Request, episode_id: uuid.UUID) -> Response:
    data = await form_data(request)
    with web_work(request) as (session, actor, token):
        check_csrf(token, csrf_from(request, data))
        try:
            with attempt(session):
                fields = ("to_stage", "reason", "version", "event_date", "override_reason")
                change = parse_form(TransitionIn, data, fields)
                episode = service.transition_episode(session, actor, episode_id, change)
        except (InvalidInput, DomainError) as refused:
            episode = service.get_episode(session, actor, episode_id)
            errors = errors_of(refused)
            return _render_episode(
                request,
                session,
                actor,
                episode,
                token.csrf_token,
                errors,
                None,
                status_of(refused),
                data,
            )
        label = pathway.STAGE_LABELS[Stage(episode.stage)]
    return RedirectResponse(f"/episodes/{episode_id}?moved={label}#timeline", status_code=303)


@router.post("/episodes/{episode_id}/fractures")
async def add_fracture(request: Request, episode_id: uuid.UUID) -> Response:
    data = await form_data(request)
    with web_work(request) as (session, actor, token):
        check_csrf(token, csrf_from(request, data))
        try:
            with attempt(session):
                fields = ("level", "onset_date", "etiology", "notes")
                fracture = parse_form(FractureIn, data, fields)
                service.add_fracture(session, actor, episode_id, fracture)
        except (InvalidInput, DomainError) as refused:
            episode = service.get_episode(session, actor, episode_id)
            errors = {f"fracture_{k}": v for k, v in errors_of(refused).items()}
            return _render_episode(
                request,
                session,
                actor,
                episode,
                token.csrf_token,
                errors,
                None,
                status_of(refused),
                data,
            )
    return RedirectResponse(f"/episodes/{episode_id}#fractures", status_code=303)


@router.post("/tasks/{task_id}/status")
async def task_status(request: Request, task_id: uuid.UUID) -> Response:
    data = await form_data(request)
    with web_work(request) as (session, actor, token):
        check_csrf(token, csrf_from(request, data))
        change = parse_form(TaskUpdate, data, ("status", "version"))
        task = service.update_task(session, actor, task_id, change)
        episode_id = task.episode_id
    return RedirectResponse(f"/episodes/{episode_id}#tasks", status_code=303)
