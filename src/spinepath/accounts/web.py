"""Web page: the clinic's settings, for administrators."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from spinepath.accounts import service
from spinepath.accounts.roles import Permission
from spinepath.accounts.schemas import ClinicSettingsIn
from spinepath.clinical.errors import parse_input
from spinepath.context import Actor
from spinepath.errors import DomainError, InvalidInput
from spinepath.unit_of_work import attempt
from spinepath.web.forms import (
    csrf_from,
    errors_of,
    form_data,
    shown_again,
    status_of,
    version_of,
)
from spinepath.web.render import page
from spinepath.web.session import check_csrf, web_work

router = APIRouter()

FIELDS = ("phone", "address", "locale", "quiet_hours_start", "quiet_hours_end")


def _render(
    request: Request,
    session: Session,
    actor: Actor,
    csrf: str | None,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    actor.require(Permission.MANAGE_USERS, "change the clinic's settings")
    clinic = service.get_clinic(session, actor)
    current = {name: getattr(clinic, name) or "" for name in FIELDS}
    current["version"] = str(clinic.version)
    return page(
        request,
        "clinic_settings.html",
        {
            "clinic": clinic,
            "csrf_token": csrf,
            "errors": errors or {},
            "form": shown_again(current, form),
        },
        status_code=status,
    )


@router.get("/admin/clinic", response_class=HTMLResponse)
def settings_page(request: Request) -> Response:
    with web_work(request) as (session, actor, token):
        return _render(request, session, actor, token.csrf_token)


@router.post("/admin/clinic")
async def save_settings(request: Request) -> Response:
    data = await form_data(request)
    with web_work(request) as (session, actor, token):
        check_csrf(token, csrf_from(request, data))
        raw: dict[str, object] = {"version": version_of(data)}
        for name in ("phone", "address", "locale"):
            raw[name] = data.get(name, "").strip() or None  # blank clears it
        for name in ("quiet_hours_start", "quiet_hours_end"):
            raw[name] = data.get(name, "").strip()  # blank is refused by name
        try:
            with attempt(session):
                settings = parse_input(ClinicSettingsIn, raw)
                service.update_clinic_settings(session, actor, settings)
        except (InvalidInput, DomainError) as refused:
            return _render(
                request,
                session,
                actor,
                token.csrf_token,
                errors=errors_of(refused),
                form=data,
                status=status_of(refused),
            )
    return RedirectResponse("/admin/clinic?saved=1", status_code=303)
