"""Builders for the assessment tests: an episode made from a core test case, and its facts.

The case of the core's tests (``tests.clinical.candidacy.builders``) is split the way the service
splits it: the patient record (birth date, sex) and the episode's fractures (level, onset,
etiology) on one side, the consultation facts on the other.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import httpx

from tests.api.helpers import create_patient, open_episode
from tests.clinical.candidacy.builders import QUALIFYING

EPISODE_FIELDS = ("level", "etiology", "symptom_onset")


def facts_of(case: Mapping[str, Any]) -> dict[str, Any]:
    """The consultation facts of a case: everything the episode does not already know."""
    facts = {k: copy.deepcopy(v) for k, v in case.items() if k not in ("patient", "fractures")}
    facts["patient"] = {"pregnant": case.get("patient", {}).get("pregnant")}
    facts["fractures"] = {
        f["level"]: {k: copy.deepcopy(v) for k, v in f.items() if k not in EPISODE_FIELDS}
        for f in case.get("fractures") or []
    }
    return facts


def episode_for(client: httpx.Client, case: Mapping[str, Any] = QUALIFYING) -> dict[str, Any]:
    """A patient and an episode holding the record's part of ``case``."""
    patient = create_patient(
        client, birth_date=case["patient"]["birth_date"], sex=case["patient"]["sex"]
    )
    fractures = [
        {"level": f["level"], "onset_date": f["symptom_onset"], "etiology": f["etiology"]}
        for f in case["fractures"]
    ]
    return open_episode(client, patient["id"], fractures=fractures)


def put_facts(
    client: httpx.Client, episode_id: str, facts: Mapping[str, Any], version: int | None
) -> httpx.Response:
    body: dict[str, Any] = {"facts": facts}
    if version is not None:
        body["version"] = version
    return client.put(f"/api/v1/episodes/{episode_id}/case-facts", json=body)


def save_facts(
    client: httpx.Client, episode_id: str, facts: Mapping[str, Any], version: int = 0
) -> dict[str, Any]:
    answer = put_facts(client, episode_id, facts, version)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def evaluate(client: httpx.Client, episode_id: str, **body: Any) -> dict[str, Any]:
    answer = client.post(f"/api/v1/episodes/{episode_id}/assessments", json=body or None)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def assessed(
    client: httpx.Client, case: Mapping[str, Any] = QUALIFYING
) -> tuple[dict[str, Any], dict[str, Any]]:
    """An episode of ``case`` with its facts saved and evaluated: (episode, assessment)."""
    episode = episode_for(client, case)
    save_facts(client, episode["id"], facts_of(case))
    return episode, evaluate(client, episode["id"])


def audit_events(client: httpx.Client) -> list[dict[str, Any]]:
    answer = client.get("/api/v1/audit-events", params={"per_page": 500})
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])
