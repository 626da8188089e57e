"""JSON routes for tokens, the current user, and user management."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from fastapi import APIRouter, Request
from pydantic import BaseModel

from spinepath.accounts import service
from spinepath.accounts.models import User
from spinepath.accounts.schemas import LoginIn, UserIn
from spinepath.api.deps import anonymous_work, api_work, client_address
from spinepath.audit import service as audit
from spinepath.context import Actor
from spinepath.errors import NotAuthenticated

router = APIRouter(tags=["accounts"])


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_at: datetime


class UserOut(BaseModel):
    id: uuid.UUID
    username: str
    full_name: str
    email: str | None
    roles: list[str]
    clinic_id: uuid.UUID
    clinic_name: str
    clinic_time_zone: str


def user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        email=user.email,
        roles=sorted(user.roles),
        clinic_id=user.clinic_id,
        clinic_name=user.clinic.name,
        clinic_time_zone=user.clinic.time_zone,
    )


@router.post("/auth/token", response_model=TokenOut)
def create_token(request: Request, data: LoginIn) -> TokenOut:
    """Exchange a username and password for a bearer token."""
    settings = request.app.state.settings
    with anonymous_work(request) as session:
        user = service.authenticate(session, data.username, data.password)
        if user is None:
            anonymous = Actor(
                None, data.username[:80], "", None, frozenset(), client_address(request)
            )
            audit.record(session, anonymous, "login", "api_token", outcome="failed")
            session.commit()
            raise NotAuthenticated("the username or password is not right")
        issued = service.issue_token(
            session, user, kind="api", lifetime=timedelta(days=settings.api_token_days)
        )
        actor = service.actor_for(user, client_address(request))
        audit.record(session, actor, "login", "api_token", issued.token.id)
        return TokenOut(access_token=issued.secret, expires_at=issued.token.expires_at)


@router.delete("/auth/token", status_code=204)
def revoke_token(request: Request) -> None:
    with api_work(request) as (session, actor):
        secret = request.headers["authorization"].partition(" ")[2].strip()
        service.revoke_token(session, secret)
        audit.record(session, actor, "logout", "api_token")


@router.get("/me", response_model=UserOut)
def me(request: Request) -> UserOut:
    with api_work(request) as (session, actor):
        user = session.get(User, actor.user_id)
        assert user is not None
        return user_out(user)


@router.post("/users", status_code=201, response_model=UserOut)
def create_user(request: Request, data: UserIn) -> UserOut:
    """Administrators add users to their own clinic."""
    with api_work(request) as (session, actor):
        admin = session.get(User, actor.user_id)
        assert admin is not None
        return user_out(service.create_user(session, actor, admin.clinic, data))
