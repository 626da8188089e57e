"""JSON routes for the calculators: list them, describe one, run one.

``POST /calculators/{name}`` answers with exactly the object ``spinepath calc NAME`` prints, and
with the same field errors (as a 422 problem) when the input is invalid.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from spinepath.api.deps import api_work
from spinepath.calculators import service

router = APIRouter(prefix="/calculators", tags=["calculators"])


class SourceOut(BaseModel):
    id: str
    title: str
    citation: str
    edition: str
    confidence: str = Field(
        description="P read in the primary text or its abstract; S from a secondary copy"
    )
    url: str
    note: str


class CalculatorOut(BaseModel):
    name: str
    title: str
    edition: str
    sources: list[SourceOut]
    formula: str
    note: str
    input_schema: dict[str, Any] = Field(description="JSON Schema of the POST body")


class CalculatorList(BaseModel):
    calculators: list[CalculatorOut]


_RESULT_DOC: dict[int | str, dict[str, Any]] = {
    "200": {
        "description": (
            "The result: instrument, edition, sources (ids) and the instrument's own fields; "
            "the same JSON object the command line prints."
        ),
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}
_BODY_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The instrument's input, a JSON object (see its input_schema).",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


@router.get("", response_model=CalculatorList)
def list_calculators(request: Request) -> CalculatorList:
    """Every instrument with its title, edition, sources, formula and input JSON Schema."""
    with api_work(request):
        return CalculatorList.model_validate({"calculators": service.list_calculators()})


@router.get("/{name}", response_model=CalculatorOut)
def get_calculator(request: Request, name: str) -> CalculatorOut:
    """One instrument's description; 404 for an unknown name."""
    with api_work(request):
        return CalculatorOut.model_validate(service.get_calculator(name))


@router.post("/{name}", responses=_RESULT_DOC, openapi_extra=_BODY_DOC)
async def run_calculator(request: Request, name: str) -> JSONResponse:
    """Run one instrument. 422 names every invalid field; 404 for an unknown name."""
    # The body is read raw so that malformed JSON gets the same named error as on the
    # command line; the work itself (token check, computation) runs off the event loop.
    body = await request.body()
    result = await run_in_threadpool(_run, request, name, body)
    return JSONResponse(result)


def _run(request: Request, name: str, body: bytes) -> dict[str, Any]:
    with api_work(request):
        return service.run_calculator_json(name, body)
