"""JSON routes for tokens, the current user, the clinic's settings, and user management."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from spinepath.accounts import login, service
from spinepath.accounts.models import Clinic, User
from spinepath.accounts.schemas import ClinicSettingsIn, LoginIn, UserIn
from spinepath.api.deps import api_work, client_address, etag, if_match_version
from spinepath.api.problems import problem
from spinepath.audit import service as audit

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


@router.post(
    "/auth/token",
    response_model=TokenOut,
    responses={
        401: {"description": "The username or password is not right"},
        429: {"description": "Too many failed logins: wait the Retry-After seconds"},
    },
)
def create_token(request: Request, data: LoginIn) -> TokenOut | JSONResponse:
    """Exchange a username and password for a bearer token.

    Failed logins are throttled per account and per client address: past the allowance each
    further attempt must wait (429 with Retry-After), longer after each failure.
    """
    settings = request.app.state.settings
    attempt = login.LoginAttempt(
        data.username,
        data.password,
        client_address(request),
        "api",
        timedelta(days=settings.api_token_days),
    )
    try:
        issued = login.log_in(
            request.app.state.engine,
            request.app.state.session_factory,
            login.policy_from(settings),
            attempt,
        )
    except login.LoginThrottled as throttled:
        return problem(
            429,
            throttled.title,
            throttled.detail,
            headers={"Retry-After": str(throttled.retry_after)},
        )
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


class ClinicOut(BaseModel):
    id: uuid.UUID
    name: str
    slug: str
    time_zone: str
    phone: str | None
    address: str | None
    locale: str | None
    quiet_hours_start: str
    quiet_hours_end: str
    version: int


def clinic_out(clinic: Clinic, response: Response) -> ClinicOut:
    response.headers["ETag"] = etag(clinic.version)
    return ClinicOut.model_validate(clinic, from_attributes=True)


@router.get("/clinic", response_model=ClinicOut)
def get_clinic(request: Request, response: Response) -> ClinicOut:
    """Your clinic and its settings."""
    with api_work(request) as (session, actor):
        return clinic_out(service.get_clinic(session, actor), response)


@router.patch("/clinic", response_model=ClinicOut)
def update_clinic(request: Request, response: Response, data: ClinicSettingsIn) -> ClinicOut:
    """Change the phone and address on the patient's copies, the locale (the paper size of
    printed copies) and the quiet hours of calendar alarms, against the clinic's version
    (If-Match or `version`). Administrators only."""
    with api_work(request) as (session, actor):
        clinic = service.update_clinic_settings(
            session, actor, data, if_match_version=if_match_version(request)
        )
        return clinic_out(clinic, response)
