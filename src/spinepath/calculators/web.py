"""Calculator pages: an index, and one page per instrument with its form, result and sources.

The form is generated from the instrument's input JSON Schema (``spinepath.web.schema_form``), and
the submitted form is read back into the JSON input the API and the command line take.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from spinepath.calculators import service
from spinepath.clinical.errors import FieldError, InvalidInput
from spinepath.web.render import page
from spinepath.web.schema_form import (
    build_form,
    clean_description,
    labels_of,
    place_errors,
    read_form,
    readable,
    result_view,
)
from spinepath.web.session import check_csrf, web_work

router = APIRouter()


@router.get("/calculators", response_class=HTMLResponse)
def calculators_page(request: Request) -> Response:
    with web_work(request):
        return page(request, "calculators.html", {"calculators": service.list_calculators()})


@router.get("/calculators/{name}", response_class=HTMLResponse)
def calculator_page(request: Request, name: str) -> Response:
    with web_work(request) as (_, _, token):
        calculator = service.get_calculator(name)
        return _render(request, calculator, token.csrf_token, FormData(), submitted=False)


@router.post("/calculators/{name}", response_class=HTMLResponse)
async def calculate(request: Request, name: str) -> Response:
    form = await request.form()
    with web_work(request) as (_, _, token):
        calculator = service.get_calculator(name)
        submitted = form.get("csrf_token") or request.headers.get("x-csrf-token")
        check_csrf(token, submitted if isinstance(submitted, str) else None)
        return _render(request, calculator, token.csrf_token, form, submitted=True)


def _render(
    request: Request,
    calculator: dict[str, Any],
    csrf_token: str | None,
    form: FormData,
    *,
    submitted: bool,
) -> Response:
    schema = calculator["input_schema"]
    fields = build_form(schema, service.choice_meanings(calculator["name"]))
    errors: list[FieldError] = []
    result: dict[str, Any] | None = None
    data: dict[str, Any] = {}
    if submitted:
        data, errors = read_form(fields, form)
        try:
            result = service.run_calculator(calculator["name"], data)
        except InvalidInput as invalid:
            errors += [e for e in invalid.errors if e.field not in {p.field for p in errors}]
        if errors:
            result = None
    placed = {
        path: readable(message, fields) for path, message in place_errors(fields, errors).items()
    }
    labels = labels_of(fields)
    summary = {labels.get(path, path): message for path, message in placed.items()}
    context = {
        "calculator": calculator,
        "fields": fields,
        "form": form,
        "submitted": submitted,
        "errors": placed,
        "summary": summary,
        "result": result_view(result) if result is not None else None,
        "input_json": json.dumps(data, indent=2, ensure_ascii=False) if result else "",
        "csrf_token": csrf_token,
        "intro": readable(
            clean_description(str(calculator["input_schema"].get("description", ""))), fields
        ),
    }
    return page(request, "calculator.html", context, status_code=422 if errors else 200)
