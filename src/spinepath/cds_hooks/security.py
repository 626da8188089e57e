"""Trusting the CDS client: the JWT an EHR sends with each call (CDS Hooks 2.0 "Trusting CDS
Clients").

A call is accepted only with ``Authorization: Bearer <JWT>`` where the JWT

- is signed with ES384 or RS384 (``none`` and symmetric algorithms are refused) by a key of an
  allowlisted issuer (``iss``), found by ``kid`` in that issuer's JWK Set: given inline, at its
  configured ``jwks_url``, or at the header's ``jku`` when that URL is allowlisted for it;
- names this service's endpoint URL in ``aud`` (a string or an array);
- carries ``exp`` (not passed, and not more than ``MAX_LIFETIME`` ahead), ``iat`` and ``jti``;
- has a ``jti`` not used before by the same issuer (checked by the caller against the
  database when the call is committed, see :func:`record_token_use`).

Anything else is refused with a bare 401; the reason is logged (never the token) and not sent.
The development mode, which accepts calls without a JWT, is a setting that is off unless
``spinepath demo`` or ``SPINEPATH_CDS_DEV_MODE`` turns it on.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import httpx
import jwt
from sqlalchemy import Table, delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from spinepath.accounts.models import Clinic
from spinepath.cds_hooks.models import CdsTokenUse
from spinepath.settings import CdsClient, Settings

log = logging.getLogger("spinepath.cds_hooks")

ALGORITHMS = ("ES384", "RS384")
LEEWAY_SECONDS = 30
# A client JWT is short-lived (the specification's examples use 5 minutes): refuse longer ones,
# so that remembering used jti values until they expire stays bounded.
MAX_LIFETIME = timedelta(minutes=10)
JWKS_TTL_SECONDS = 300.0
JWKS_REFETCH_MIN_SECONDS = 10.0
PURGE_EVERY_SECONDS = 60.0


Sessions = sessionmaker[Session]


class Unauthorized(Exception):
    """The call is refused (401); the message is for the log only."""


@dataclass(frozen=True)
class Caller:
    """Who is calling: a verified client (issuer, its clinic) or the development mode."""

    iss: str | None
    clinic_id: uuid.UUID | None
    client: CdsClient | None
    development: bool
    jti: str | None = None
    expires_at: datetime | None = None

    @property
    def label(self) -> str:
        return f"cds:{self.iss}" if self.iss else "cds:development"


class JwksCache:
    """JWK Sets fetched over HTTPS (or from configuration), kept for ``JWKS_TTL_SECONDS``."""

    def __init__(self, http: httpx.Client) -> None:
        self._http = http
        self._lock = threading.Lock()
        self._sets: dict[str, tuple[float, dict[str, Any]]] = {}

    def get(self, url: str, *, refresh: bool = False) -> dict[str, Any]:
        now = time.monotonic()
        with self._lock:
            cached = self._sets.get(url)
        if cached is not None:
            age = now - cached[0]
            if age < JWKS_TTL_SECONDS and not (refresh and age >= JWKS_REFETCH_MIN_SECONDS):
                return cached[1]
        try:
            answer = self._http.get(url, headers={"Accept": "application/json"}, timeout=5.0)
            answer.raise_for_status()
            document = answer.json()
        except (httpx.HTTPError, ValueError) as error:
            if cached is not None:
                return cached[1]
            raise Unauthorized(f"cannot fetch the JWK Set at {url}: {error}") from None
        if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
            raise Unauthorized(f"{url} is not a JWK Set")
        with self._lock:
            self._sets[url] = (now, document)
        return document


def _segment(text: str) -> dict[str, Any]:
    padded = text + "=" * (-len(text) % 4)
    value = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value


def _unverified_parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims read without checking the signature: only to choose the issuer's
    key (jwt.decode then checks everything). One plain parse instead of two PyJWT passes."""
    parts = token.split(".")
    if len(parts) != 3:
        raise Unauthorized("not a JWT: it must have three dot-separated parts")
    try:
        return _segment(parts[0]), _segment(parts[1])
    except (ValueError, UnicodeError) as error:
        raise Unauthorized(f"not a JWT: {error}") from None


def _find_key(jwks: dict[str, Any], kid: str) -> dict[str, Any] | None:
    for key in jwks.get("keys", []):
        if isinstance(key, dict) and key.get("kid") == kid:
            return key
    return None


