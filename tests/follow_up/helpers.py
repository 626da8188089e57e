"""Builders for follow-up tests: episodes walked through the real pathway over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from spinepath.accounts.roles import Role
from tests.api.helpers import create_patient, move, open_episode
from tests.procedures import builders as procedure_builders
from tests.support import ClinicUsers


def discharged_episode(
    clinic: ClinicUsers, *, fractures: list[dict[str, Any]] | None = None, **patient: Any
) -> dict[str, Any]:
    """An episode walked through the procedure day and discharged, which starts its follow-up
    plan."""
    with clinic.client(Role.PHYSICIAN) as client:
        return procedure_builders.discharged_episode(client, fractures=fractures, **patient)


def discharge(client: httpx.Client, episode: dict[str, Any]) -> dict[str, Any]:
    """``episode`` (at Referral) walked through the procedure day and discharged."""
    return procedure_builders.discharged_episode(client, episode=episode)


def conservative_episode(clinic: ClinicUsers, **patient: Any) -> dict[str, Any]:
    with clinic.client(Role.PHYSICIAN) as client:
        created = create_patient(client, **patient)
        episode = open_episode(client, created["id"])
        episode = move(client, episode, "consultation")
        episode = move(client, episode, "conservative_care")
        return move(client, episode, "treated_conservatively", "pain settled with medicines")


def follow_up(client: httpx.Client, episode_id: str) -> dict[str, Any]:
    answer = client.get(f"/api/v1/episodes/{episode_id}/follow-up")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def set_anchor(client: httpx.Client, episode_id: str, anchor: str) -> dict[str, Any]:
    plan = follow_up(client, episode_id)["plan"]
    answer = client.patch(
        f"/api/v1/episodes/{episode_id}/follow-up",
        json={"anchor_date": anchor, "version": plan["version"]},
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def contact(view: dict[str, Any], code: str) -> dict[str, Any]:
    return next(c for c in view["contacts"] if c["code"] == code)


def odi(*points: int | None) -> list[int | None]:
    assert len(points) == 10
    return list(points)


def token_of(url: str) -> str:
    return url.rsplit("/q/", 1)[1]


@contextmanager
def web_client(clinic: ClinicUsers, role: Role) -> Iterator[httpx.Client]:
    """A cookie session logged in through the real login form."""
    from tests.support import PASSWORD

    with httpx.Client(base_url=clinic.server.base_url, follow_redirects=True, timeout=30) as client:
        form = client.get("/login")
        answer = client.post(
            "/login",
            data={
                "username": clinic.username(role),
                "password": PASSWORD,
                "csrf_token": page_csrf(form.text),
            },
        )
        assert answer.status_code == 200, answer.text
        yield client


def page_csrf(html: str) -> str:
    """The session's CSRF token, as the page gives it to its forms (the log-out form in the
    header carries a token of its own)."""
    return html.split('"X-CSRF-Token": "')[1].split('"')[0]
