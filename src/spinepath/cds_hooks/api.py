"""The CDS Hooks 2.0 endpoints: discovery, the services, and feedback (at /cds-services).

A service call: the hook request is checked (400 naming every bad field), the client's JWT is
verified (a bare 401 otherwise), the data is gathered from prefetch or the fhirServer (412 when
required data cannot be got), the cards are computed, and then, in one transaction, the JWT id
is recorded (a reused one is refused with 401), the cards are kept for feedback and the call is
audited. Reading and computing hold no database transaction, so a slow FHIR server never holds
a database lock.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any, Literal, cast

import httpx
from anyio import CapacityLimiter, to_thread
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import Table, and_, insert, or_, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from spinepath import jsonread
from spinepath.api.problems import problem
from spinepath.audit import service as audit
from spinepath.cds_hooks.cards import CardContext, Record, read_record
from spinepath.cds_hooks.cors import CdsCors
from spinepath.cds_hooks.models import CdsCard, CdsFeedback
from spinepath.cds_hooks.prefetch import CannotFetch, FhirFetcher, gather, resources_of
from spinepath.cds_hooks.security import (
    Caller,
    ClientVerifier,
    TokenReused,
    Unauthorized,
    record_token_use,
)
from spinepath.cds_hooks.services import (
    SERVICES,
    CdsService,
    HookRequest,
    InvalidRequest,
    discovery,
)
from spinepath.clinical.errors import FieldError, InvalidInput, errors_from_validation
from spinepath.context import Actor
from spinepath.fhir.mapping import read_patient
from spinepath.fhir.models import FhirPatientLink
from spinepath.fhir.reading import Problems, parse_when
from spinepath.settings import Settings
from spinepath.store.base import utc_now
from spinepath.unit_of_work import UnitOfWork

log = logging.getLogger("spinepath.cds_hooks")

router = APIRouter(prefix="/cds-services", tags=["cds-hooks"])

MAX_BODY_BYTES = 8 * 1024 * 1024
DEV_HEADER = "X-Spinepath-CDS-Mode"


@dataclass
class CdsRuntime:
    settings: Settings
    verifier: ClientVerifier
    fetcher: FhirFetcher
    http: httpx.Client

    @property
    def base_url(self) -> str:
        return str(getattr(self.settings, "public_url", "") or "").rstrip("/")


def install(app: FastAPI, settings: Settings) -> None:
    """Mount the CDS Hooks endpoints and their CORS handling on the application."""
    http = httpx.Client(follow_redirects=False, timeout=httpx.Timeout(5.0, connect=2.0))
    app.state.cds = CdsRuntime(settings, ClientVerifier(settings, http), FhirFetcher(http), http)
    app.include_router(router)
    app.add_middleware(CdsCors, origins=settings.cds_cors_origins)
    if settings.cds_dev_mode:
        log.warning(
            "CDS Hooks development mode is ON: service calls are accepted without a verified "
            "JWT. Never use it with real patient data."
        )


def _runtime(request: Request) -> CdsRuntime:
    runtime: CdsRuntime = request.app.state.cds
    return runtime


def _base_url(request: Request) -> str:
    return _runtime(request).base_url or str(request.base_url).rstrip("/")


def _audiences(request: Request, *paths: str) -> set[str]:
    """The URLs this endpoint answers at, under the configured public URL (never the Host
    header, which the caller chooses)."""
    public = _runtime(request).base_url
    return {f"{public}{path}" for path in paths}


def _unauthorized() -> Response:
    return Response(status_code=401, headers={"WWW-Authenticate": "Bearer"})


async def _json_body(request: Request) -> Any:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _BadBody(413, "the request is too large")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise _BadBody(413, "the request is too large")
    try:
        # The EHR's data is read, never stored as text: only its size and depth are bounded.
        return jsonread.loads(body, max_bytes=None, refuse_controls=False)
    except InvalidInput as invalid:
        raise _BadBody(400, "the request body is refused", invalid.errors) from None


class _BadBody(Exception):
    def __init__(self, status: int, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or []


def _bad_request(errors: list[FieldError]) -> JSONResponse:
    return problem(400, "Bad request", "the hook request is not valid", errors=errors)


@router.get("")
def discover() -> dict[str, Any]:
    """CDS Hooks discovery: the services, their hooks and prefetch templates."""
    return discovery()


@router.post("/{service_id}")
async def call_service(request: Request, service_id: str) -> Response:
    """Invoke a CDS service with a CDS Hooks 2.0 request (JWT bearer authentication)."""
    service = SERVICES.get(service_id)
    if service is None:
        return problem(404, "Not found", f"no CDS service {service_id!r} (see GET /cds-services)")
    try:
        raw = await _json_body(request)
    except _BadBody as bad:
        return problem(bad.status, "Bad request", bad.detail, errors=bad.errors)
    try:
        hook_request = service.parse(raw)
    except InvalidRequest as invalid:
        return _bad_request(invalid.errors)
    # The JWT is checked first, in the general pool: its key may have to be fetched from the
    # client's JWK Set URL, a wait on another server that must never hold the local-work turn.
    caller = await run_in_threadpool(_verify, request, f"/cds-services/{service.id}")
    if caller is None:
        return _unauthorized()
    if _may_fetch(service, hook_request):
        return await run_in_threadpool(_process, request, service, hook_request, caller)
    return await to_thread.run_sync(
        _process, request, service, hook_request, caller, limiter=_local_work_limiter(request)
    )


# Calls that wait on nothing but this server are CPU work under one interpreter lock: a second
# thread only interleaves them, and each short release of the lock (the SQLite write, the random
# card ids) then waits for the other call's time slice, so they take turns one at a time, first
# come first served (measured in docs/cds-hooks.md, "Second round"). Calls that may wait on
# the EHR's FHIR server keep the general pool and never block them.
LOCAL_WORK_THREADS = 1


def _may_fetch(service: CdsService, hook: HookRequest) -> bool:
    """Whether answering may fetch from the request's fhirServer (a prefetch key is missing or
    unusable), the one slow wait a CDS call can have."""
    if not hook.fhirServer or not service.needs_data(hook):
        return False
    given = hook.prefetch or {}
    return any(key not in given or resources_of(given[key]) is None for key in service.prefetch)


def _local_work_limiter(request: Request) -> CapacityLimiter:
    """One limiter per application (each server runs its own event loop)."""
    state = request.app.state
    limiter: CapacityLimiter | None = getattr(state, "cds_local_work_limiter", None)
    if limiter is None:
        limiter = CapacityLimiter(LOCAL_WORK_THREADS)
        state.cds_local_work_limiter = limiter
    return limiter


def _verify(request: Request, *paths: str) -> Caller | None:
    runtime = _runtime(request)
    try:
        return runtime.verifier.verify(
            request.app.state.session_factory,
            request.headers.get("authorization"),
            _audiences(request, *paths),
        )
    except Unauthorized as refused:
        log.info("CDS call refused (401): %s", refused)
        return None


def _process(request: Request, service: CdsService, hook: HookRequest, caller: Caller) -> Response:
    runtime = _runtime(request)
    now = utc_now()
    record = Record(None, [])
    origin: dict[str, str] = {}
    if service.needs_data(hook):
        allowed = (
            () if caller.development else (caller.client.fhir_servers if caller.client else None)
        )
        try:
            gathered = gather(
                service.prefetch,
                service.required,
                hook.context,
                hook.prefetch,
                hook.fhirServer,
                hook.token,
                runtime.fetcher,
                allowed,
            )
        except CannotFetch as missing:
            return problem(
                412,
                "Precondition failed",
                f"required data could not be obtained: {missing}. Prefetch it, or send a "
                "fhirServer and fhirAuthorization this service may use.",
            )
        record = read_record(gathered.all())
        origin = gathered.origin

    factory = request.app.state.session_factory
    patient_id = _matching_patient(factory, caller, hook, record)
    base = _base_url(request)
    ctx = CardContext(
        base_url=base, patient_url=f"{base}/patients/{patient_id}" if patient_id else None
    )
    cards = service.cards(hook, record, ctx, now)
    # One short write, committed before the answer: the JWT id (refusing a reuse), the cards
    # (one statement for all) and the audit event.
    try:
        with UnitOfWork(factory) as work:
            session = work.session
            record_token_use(session, caller, purge=runtime.verifier.purge_due())
            if cards:
                ehr_patient_id = (hook.patient_id or "")[:200] or None
                session.execute(
                    _KEEP_CARD,
                    [
                        {
                            "id": uuid.UUID(card["uuid"]),
                            "clinic_id": caller.clinic_id,
                            "service_id": service.id,
                            "hook_instance": hook.hookInstance,
                            "client_iss": caller.iss,
                            "issued_at": now,
                            "indicator": card["indicator"],
                            "summary": card["summary"],
                            "ehr_patient_id": ehr_patient_id,
                            "patient_id": patient_id,
                            "card": card,
                        }
                        for card in cards
                    ],
                )
            audit.record_at_once(
                session,
                _actor(request, caller),
                "cds_call",
                "cds_service",
                service.id,
                patient_id=patient_id,
                detail={
                    "hook": hook.hook,
                    "hookInstance": hook.hookInstance[:200],
                    "cards": [card["uuid"] for card in cards],
                    "data": origin,
                },
            )
    except TokenReused:
        log.info("CDS call refused (401): jti reused by %s", caller.iss)
        return _unauthorized()
    headers = {DEV_HEADER: "development"} if caller.development else None
    return JSONResponse({"cards": cards}, headers=headers)


# The cards of a call in one INSERT statement (built once; no ORM flush for rows never edited).
_KEEP_CARD = insert(cast(Table, CdsCard.__table__))


def _actor(request: Request, caller: Caller) -> Actor:
    return Actor(
        user_id=None,
        username=caller.label[:80],
        full_name="CDS Hooks client",
        clinic_id=caller.clinic_id,
        client_address=request.client.host if request.client else None,
    )


def _matching_patient(
    factory: sessionmaker[Session], caller: Caller, hook: HookRequest, record: Record
) -> uuid.UUID | None:
    """The spinepath patient this call is about (by identifier, or by the EHR's patient id
    as imported from this fhirServer), in the caller's clinic only."""
    if caller.clinic_id is None:
        return None
    clauses = []
    if record.patient is not None:
        facts = read_patient(record.patient, "Patient", Problems())
        clauses += [
            and_(
                FhirPatientLink.kind == "identifier",
                FhirPatientLink.system == system,
                FhirPatientLink.value == value,
            )
            for system, value, _ in facts.identifiers
        ]
    if hook.patient_id and hook.fhirServer:
        clauses.append(
            and_(
                FhirPatientLink.kind == "resource",
                FhirPatientLink.system == hook.fhirServer.rstrip("/"),
                FhirPatientLink.value == hook.patient_id,
            )
        )
    if not clauses:
        return None
    with factory() as session:
        found = set(
            session.scalars(
                select(FhirPatientLink.patient_id).where(
                    FhirPatientLink.clinic_id == caller.clinic_id, or_(*clauses)
                )
            )
        )
        session.rollback()
    return found.pop() if len(found) == 1 else None


