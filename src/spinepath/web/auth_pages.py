"""Log in and out of the web pages."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from spinepath.accounts import login as accounts_login
from spinepath.accounts import service as accounts
from spinepath.api.deps import anonymous_work, client_address
from spinepath.api.problems import web_error
from spinepath.errors import NotAuthenticated
from spinepath.web.forms import form_data
from spinepath.web.render import page, templates
from spinepath.web.session import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    CsrfRejected,
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
    settings = request.app.state.settings
    attempt = accounts_login.LoginAttempt(
        data.get("username", ""),
        data.get("password", ""),
        client_address(request),
        "session",
        timedelta(hours=settings.session_hours),
    )
    try:
        # The password check takes a while: never on the event loop.
        issued = await run_in_threadpool(
            accounts_login.log_in,
            request.app.state.engine,
            request.app.state.session_factory,
            accounts_login.policy_from(settings),
            attempt,
        )
    except accounts_login.LoginThrottled as throttled:
        message = (
            "Too many failed attempts. Please wait "
            f"{throttled.retry_after} seconds and try again."
        )
        response = _login_page(request, next_path, message, 429)
        response.headers["Retry-After"] = str(throttled.retry_after)
        return response
    except NotAuthenticated:
        return _login_page(request, next_path, "The username or password is not right.", 401)
    response = RedirectResponse(next_path, status_code=303)
    set_cookie(request, response, SESSION_COOKIE, issued.secret, settings.session_hours * 3600)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


def logout_csrf(request: Request) -> str:
    """The log-out form's CSRF token: a keyed hash of the session cookie, so a page on another
    site cannot know it, and any page can render it without a database read."""
    secret = request.cookies.get(SESSION_COOKIE, "")
    key = request.app.state.settings.secret_key.encode()
    return hmac.new(key, f"logout:{secret}".encode(), hashlib.sha256).hexdigest()


templates.env.globals["logout_csrf"] = logout_csrf


@router.post("/logout")
async def logout(request: Request) -> Response:
    data = await form_data(request)
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        submitted = data.get("logout_token") or ""
        if not hmac.compare_digest(logout_csrf(request), submitted):
            return web_error(request, CsrfRejected())
        with anonymous_work(request) as session:
            accounts.revoke_token(session, secret)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
