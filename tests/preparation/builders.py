"""Builders for the preparation tests: procedure times that lie ahead of the real clock, the
contract's worked example, episode payloads, a logged-in web client, a readability measure."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from html.parser import HTMLParser
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import textstat

from spinepath.accounts.roles import Role
from tests.api.helpers import create_patient, open_episode
from tests.support import PASSWORD, ClinicUsers

CHICAGO = ZoneInfo("America/Chicago")
CONTRACT_START = datetime(2026, 12, 1, 9, 0, tzinfo=CHICAGO)  # "2026-12-01T09:00:00-06:00"


def next_weekday_at(
    weekday: int, clock: time, zone: ZoneInfo = CHICAGO, *, at_least_days: int = 10
) -> datetime:
    """The first ``weekday`` (Monday = 0) at ``clock`` at least ``at_least_days`` from now."""
    day = datetime.now(zone).date() + timedelta(days=at_least_days)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return datetime.combine(day, clock, tzinfo=zone)


def contract_start(*, lead_days: int = 8) -> datetime:
    """The contract example's procedure start, moved on by whole years of 52 weeks (same
    weekday, same offset, -06:00) while it is less than ``lead_days`` ahead of the real clock."""
    start = CONTRACT_START
    while start - datetime.now(UTC) < timedelta(days=lead_days):
        start += timedelta(weeks=52)
    assert start.utcoffset() == timedelta(hours=-6)
    return start


def contract_example(start: datetime | None = None) -> dict[str, Any]:
    """The contract's example input, verbatim apart from the date (see :func:`contract_start`)."""
    start = start or contract_start()
    return {
        "procedure_start": start.isoformat(),
        "edition": "sir-2019",
        "creatinine_clearance_ml_min": 45,
        "medications": [
            {
                "name": "Eliquis 5 mg",
                "frequency": "twice daily",
                "rxnorm": None,
                "dose_times": ["08:00", "20:00"],
            }
        ],
        "labs": {"inr": 1.1, "platelets_10e9_per_l": 210},
    }


def next_dst_change(zone: ZoneInfo, *, at_least_days: int = 10) -> date:
    """The first day on which ``zone``'s UTC offset changes, at least ``at_least_days`` ahead."""
    day = datetime.now(zone).date() + timedelta(days=at_least_days)
    for _ in range(800):
        before = datetime.combine(day, time(0), tzinfo=zone).utcoffset()
        after = datetime.combine(day, time(23, 59), tzinfo=zone).utcoffset()
        if before != after:
            return day
        day += timedelta(days=1)
    raise AssertionError(f"{zone} has no daylight-saving change")


def episode_payload(start: datetime, **changes: Any) -> dict[str, Any]:
    """A stored plan's input: a realistic list of medicines, labs, arrival and follow-up."""
    payload: dict[str, Any] = {
        "procedure_start": start.isoformat(),
        "arrival_at": (start - timedelta(minutes=90)).isoformat(),
        "follow_up_at": datetime.combine(
            start.date() + timedelta(days=14), time(10, 30), tzinfo=start.tzinfo
        ).isoformat(),
        "edition": "sir-2019",
        "creatinine_clearance_ml_min": 65,
        "medications": [
            {"name": "Eliquis 5 mg", "frequency": "twice daily", "dose_times": ["08:00", "20:00"]},
            {"name": "Plavix 75 mg", "frequency": "once daily", "dose_times": ["09:00"]},
            {"name": "Lipitor 20 mg", "frequency": "once daily", "dose_times": ["21:00"]},
            {"name": "Coumadin 5 mg", "frequency": "once daily", "dose_times": ["18:00"]},
        ],
        "labs": {"inr": 1.1, "platelets_10e9_per_l": 210, "hemoglobin_g_dl": 12.9},
    }
    payload.update(changes)
    return payload


def decide_awaiting(client: httpx.Client, episode: dict[str, Any], body: dict[str, Any]) -> Any:
    """A physician decides every medicine still awaiting a decision (the other edition's
    suggestion where there is one, else a call to the patient); the stored plan after it."""
    for item in body["plan"]["awaiting_decision"]:
        entry = body["plan"]["medications"][item["medicine"]]
        action = "follow_suggestion" if entry["suggestion"] else "call_patient"
        answer = client.post(
            f"/api/v1/episodes/{episode['id']}/preparation/medications/{item['medicine']}"
            "/decision",
            json={"action": action, "version": body["version"]},
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
    assert body["plan"]["awaiting_decision"] == []
    return body


def new_episode(clinic: ClinicUsers, family_name: str = "Okafor") -> dict[str, Any]:
    with clinic.client(Role.COORDINATOR) as client:
        patient = create_patient(client, family_name=family_name, given_name="Grace")
        return open_episode(client, patient["id"])


@contextmanager
def web_client(clinic: ClinicUsers, role: Role) -> Iterator[httpx.Client]:
    """An httpx client logged in through the login form (a web session cookie)."""
    with httpx.Client(base_url=clinic.server.base_url, timeout=30) as client:
        form = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token is not None
        answer = client.post(
            "/login",
            data={
                "csrf_token": token.group(1),
                "next": "/",
                "username": clinic.username(role),
                "password": PASSWORD,
            },
        )
        assert answer.status_code == 303, answer.text
        yield client


def uid() -> str:
    return uuid.uuid4().hex[:8]


# --- readability ------------------------------------------------------------------------------

_BLOCKS = {
    "h1",
    "h2",
    "h3",
    "h4",
    "p",
    "li",
    "dt",
    "dd",
    "summary",
    "caption",
    "td",
    "th",
    "a",
    "button",
    "label",
}


class _Blocks(HTMLParser):
    """The text of each block element under ``root_id`` (or the whole body)."""

    def __init__(self, root_id: str | None) -> None:
        super().__init__()
        self.root_id = root_id
        self.depth = 0 if root_id else 1
        self.skip = 0
        self.blocks: list[str] = []
        self.current: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style", "title"}:
            self.skip += 1
        if self.root_id and dict(attrs).get("id") == self.root_id:
            self.depth = 1
        elif self.depth and tag not in {"br", "img", "input", "meta", "link"}:
            self.depth += 1
        if tag in _BLOCKS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "title"}:
            self.skip -= 1
        if tag in _BLOCKS:
            self._flush()
        if self.depth and self.root_id:
            self.depth -= 1
            if self.depth == 0:
                self.root_id = "(done)"

    def handle_data(self, data: str) -> None:
        if self.depth and not self.skip:
            self.current.append(data)

    def _flush(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.blocks.append(text)
        self.current = []


def page_blocks(html: str, root_id: str | None = None) -> list[str]:
    parser = _Blocks(root_id)
    parser.feed(html)
    parser.close()
    parser._flush()
    return parser.blocks


def reading_grade(blocks: list[str]) -> float:
    """Flesch-Kincaid grade (textstat 0.7.3) of text blocks. A heading, list item or button
    that does not end in a full stop is still its own unit, so one is added where missing."""
    text = " ".join(b if b.rstrip()[-1:] in ".!?:" else f"{b}." for b in blocks if b.strip())
    return float(textstat.flesch_kincaid_grade(text))