# ---- feedback --------------------------------------------------------------------------------
class _Coding(BaseModel):
    model_config = ConfigDict(extra="allow")

    code: str | None = None
    system: str | None = None
    display: str | None = None


class _OverrideReason(BaseModel):
    model_config = ConfigDict(extra="allow")

    reason: _Coding | None = None
    userComment: str | None = Field(default=None, max_length=10_000)


class _FeedbackItem(BaseModel):
    model_config = ConfigDict(extra="allow")

    card: str = Field(min_length=1, max_length=200)
    outcome: Literal["accepted", "overridden"]
    acceptedSuggestions: list[dict[str, Any]] | None = None
    overrideReason: _OverrideReason | None = None
    outcomeTimestamp: str

    @field_validator("outcomeTimestamp")
    @classmethod
    def _instant(cls, value: str) -> str:
        parsed = parse_when(value)
        if parsed is None or parsed.precision != "time":
            raise ValueError("must be an ISO 8601 date and time with a time zone (UTC)")
        return value


class _Feedback(BaseModel):
    model_config = ConfigDict(extra="allow")

    feedback: list[_FeedbackItem] = Field(min_length=1, max_length=1000)


@router.post("/{service_id}/feedback")
async def feedback(request: Request, service_id: str) -> Response:
    """Feedback on cards: accepted, or overridden with a reason; kept as sent."""
    service = SERVICES.get(service_id)
    if service is None:
        return problem(404, "Not found", f"no CDS service {service_id!r} (see GET /cds-services)")
    try:
        raw = await _json_body(request)
    except _BadBody as bad:
        return problem(bad.status, "Bad request", bad.detail, errors=bad.errors)
    try:
        items = _Feedback.model_validate(raw).feedback
    except ValidationError as error:
        return _bad_request(errors_from_validation(error))
    return await run_in_threadpool(_store_feedback, request, service, items)


