"""Web sessions: a random secret in an HttpOnly cookie, a CSRF token per session."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

from fastapi import Request, Response
from sqlalchemy.orm import Session

from spinepath.accounts import service as accounts
from spinepath.accounts.models import AuthToken
from spinepath.api.deps import client_address, request_work
from spinepath.context import Actor
from spinepath.errors import DomainError, NotAuthenticated

SESSION_COOKIE = "spinepath_session"
LOGIN_CSRF_COOKIE = "spinepath_login_csrf"


class LoginRequired(DomainError):
    status = 303
    title = "Log in"

    def __init__(self, next_path: str) -> None:
        super().__init__("log in to continue")
        self.location = f"/login?next={quote(next_path)}"


class CsrfRejected(DomainError):
    status = 403
    title = "Form expired"

    def __init__(self) -> None:
        super().__init__("this form expired or did not come from spinepath; reload and try again")


def cookie_secure(request: Request) -> bool:
    setting = request.app.state.settings.cookie_secure
    if setting == "auto":
        return request.url.scheme == "https"
    return setting in {"1", "true", "yes", "on"}


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=cookie_secure(request),
        path="/",
    )


@contextmanager
def web_work(request: Request) -> Iterator[tuple[Session, Actor, AuthToken]]:
    """The request's unit of work as the logged-in user; to the login page when there is none."""
    with request_work(request) as work:
        secret = request.cookies.get(SESSION_COOKIE)
        if not secret:
            raise LoginRequired(_here(request))
        try:
            token = accounts.resolve_token(work.session, secret, kind="session")
        except NotAuthenticated:
            raise LoginRequired(_here(request)) from None
        work.actor = accounts.actor_for(token.user, client_address(request))
        request.state.actor = work.actor
        yield work.session, work.actor, token


def _here(request: Request) -> str:
    path = request.url.path
    return path + (f"?{request.url.query}" if request.url.query else "")


def check_csrf(token: AuthToken, submitted: str | None) -> None:
    expected = token.csrf_token or ""
    if not submitted or not hmac.compare_digest(expected, submitted):
        raise CsrfRejected()


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


def safe_next(target: str | None) -> str:
    """Only same-site paths, so the login form cannot send people elsewhere."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"
