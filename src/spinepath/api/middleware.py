"""What every request passes through before a route sees it, and every answer on its way out.

- ``RequestGuard``: the path and query string may hold no control characters (422 naming the
  parameter); a request body may not exceed the size limit (413, refused from its declared
  length before a byte is read, or as soon as it grows past the limit); API routes that need a
  token answer 401 before the body is read; JSON bodies nest no deeper than the JSON reader
  allows and hold no control characters (422 naming the field), before any parser sees them.
- ``CatchUnhandled``: an unexpected error answers a generic 500 problem and is logged, and the
  connection stays open for the client's next request.
- ``SecurityHeaders``: CSP without inline script, nosniff, frame-ancestors / X-Frame-Options,
  Referrer-Policy, HSTS over HTTPS, and ``Cache-Control: no-store`` on everything but the
  static files.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

import anyio
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException

from spinepath import jsonread
from spinepath.clinical.errors import FieldError, InvalidInput
from spinepath.errors import NotAuthenticated
from spinepath.settings import Settings
from spinepath.store.db import READ_ONLY

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger("spinepath.api")

API_PREFIX = "/api/v1"
PROBLEM_JSON = b"application/problem+json"
IMPORT_PATH = f"{API_PREFIX}/fhir/import"
CDS_PREFIX = "/cds-services"
# API routes anyone may call: the health check, logging in, the API's own description, and the
# patient's questionnaire (its personal link is the credential).
_PUBLIC = (f"{API_PREFIX}/health", f"{API_PREFIX}/openapi.json", f"{API_PREFIX}/docs")
_PUBLIC_PREFIXES = (f"{API_PREFIX}/questionnaires/", f"{API_PREFIX}/docs/")
_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


async def send_problem(
    send: Send,
    status: int,
    title: str,
    detail: str,
    *,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    body["detail"] = detail
    if errors:
        body["errors"] = [error.as_dict() for error in errors]
    payload = json.dumps(body).encode()
    raw_headers = [
        (b"content-type", PROBLEM_JSON),
        (b"content-length", str(len(payload)).encode()),
    ]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return False
    kind = content_type.split(";")[0].strip().lower()
    return kind == "application/json" or (
        kind.startswith("application/") and kind.endswith("+json")
    )


def needs_token(method: str, path: str) -> bool:
    """Whether an API route answers only to a bearer token (checked before the body is read)."""
    if not path.startswith(f"{API_PREFIX}/"):
        return False
    if path in _PUBLIC or path.startswith(_PUBLIC_PREFIXES):
        return False
    return not (path == f"{API_PREFIX}/auth/token" and method != "DELETE")


def query_errors(scope: Scope) -> list[FieldError]:
    """Control characters in the path or in any query parameter's name or value."""
    errors: list[FieldError] = []
    message = jsonread.refused_character(scope.get("path", ""))
    if message is not None:
        errors.append(FieldError("(path)", message))
    raw = scope.get("query_string", b"").decode("latin-1")
    if raw:
        for name, value in parse_qsl(raw, keep_blank_values=True):
            problem = jsonread.refused_character(name) or jsonread.refused_character(value)
            if problem is not None:
                shown = jsonread.printable(name)[:80] or "(query)"
                errors.append(FieldError(shown, problem))
    return errors[:20]


class _TooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request is larger than the limit of {limit} bytes")


class RequestGuard:
    def __init__(self, app: ASGIApp, *, settings: Settings, engine: Engine) -> None:
        self.app = app
        self.settings = settings
        self.reader = engine.execution_options(**{READ_ONLY: True})

    def limit_for(self, path: str) -> int:
        if path == IMPORT_PATH:
            return self.settings.max_import_request_bytes
        if path.startswith(CDS_PREFIX):
            return self.settings.max_cds_request_bytes
        return self.settings.max_request_bytes

    def _token_is_valid(self, secret: str) -> bool:
        from spinepath.accounts.service import resolve_token

        with Session(bind=self.reader) as session:
            try:
                resolve_token(session, secret, kind="api")
            except NotAuthenticated:
                return False
            finally:
                session.rollback()
        return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        method: str = scope.get("method", "GET")
        errors = query_errors(scope)
        if errors:
            await _refuse(scope, receive, send, errors)
            return
        if needs_token(method, path) and not await self._authenticated(scope):
            await send_problem(
                send,
                401,
                "Not authenticated",
                "send an Authorization: Bearer token (POST /api/v1/auth/token)",
                headers={"WWW-Authenticate": "Bearer"},
            )
            return
        limit = self.limit_for(path)
        declared = _header(scope, b"content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                await send_problem(send, 400, "Bad request", "the Content-Length is not a number")
                return
            if int(declared) > limit:
                await self._too_large(send, limit)
                return
        bounded = _bounded(receive, limit)
        content_type = _header(scope, b"content-type")
        checked = _is_json(content_type) or _is_form(content_type)
        if (
            checked
            and method in _BODY_METHODS
            and path != IMPORT_PATH
            and not path.startswith(CDS_PREFIX)
        ):
            try:
                body = await _read_all(bounded)
            except _TooLarge:
                await self._too_large(send, limit)
                return
            if body:
                try:
                    if _is_json(content_type):
                        _check_json(body)
                    else:
                        _check_form(body)
                except InvalidInput as invalid:
                    await _refuse(scope, receive, send, invalid.errors)
                    return
            bounded = _replay(body, receive)
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, bounded, watch)
        except _TooLarge:
            if started:
                raise
            await self._too_large(send, limit)

    async def _authenticated(self, scope: Scope) -> bool:
        header = _header(scope, b"authorization") or ""
        scheme, _, secret = header.partition(" ")
        secret = secret.strip()
        if scheme.lower() != "bearer" or not secret or len(secret) > 200:
            return False
        return await anyio.to_thread.run_sync(self._token_is_valid, secret)

    @staticmethod
    async def _too_large(send: Send, limit: int) -> None:
        await send_problem(
            send,
            413,
            "Too large",
            f"the request is larger than the limit of {limit} bytes",
            headers={"Connection": "close"},
        )