class ClientVerifier:
    def __init__(self, settings: Settings, http: httpx.Client) -> None:
        self.settings = settings
        self.clients = {client.iss: client for client in settings.cds_clients}
        self.jwks = JwksCache(http)
        self._clinic_ids: dict[str, uuid.UUID] = {}
        self._keys: dict[tuple[str, str], Any] = {}
        self._last_purge = 0.0

    @property
    def development(self) -> bool:
        return self.settings.cds_dev_mode

    def verify(self, sessions: Sessions, authorization: str | None, audiences: set[str]) -> Caller:
        """The verified caller; raises Unauthorized. ``audiences``: this endpoint's URLs.
        ``sessions`` opens a session only when a clinic must be looked up (then cached)."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            if self.development:
                return Caller(None, self._dev_clinic(sessions), None, True)
            raise Unauthorized("no bearer JWT")
        try:
            return self._verify_token(sessions, token.strip(), audiences)
        except Unauthorized as refused:
            if not self.development:
                raise
            # Development mode (a sandbox signs with keys nobody allowlisted): accept, say so.
            log.info("CDS development mode: JWT not verified (%s)", refused)
            return Caller(None, self._dev_clinic(sessions), None, True)

    def _verify_token(self, sessions: Sessions, token: str, audiences: set[str]) -> Caller:
        header, unverified = _unverified_parts(token)
        alg = header.get("alg")
        if alg not in ALGORITHMS:
            raise Unauthorized(f"algorithm {alg!r} is not accepted (ES384 or RS384)")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise Unauthorized("the JWT header has no kid")
        typ = header.get("typ")
        if typ is not None and str(typ).upper() != "JWT":
            raise Unauthorized(f"typ {typ!r} is not JWT")
        iss = unverified.get("iss")
        client = self.clients.get(iss) if isinstance(iss, str) else None
        if client is None:
            raise Unauthorized(f"issuer {iss!r} is not allowlisted")
        jwk = self._key_for(client, kid, header.get("jku"))
        try:
            claims = jwt.decode(
                token,
                key=self._public_key(jwk, alg),
                algorithms=[alg],
                audience=sorted(audiences),
                issuer=client.iss,
                leeway=LEEWAY_SECONDS,
                options={"require": ["iss", "aud", "exp", "iat", "jti"]},
            )
        except (jwt.PyJWTError, ValueError, TypeError) as error:
            raise Unauthorized(f"JWT refused: {error}") from None
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti or len(jti) > 255:
            raise Unauthorized("jti must be a string of at most 255 characters")
        expires_at = datetime.fromtimestamp(float(claims["exp"]), UTC)
        if expires_at - datetime.now(UTC) > MAX_LIFETIME + timedelta(seconds=LEEWAY_SECONDS):
            raise Unauthorized(f"exp is more than {MAX_LIFETIME} ahead")
        clinic_id = self._clinic(sessions, client.clinic)
        return Caller(client.iss, clinic_id, client, False, jti, expires_at)

    def _public_key(self, jwk: dict[str, Any], alg: str) -> Any:
        """The key object of a JWK, parsed once per (JWK, algorithm)."""
        cache_key = (json.dumps(jwk, sort_keys=True), alg)
        found = self._keys.get(cache_key)
        if found is None:
            found = jwt.PyJWK(jwk, algorithm=alg).key
            self._keys[cache_key] = found
        return found

    def _key_for(self, client: CdsClient, kid: str, jku: object) -> dict[str, Any]:
        if jku is not None:
            allowed = set(client.jku) | ({client.jwks_url} if client.jwks_url else set())
            if not isinstance(jku, str) or jku not in allowed:
                raise Unauthorized(f"jku {jku!r} is not allowlisted for {client.iss}")
            url: str | None = jku
        else:
            url = None if client.jwks is not None else client.jwks_url
        if url is None:
            found = _find_key(client.jwks or {}, kid)
        else:
            found = _find_key(self.jwks.get(url), kid)
            if found is None:  # the client may have rotated its keys
                found = _find_key(self.jwks.get(url, refresh=True), kid)
        if found is None:
            raise Unauthorized(f"no key {kid!r} in the JWK Set of {client.iss}")
        return found

    def _clinic(self, sessions: Sessions, slug: str) -> uuid.UUID | None:
        if slug in self._clinic_ids:
            return self._clinic_ids[slug]
        with sessions() as session:
            found = session.scalar(select(Clinic.id).where(Clinic.slug == slug))
            session.rollback()
        if found is None:
            log.warning("CDS client clinic %r does not exist", slug)
            return None
        self._clinic_ids[slug] = found
        return found

    def _dev_clinic(self, sessions: Sessions) -> uuid.UUID | None:
        slug = self.settings.cds_dev_clinic
        return self._clinic(sessions, slug) if slug else None

    def purge_due(self) -> bool:
        now = time.monotonic()
        if now - self._last_purge < PURGE_EVERY_SECONDS:
            return False
        self._last_purge = now
        return True


class TokenReused(Exception):
    """The JWT id was seen before: a replayed call."""


def record_token_use(session: Session, caller: Caller, *, purge: bool) -> None:
    """Remember the caller's jti; a reuse (refused by the unique constraint) raises
    ``TokenReused``."""
    if caller.jti is None or caller.iss is None or caller.expires_at is None:
        return
    if purge:
        cutoff = datetime.now(UTC) - timedelta(seconds=LEEWAY_SECONDS)
        session.execute(delete(CdsTokenUse).where(CdsTokenUse.expires_at < cutoff))
    # One INSERT, built once (no ORM flush): the unique (issuer, jti) constraint refuses a reuse
    # at once, before anything else of the call is written.
    values = {"issuer": caller.iss, "jti": caller.jti, "expires_at": caller.expires_at}
    try:
        session.execute(_RECORD_USE, values)
    except IntegrityError:
        raise TokenReused(caller.jti) from None


_RECORD_USE = insert(cast(Table, CdsTokenUse.__table__))
