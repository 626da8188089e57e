"""Log in and out of the web pages."""

from __future__ import annotations

import hmac
from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from spinepath.accounts import service as accounts
from spinepath.api.deps import anonymous_work, client_address
from spinepath.audit import service as audit
from spinepath.context import Actor
from spinepath.web.forms import form_data
from spinepath.web.render import page
from spinepath.web.session import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    new_login_csrf,
    safe_next,
    set_cookie,
)

router = APIRouter()


def _login_page(request: Request, next_path: str, error: str | None, status: int) -> Response:
    csrf = new_login_csrf()
    response = page(
        request,
        "login.html",
        {"next": next_path, "error": error, "csrf_token": csrf},
        status_code=status,
    )
    set_cookie(request, response, LOGIN_CSRF_COOKIE, csrf, max_age=3600)
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    return _login_page(request, safe_next(next), None, 200)


@router.post("/login")
async def login(request: Request) -> Response:
    data = await form_data(request)
    next_path = safe_next(data.get("next"))
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, data.get("csrf_token", "")):
        return _login_page(request, next_path, "The form expired. Please try again.", 400)
    username = data.get("username", "").strip()
    settings = request.app.state.settings
    with anonymous_work(request) as session:
        user = accounts.authenticate(session, username, data.get("password", ""))
        if user is None:
            anonymous = Actor(None, username[:80], "", None, frozenset(), client_address(request))
            audit.record(session, anonymous, "login", "web_session", outcome="failed")
            session.commit()
            return _login_page(request, next_path, "The username or password is not right.", 401)
        issued = accounts.issue_token(
            session, user, kind="session", lifetime=timedelta(hours=settings.session_hours)
        )
        audit.record(
            session, accounts.actor_for(user, client_address(request)), "login", "web_session"
        )
    response = RedirectResponse(next_path, status_code=303)
    set_cookie(request, response, SESSION_COOKIE, issued.secret, settings.session_hours * 3600)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        with anonymous_work(request) as session:
            accounts.revoke_token(session, secret)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
