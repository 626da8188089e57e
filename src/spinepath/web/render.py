"""Jinja2 environment and helpers shared by the web pages."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from spinepath.episodes.pathway import STAGE_LABELS, Stage

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def local_time(value: datetime | None, time_zone: str, fmt: str = "%d %b %Y %H:%M") -> str:
    """Times are shown in the clinic's zone, never the server's."""
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(time_zone)).strftime(fmt)


def long_date(value: date | None) -> str:
    return value.strftime("%d %b %Y") if value else ""


def stage_label(value: str | None) -> str:
    if not value:
        return ""
    try:
        return STAGE_LABELS[Stage(value)]
    except ValueError:
        return value


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def dict_prefix(errors: dict[str, str], prefix: str) -> dict[str, str]:
    """The errors of one form on a page with several: keys without their form's prefix."""
    return {k[len(prefix) :]: v for k, v in errors.items() if k.startswith(prefix)}


templates.env.filters["long_date"] = long_date
templates.env.filters["dict_prefix"] = dict_prefix
templates.env.filters["stage_label"] = stage_label
templates.env.globals["local_time"] = local_time
templates.env.globals["age_on"] = age_on


def page(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    actor = getattr(request.state, "actor", None)
    base = {
        "actor": actor,
        "time_zone": actor.clinic_time_zone if actor else "UTC",
        "now_utc": datetime.now(UTC),
    }
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status_code)
