"""Turning submitted forms into validated input, with errors kept for re-display."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from fastapi import Request
from pydantic import BaseModel

from spinepath.clinical.errors import InvalidInput, parse_input
from spinepath.errors import DomainError

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


async def multi_form(request: Request) -> dict[str, list[str]]:
    """Every submitted value per name (checkbox groups send several)."""
    form = await request.form()
    found: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            found.setdefault(key, []).append(value)
    return found


def first(data: dict[str, list[str]], name: str) -> str:
    values = data.get(name) or [""]
    return values[0].strip()


def single_values(data: dict[str, list[str]]) -> dict[str, str]:
    return {key: values[0] for key, values in data.items() if values}


def local_to_aware(text: str, time_zone: str) -> datetime | str:
    """A datetime-local value in the clinic's zone, as an aware datetime; unparseable text is
    passed on so validation names the field."""
    try:
        naive = datetime.fromisoformat(text)
    except ValueError:
        return text
    if naive.tzinfo is not None:
        return naive
    return naive.replace(tzinfo=ZoneInfo(time_zone))


def local_input(value: datetime | None, time_zone: str) -> str:
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(time_zone)).strftime("%Y-%m-%dT%H:%M")


def version_of(data: dict[str, str]) -> int | None:
    """The record version a form was opened at (a hidden field); None when it is missing."""
    version = data.get("version", "").strip()
    return int(version) if version.isdigit() else None


def shown_again(current: dict[str, str], sent: dict[str, str] | None) -> dict[str, str]:
    """An edit form's values: the record's, overlaid with what was sent when it is shown again
    after a refusal; the version stays the one the form was first opened at."""
    if sent is None:
        return current
    return {**current, **sent, "version": sent.get("version", "")}


def errors_of(refused: Exception) -> dict[str, str]:
    """A refusal as the messages a page shows: each invalid field, or one for the whole form."""
    if isinstance(refused, InvalidInput):
        return {error.field: error.message for error in refused.errors}
    if isinstance(refused, DomainError):
        return {"form": refused.detail}
    return {"form": str(refused)}


def status_of(refused: Exception) -> int:
    """The status a page answers a refusal with."""
    return 422 if isinstance(refused, InvalidInput) else getattr(refused, "status", 400)
