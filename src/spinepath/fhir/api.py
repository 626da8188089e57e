"""JSON routes for FHIR: import a Bundle or NDJSON, read imported facts, export an episode."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any, BinaryIO

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from spinepath.api.deps import api_work
from spinepath.api.problems import problem
from spinepath.clinical.errors import FieldError, InvalidInput
from spinepath.context import Actor
from spinepath.fhir import importer, service
from spinepath.fhir.export import export_episode
from spinepath.fhir.export_sections import ALL_SECTIONS
from spinepath.fhir.jobs import ImportRunner
from spinepath.fhir.stream import ImportFile
from spinepath.settings import Settings

router = APIRouter(tags=["fhir"])
API_PREFIX = "/api/v1"

FHIR_JSON = "application/fhir+json"
_NDJSON_TYPES = ("application/fhir+ndjson", "application/x-ndjson", "application/ndjson")
_JSON_TYPES = ("application/fhir+json", "application/json", "application/json+fhir")


class _TooLarge(Exception):
    pass


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


def _spool_dir(settings: Settings) -> Path:
    """A new directory for one import's files, on the data disk (never in memory)."""
    base = settings.data_dir / "import-spool"
    base.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="import-", dir=base))


async def _spool_request(request: Request, spool: Path, limit: int) -> list[ImportFile]:
    """The request's files written to ``spool`` as they arrive (compressed or not)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        form = await request.form(max_files=100, max_fields=100)
        uploads = [value for _, value in form.multi_items() if isinstance(value, UploadFile)]
        if not uploads:
            raise InvalidInput([FieldError("(body)", "send one or more files in the form")])
        found = []
        total = 0
        for number, upload in enumerate(uploads):
            path = spool / f"{number}.part"
            total += await run_in_threadpool(_copy, upload.file, path)
            if total > limit:
                raise _TooLarge
            name = upload.filename or "file"
            found.append(ImportFile(name, path=path, ndjson=_is_ndjson(name, "")))
        return found
    path = spool / "body.part"
    size = 0
    with path.open("wb") as out:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _TooLarge
            await run_in_threadpool(out.write, chunk)
    return [ImportFile("(body)", path=path, ndjson=_is_ndjson(None, content_type))]


def _copy(source: BinaryIO, path: Path) -> int:
    source.seek(0)
    with path.open("wb") as out:
        shutil.copyfileobj(source, out, 1024 * 1024)
        return out.tell()


def _runner(request: Request) -> ImportRunner:
    state = request.app.state
    if getattr(state, "fhir_import_runner", None) is None:
        state.fhir_import_runner = ImportRunner(
            state.session_factory, state.settings.max_import_inflated_bytes
        )
    runner: ImportRunner = state.fhir_import_runner
    return runner


_QUEUED = {
    "description": (
        "Accepted: the import runs in the background (asked for with Prefer: respond-async, "
        "or a request larger than SPINEPATH_IMPORT_BACKGROUND_BYTES). Follow Content-Location "
        "(GET /fhir/imports/{import_id}) until its status is done or failed."
    ),
    "content": {"application/json": {"schema": {"type": "object"}}},
}


@router.post("/fhir/import", responses={202: _QUEUED})
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
    NDJSON is read line by line, so its size is not bounded by memory; a Bundle is read whole
    and may be at most 64 MB. Patients are created or updated (matched by identifier, MRN, or
    source resource id); the facts spinepath uses are stored per source resource; the report
    says what was used, what was skipped and why. A malformed input is refused whole (422) and
    nothing is written. Importing the same data again changes nothing.

    A large import (or one sent with `Prefer: respond-async`) answers 202 at once with the
    import's id and runs in the background; its status, progress and report are at
    `GET /fhir/imports/{import_id}`.
    """
    settings: Settings = request.app.state.settings
    spool = _spool_dir(settings)
    kept = False
    try:
        try:
            files = await _spool_request(request, spool, settings.max_import_request_bytes)
        except _TooLarge:
            limit = settings.max_import_request_bytes // (1024 * 1024)
            return problem(
                413, "Too large", f"an import is limited to {limit} MB: send it in parts"
            )
        received = sum(file.path.stat().st_size for file in files if file.path)
        background = (
            "respond-async" in request.headers.get("prefer", "").lower()
            or received > settings.import_background_bytes
        )

        def submit() -> tuple[Actor, uuid.UUID]:
            with api_work(request) as (session, actor):
                job = importer.submit(
                    session, actor, [f.name for f in files], source=source, background=background
                )
                return actor, job.id

        actor, job_id = await run_in_threadpool(submit)
        if background:
            _runner(request).enqueue(actor, job_id, files, spool)
            kept = True
            location = f"{API_PREFIX}/fhir/imports/{job_id}"
            return JSONResponse(
                {"import_id": str(job_id), "status": "queued", "status_url": location},
                status_code=202,
                headers={"Content-Location": location, "Location": location},
            )

        def work() -> dict[str, Any]:
            return importer.run(
                request.app.state.session_factory,
                actor,
                job_id,
                files,
                budget_bytes=settings.max_import_inflated_bytes,
            )

        try:
            return JSONResponse(await run_in_threadpool(work))
        except IntegrityError:
            # Another import wrote the same patient or facts at the same moment.
            return problem(409, "Conflict", importer.CONFLICT_MESSAGE)
    finally:
        if not kept:
            await run_in_threadpool(shutil.rmtree, spool, True)


@router.get("/fhir/imports/{import_id}")
def get_import(request: Request, import_id: uuid.UUID) -> dict[str, Any]:
    """An import's status (queued, reading, saving, done, failed) and progress; once done its
    report, once failed the problems found (nothing of a failed import is saved)."""
    with api_work(request) as (session, actor):
        return service.import_status(session, actor, import_id)


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