def _store_feedback(request: Request, service: CdsService, items: list[_FeedbackItem]) -> Response:
    caller = _verify(request, f"/cds-services/{service.id}/feedback", f"/cds-services/{service.id}")
    if caller is None:
        return _unauthorized()
    try:
        with UnitOfWork(request.app.state.session_factory) as work:
            session = work.session
            record_token_use(session, caller, purge=False)
            known = _known_cards(session, caller, service, [item.card for item in items])
            for item in items:
                when = parse_when(item.outcomeTimestamp)
                assert when is not None
                reason = item.overrideReason
                session.add(
                    CdsFeedback(
                        clinic_id=caller.clinic_id,
                        service_id=service.id,
                        card_uuid=item.card,
                        card_known=_normalised(item.card) in known,
                        outcome=item.outcome,
                        accepted_suggestions=item.acceptedSuggestions,
                        override_reason=(
                            reason.reason.model_dump(exclude_none=True)
                            if reason and reason.reason
                            else None
                        ),
                        user_comment=reason.userComment if reason else None,
                        outcome_timestamp=when.at,
                        client_iss=caller.iss,
                    )
                )
            audit.record(
                session,
                _actor(request, caller),
                "cds_feedback",
                "cds_service",
                service.id,
                detail={
                    "cards": [item.card for item in items],
                    "outcomes": [item.outcome for item in items],
                },
            )
    except TokenReused:
        return _unauthorized()
    return JSONResponse({"received": len(items)})


def _known_cards(
    session: Session, caller: Caller, service: CdsService, uuids: list[str]
) -> set[str]:
    ids: list[uuid.UUID] = []
    for text in uuids:
        try:
            ids.append(uuid.UUID(text))
        except ValueError:
            continue
    if not ids:
        return set()
    query = select(CdsCard.id).where(CdsCard.id.in_(ids), CdsCard.service_id == service.id)
    query = (
        query.where(CdsCard.clinic_id == caller.clinic_id)
        if caller.clinic_id is not None
        else query.where(CdsCard.clinic_id.is_(None))
    )
    return {str(found) for found in session.scalars(query)}


def _normalised(card: str) -> str:
    try:
        return str(uuid.UUID(card))
    except ValueError:
        return card