def _bounded(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def bounded() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _TooLarge(limit)
        return message

    return bounded


async def _read_all(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _check_json(body: bytes) -> None:
    """Refuse a JSON body the JSON reader would refuse for its depth or its characters; leave
    malformed JSON to the route, whose parser names it."""
    text = body.decode("utf-8", errors="replace")
    if jsonread.too_deep(text):
        raise InvalidInput(
            [
                FieldError(
                    "(body)",
                    f"nests arrays and objects more than {jsonread.MAX_DEPTH} levels deep",
                )
            ]
        )
    if jsonread.may_hold_refused(text):
        try:
            jsonread.loads(body, max_bytes=None)
        except InvalidInput as invalid:
            if any(e.field != "(body)" for e in invalid.errors):
                raise


def _check_form(body: bytes) -> None:
    """Refuse a submitted form whose fields hold a control character, naming each field."""
    errors: list[FieldError] = []
    for name, value in parse_qsl(body.decode("latin-1"), keep_blank_values=True):
        message = jsonread.refused_character(name) or jsonread.refused_character(value)
        if message is not None:
            errors.append(FieldError(jsonread.printable(name)[:80] or "(form)", message))
    if errors:
        raise InvalidInput(errors[:20])


def _is_form(content_type: str | None) -> bool:
    kind = (content_type or "").split(";")[0].strip().lower()
    return kind == "application/x-www-form-urlencoded"


async def _refuse(scope: Scope, receive: Receive, send: Send, errors: list[FieldError]) -> None:
    """422 naming each field: problem+json for the API, the error page for the web pages."""
    path: str = scope.get("path", "")
    if path.startswith(("/api/", CDS_PREFIX)):
        await send_problem(send, 422, "Invalid input", "some fields are not valid", errors=errors)
        return
    from starlette.requests import Request

    from spinepath.api.problems import web_error
    from spinepath.errors import DomainError

    message = "; ".join(f"{error.field}: {error.message}" for error in errors)
    response = web_error(Request(scope, receive), DomainError(message), status=422)
    await response(scope, receive, send)


class CatchUnhandled:
    """Answer an unexpected error with a 500 problem instead of letting it reach the server,
    which would close the connection; log the error (its traceback, never the request body)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception:
            log.exception(
                "unexpected error", extra={"method": scope.get("method"), "path": scope.get("path")}
            )
            if started:
                raise
            await send_problem(send, 500, "Internal error", "the request failed; nothing was saved")


def content_security_policy(frame_ancestors: str, *, docs: bool = False) -> str:
    directives = [
        "default-src 'self'",
        "script-src 'self'",
        # The API docs page's renderer sets styles from its script.
        "style-src 'self' 'unsafe-inline'" if docs else "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        f"frame-ancestors {frame_ancestors}",
    ]
    return "; ".join(directives)


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        ancestors = settings.frame_ancestors.strip() or "'none'"
        self.csp = content_security_policy(ancestors).encode()
        self.docs_csp = content_security_policy(ancestors, docs=True).encode()
        frame_options = {"'none'": b"DENY", "'self'": b"SAMEORIGIN"}.get(ancestors)
        self.common: list[tuple[bytes, bytes]] = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]
        if frame_options is not None:
            self.common.append((b"x-frame-options", frame_options))
        self.hsts = (
            f"max-age={settings.hsts_seconds}".encode() if settings.hsts_seconds > 0 else None
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        static = path.startswith("/static/")
        https = scope.get("scheme") == "https"
        csp = self.docs_csp if path.startswith(f"{API_PREFIX}/docs") else self.csp

        async def add_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {key.lower() for key, _ in headers}
                extra = [(k, v) for k, v in self.common if k not in present]
                if b"content-security-policy" not in present:
                    extra.append((b"content-security-policy", csp))
                if https and self.hsts is not None:
                    extra.append((b"strict-transport-security", self.hsts))
                if not static and b"cache-control" not in present:
                    # Patient pages, PDFs, calendar files and JSON: never kept by a browser or
                    # a proxy.
                    extra.append((b"cache-control", b"no-store"))
                message["headers"] = headers + extra
            await send(message)

        await self.app(scope, receive, add_headers)
