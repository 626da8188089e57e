"""Use cases for clinics, users and their credentials."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from spinepath.accounts.models import AuthToken, Clinic, User, UserRole
from spinepath.accounts.passwords import hash_password, verify_password
from spinepath.accounts.roles import Permission, Role
from spinepath.accounts.schemas import ClinicIn, ClinicSettingsIn, UserIn
from spinepath.audit import service as audit
from spinepath.context import Actor
from spinepath.errors import FieldError, InvalidInput, NotAuthenticated, PermissionDenied
from spinepath.store.base import utc_now
from spinepath.versioning import check_version


def create_clinic(session: Session, data: ClinicIn) -> Clinic:
    if session.scalar(select(Clinic).where(Clinic.slug == data.slug)):
        raise InvalidInput([FieldError("slug", f"a clinic named {data.slug!r} exists already")])
    clinic = Clinic(name=data.name, slug=data.slug, time_zone=data.time_zone)
    session.add(clinic)
    session.flush()
    return clinic


def get_clinic(session: Session, actor: Actor) -> Clinic:
    """The actor's own clinic."""
    clinic = session.get(Clinic, actor.clinic_id) if actor.clinic_id else None
    if clinic is None:
        raise PermissionDenied("you belong to no clinic")
    return clinic


def update_clinic_settings(
    session: Session,
    actor: Actor,
    data: ClinicSettingsIn,
    *,
    if_match_version: int | None = None,
) -> Clinic:
    """Administrators change their clinic's phone, address, locale and quiet hours."""
    actor.require(Permission.MANAGE_USERS, "change the clinic's settings")
    clinic = get_clinic(session, actor)
    expected = if_match_version if if_match_version is not None else data.version
    check_version("clinic", clinic.version, expected, via_if_match=if_match_version is not None)
    sent = data.model_dump(exclude_unset=True, exclude={"version"})
    changes = {name: value for name, value in sent.items() if getattr(clinic, name) != value}
    for name, value in changes.items():
        setattr(clinic, name, value)
    session.flush()
    audit.record(session, actor, "update", "clinic", clinic.id, detail={"fields": sorted(changes)})
    return clinic


def create_user(session: Session, actor: Actor, clinic: Clinic, data: UserIn) -> User:
    """Admins create users in their own clinic; the system (CLI, demo) in any clinic."""
    if actor.user_id is not None and (
        not actor.can(Permission.MANAGE_USERS) or actor.clinic_id != clinic.id
    ):
        raise PermissionDenied("only an administrator of this clinic can create users")
    if session.scalar(select(User).where(User.username == data.username)):
        raise InvalidInput([FieldError("username", f"{data.username!r} is taken")])
    user = User(
        clinic_id=clinic.id,
        username=data.username,
        full_name=data.full_name,
        email=data.email,
        password_hash=hash_password(data.password),
        role_rows=[UserRole(role=role.value) for role in sorted(set(data.roles))],
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        "user",
        user.id,
        detail={"username": user.username, "roles": sorted(user.roles)},
    )
    return user


def actor_for(user: User, client_address: str | None = None) -> Actor:
    return Actor(
        user_id=user.id,
        username=user.username,
        full_name=user.full_name,
        clinic_id=user.clinic_id,
        roles=frozenset(Role(role) for role in user.roles),
        client_address=client_address,
        clinic_time_zone=user.clinic.time_zone,
    )


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        return None
    return user


@dataclass(frozen=True)
class IssuedToken:
    secret: str
    token: AuthToken


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(
    session: Session, user: User, *, kind: str, lifetime: timedelta, label: str | None = None
) -> IssuedToken:
    secret = secrets.token_urlsafe(32)
    token = AuthToken(
        user_id=user.id,
        kind=kind,
        token_hash=_digest(secret),
        csrf_token=secrets.token_urlsafe(24) if kind == "session" else None,
        label=label,
        expires_at=utc_now() + lifetime,
    )
    session.add(token)
    session.flush()
    return IssuedToken(secret, token)


def resolve_token(session: Session, secret: str, *, kind: str) -> AuthToken:
    token = session.scalar(
        select(AuthToken).where(AuthToken.token_hash == _digest(secret), AuthToken.kind == kind)
    )
    if (
        token is None
        or token.revoked_at is not None
        or token.expires_at <= utc_now()
        or not token.user.active
    ):
        raise NotAuthenticated("your session has ended or the token is not valid; log in again")
    return token


def revoke_token(session: Session, secret: str) -> None:
    token = session.scalar(select(AuthToken).where(AuthToken.token_hash == _digest(secret)))
    if token is not None and token.revoked_at is None:
        token.revoked_at = utc_now()


def users_of_clinic(session: Session, clinic_id: object) -> list[User]:
    return list(
        session.scalars(select(User).where(User.clinic_id == clinic_id).order_by(User.username))
    )


def clinic_by_slug(session: Session, slug: str) -> Clinic | None:
    return session.scalar(select(Clinic).where(Clinic.slug == slug))
