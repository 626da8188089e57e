"""JSON routes for FHIR: import a Bundle or NDJSON, read imported facts, export an episode."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from spinepath.api.deps import api_work
from spinepath.api.problems import problem
from spinepath.clinical.errors import FieldError, InvalidInput
from spinepath.fhir import service
from spinepath.fhir.bundle import MAX_IMPORT_BYTES, ImportInput, read_input
from spinepath.fhir.export import export_episode
from spinepath.fhir.export_sections import ALL_SECTIONS

router = APIRouter(tags=["fhir"])

FHIR_JSON = "application/fhir+json"
_NDJSON_TYPES = ("application/fhir+ndjson", "application/x-ndjson", "application/ndjson")
_JSON_TYPES = ("application/fhir+json", "application/json", "application/json+fhir")


class _TooLarge(Exception):
    pass


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_IMPORT_BYTES:
        raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_IMPORT_BYTES:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _is_ndjson(name: str | None, content_type: str) -> bool | None:
    lowered = (name or "").lower()
    if lowered.endswith((".ndjson", ".ndjson.gz")):
        return True
    if lowered.endswith((".json", ".json.gz")):
        return False
    if content_type in _NDJSON_TYPES:
        return True
    if content_type in _JSON_TYPES:
        return False
    return None  # decide from the content


async def _read_request(request: Request) -> list[tuple[bytes, str, bool | None]]:
    """The request's files as sent (compressed or not): (content, name, is NDJSON)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        form = await request.form(max_files=100, max_fields=100)
        files = [value for _, value in form.multi_items() if isinstance(value, UploadFile)]
        if not files:
            raise InvalidInput([FieldError("(body)", "send one or more files in the form")])
        found = []
        total = 0
        for upload in files:
            content = await upload.read()
            total += len(content)
            if total > MAX_IMPORT_BYTES:
                raise _TooLarge
            name = upload.filename or "file"
            found.append((content, name, _is_ndjson(name, "")))
        return found
    return [(await _body(request), "(body)", _is_ndjson(None, content_type))]


def _parse(files: list[tuple[bytes, str, bool | None]]) -> ImportInput:
    """Inflate and parse every file into one import (in a worker thread: never on the event
    loop), within one budget of uncompressed bytes for the whole import."""
    data = ImportInput()
    for content, name, ndjson in files:
        read_input(content, name=name, ndjson=ndjson, into=data)
    return data


@router.post("/fhir/import")
async def import_bundle(
    request: Request,
    source: str = Query(
        default="",
        max_length=400,
        description=(
            "Where the data comes from, e.g. the base URL of the sending FHIR server: resource "
            "ids are matched within one source on re-import"
        ),
    ),
) -> JSONResponse:
    """Import a FHIR R4 Bundle (transaction, batch, collection, searchset) or Bulk Data NDJSON.

    Send the Bundle as application/fhir+json, NDJSON as application/fhir+ndjson (resources of
    any type, one per line), gzip-compressed or not, or several files as multipart/form-data.
    Patients are created or updated (matched by identifier, MRN, or source resource id); the
    facts spinepath uses are stored per source resource; the report says what was used, what
    was skipped and why. A malformed input is refused whole (422) and nothing is written.
    Importing the same data again changes nothing.
    """
    try:
        files = await _read_request(request)
    except _TooLarge:
        return problem(
            413,
            "Too large",
            f"an import is limited to {MAX_IMPORT_BYTES // (1024 * 1024)} MB: send it in parts",
        )

    def work() -> dict[str, Any]:
        data = _parse(files)
        with api_work(request) as (session, actor):
            return service.import_fhir(session, actor, data, source=source)

    try:
        return JSONResponse(await run_in_threadpool(work))
    except IntegrityError:
        # Another import wrote the same patient or facts at the same moment; nothing was saved.
        return problem(
            409,
            "Conflict",
            "another import changed the same records at the same moment; nothing was saved, "
            "send it again",
        )


@router.get("/fhir/imports/{import_id}")
def get_import(request: Request, import_id: uuid.UUID) -> dict[str, Any]:
    """An earlier import's report."""
    with api_work(request) as (session, actor):
        record = service.get_import(session, actor, import_id)
        return {
            "import_id": str(record.id),
            "imported_at": record.imported_at.isoformat(),
            "imported_by": record.imported_by_name,
            "report": record.report,
        }


@router.get("/patients/{patient_id}/imported-facts")
def imported_facts(request: Request, patient_id: uuid.UUID) -> dict[str, Any]:
    """The facts imported for a patient and what they say (including the latest NEWS2)."""
    with api_work(request) as (session, actor):
        return service.patient_summary(session, actor, patient_id)


@router.get("/episodes/{episode_id}/fhir", response_class=JSONResponse)
def episode_bundle(request: Request, episode_id: uuid.UUID) -> JSONResponse:
    """The episode as a FHIR R4 Bundle (collection): Patient, Condition, CarePlan, AuditEvent,
    and the sections other parts of spinepath contribute."""
    with api_work(request) as (session, actor):
        bundle = export_episode(session, actor, episode_id, sections=ALL_SECTIONS)
    return JSONResponse(bundle, media_type=FHIR_JSON)
