"""The API's way into a unit of work: the request's transaction and its authenticated actor."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import Request
from fastapi.security import HTTPBearer
from sqlalchemy.orm import Session

from spinepath.accounts import service as accounts
from spinepath.context import Actor
from spinepath.errors import FieldError, InvalidInput, NotAuthenticated
from spinepath.unit_of_work import UnitOfWork

bearer_scheme = HTTPBearer(auto_error=False, description="A token from POST /api/v1/auth/token")

_IF_MATCH = re.compile(r'^\s*(?:W/)?"v(\d+)"\s*$')


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def request_work(request: Request) -> UnitOfWork:
    """A unit of work for this request; a refusal is audited with the request's method and path."""
    return UnitOfWork(
        request.app.state.session_factory,
        origin=request.url.path,
        action=request.method.lower(),
    )


@contextmanager
def api_work(request: Request) -> Iterator[tuple[Session, Actor]]:
    """The request's unit of work, as the bearer of its token."""
    with request_work(request) as work:
        work.actor = _bearer_actor(request, work.session)
        request.state.actor = work.actor
        yield work.session, work.actor


@contextmanager
def anonymous_work(request: Request) -> Iterator[Session]:
    """The request's unit of work before anyone has logged in (login, personal links)."""
    with request_work(request) as work:
        yield work.session


def _bearer_actor(request: Request, session: Session) -> Actor:
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise NotAuthenticated("send an Authorization: Bearer token (POST /api/v1/auth/token)")
    token = accounts.resolve_token(session, secret.strip(), kind="api")
    return accounts.actor_for(token.user, client_address(request))


def if_match_version(request: Request) -> int | None:
    """The version in an If-Match header like "v3"; None when the header is absent."""
    header = request.headers.get("if-match")
    if header is None:
        return None
    match = _IF_MATCH.match(header)
    if match is None:
        raise InvalidInput([FieldError("If-Match", 'use the ETag you were given, like "v3"')])
    return int(match.group(1))


def etag(version: int) -> str:
    return f'"v{version}"'
