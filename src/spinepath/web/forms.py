"""Turning submitted forms into validated input, with errors kept for re-display."""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel

from spinepath.clinical.errors import parse_input

ModelT = TypeVar("ModelT", bound=BaseModel)


async def form_data(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def parse_form(model: type[ModelT], data: dict[str, Any], fields: tuple[str, ...]) -> ModelT:
    """Blank form fields mean "not given"; raises InvalidInput naming every bad field."""
    values = {name: data[name].strip() for name in fields if data.get(name, "").strip() != ""}
    return parse_input(model, values)


def csrf_from(request: Request, data: dict[str, str]) -> str | None:
    return data.get("csrf_token") or request.headers.get("x-csrf-token")
