"""Errors as application/problem+json (RFC 9457), with every invalid field named."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from spinepath.clinical.errors import FieldError, InvalidInput
from spinepath.errors import DomainError

log = logging.getLogger("spinepath.api")

PROBLEM_JSON = "application/problem+json"


def problem(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    errors: Sequence[FieldError] = (),
    headers: dict[str, str] | None = None,
    extensions: dict[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    body.update(extensions or {})  # RFC 9457 extension members, e.g. a gate's unmet list
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = [error.as_dict() for error in errors]
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def fields_from_request_validation(exc: RequestValidationError) -> list[FieldError]:
    found: list[FieldError] = []
    for item in exc.errors():
        location = [str(part) for part in item.get("loc", ())]
        if location and location[0] in {"body", "query", "path", "header"}:
            where, location = location[0], location[1:]
        else:
            where = "body"
        if item.get("type") == "json_invalid":
            found.append(FieldError("(body)", "the request body is not valid JSON"))
            continue
        name = ".".join(part for part in location if "[" not in part) or f"({where})"
        message = str(item.get("msg", "invalid"))
        found.append(FieldError(name, message.removeprefix("Value error, ")))
    return found


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _request_invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = fields_from_request_validation(exc)
        return problem(422, "Invalid input", "some fields are not valid", errors=errors)

    @app.exception_handler(InvalidInput)
    async def _invalid(request: Request, exc: InvalidInput) -> Response:
        if not _is_api(request):
            message = "; ".join(f"{e.field}: {e.message}" for e in exc.errors)
            return web_error(request, DomainError(message), status=422)
        return problem(422, "Invalid input", "some fields are not valid", errors=exc.errors)

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        # Refusals were audited by the unit of work they rolled back.
        if not _is_api(request):
            return web_error(request, exc)
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return problem(
            exc.status, exc.title, exc.detail, headers=headers, extensions=exc.extensions()
        )

    @app.exception_handler(StaleDataError)
    async def _stale(_: Request, __: StaleDataError) -> JSONResponse:
        return problem(409, "Conflict", "someone else changed this record at the same moment")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Never echo internals (or patient data) back; the log keeps the traceback.
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem(500, "Internal error", "the request failed; nothing was saved")


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path.startswith("/cds-services")


def web_error(request: Request, exc: DomainError, status: int | None = None) -> Response:
    from spinepath.web.render import page
    from spinepath.web.session import LoginRequired

    if isinstance(exc, LoginRequired):
        if request.headers.get("hx-request"):
            # An htmx fragment (a polling board) must not swap the login page into itself.
            return Response(status_code=204, headers={"HX-Redirect": exc.location})
        return RedirectResponse(exc.location, status_code=303)
    code = status or exc.status
    return page(request, "error.html", {"title": exc.title, "detail": exc.detail}, code)
