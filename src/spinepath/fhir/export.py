"""An episode as a FHIR R4 Bundle (type collection), built from sections that packages contribute.

A *section* is a named function ``build(ctx) -> list[resource]``. Each domain package that exports
records (procedures, vital signs, questionnaires, medicine holds) has a ``fhir.py`` module with
``FHIR_SECTIONS``, a sequence of :class:`Section`; ``fhir.export_sections`` joins them, by plain
imports, so a missing module fails at start-up instead of leaving a part out of the export.

Resources refer to each other by ``urn:uuid`` full URLs inside the bundle. Ids are the record's
own UUID or, for resources derived from a record, a stable UUID made from it (uuid5), so the
same episode exports the same ids every time. Empty elements are removed before export (FHIR
JSON allows no empty arrays, objects or strings).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from spinepath.accounts.roles import Permission
from spinepath.audit import service as audit
from spinepath.context import Actor
from spinepath.episodes.models import Episode
from spinepath.episodes.service import load_episode
from spinepath.patients.models import Patient
from spinepath.store.base import utc_now

# Derived resource ids: uuid5(EXPORT_NAMESPACE, "<kind>:<record id>").
EXPORT_NAMESPACE = uuid.UUID("6f1d3c52-1f7e-4d0e-9a55-4b5f6a0c2e11")


@dataclass
class ExportContext:
    """What a section needs: the session, the actor, the episode and its patient."""

    session: Session
    actor: Actor
    episode: Episode
    patient: Patient
    exported_at: datetime
    export_audit_event_id: int | None = None
    shared: dict[str, Any] = field(default_factory=dict)

    @staticmethod
    def full_url(resource_id: str) -> str:
        return f"urn:uuid:{resource_id}"

    @staticmethod
    def derived_id(kind: str, record_id: object) -> str:
        return str(uuid.uuid5(EXPORT_NAMESPACE, f"{kind}:{record_id}"))

    @property
    def patient_reference(self) -> dict[str, str]:
        return {"reference": self.full_url(str(self.patient.id))}


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    build: Callable[[ExportContext], list[dict[str, Any]]]


def checked_sections(sections: Sequence[Section]) -> tuple[Section, ...]:
    """``sections`` as they are, refusing two sections of one name."""
    names = [section.name for section in sections]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise RuntimeError(f"FHIR export sections named twice: {', '.join(duplicates)}")
    return tuple(sections)


def clean(value: Any) -> Any:
    """Drop None, empty strings, empty lists and empty objects, recursively."""
    if isinstance(value, dict):
        cleaned = {k: clean(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        items = [clean(v) for v in value]
        return [v for v in items if v not in (None, "", [], {})]
    return value


def export_episode(
    session: Session,
    actor: Actor,
    episode_id: uuid.UUID,
    *,
    sections: Sequence[Section],
) -> dict[str, Any]:
    """The episode as a FHIR Bundle; the export itself is audited first (and included)."""
    actor.require(Permission.READ_PATIENTS, "export patient records")
    episode = load_episode(session, actor, episode_id)
    now = utc_now()
    event = audit.record(
        session,
        actor,
        "export",
        "episode",
        episode.id,
        patient_id=episode.patient_id,
        detail={"format": "fhir-r4-bundle"},
    )
    session.flush()
    ctx = ExportContext(session, actor, episode, episode.patient, now, event.id)
    entries: list[dict[str, Any]] = []
    seen: set[str] = set()
    for section in sections:
        for resource in section.build(ctx):
            resource = clean(resource)
            key = f"{resource['resourceType']}/{resource['id']}"
            if key in seen:
                raise RuntimeError(f"section {section.name} exported {key} twice")
            seen.add(key)
            entries.append({"fullUrl": ctx.full_url(resource["id"]), "resource": resource})
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "meta": {"lastUpdated": instant(now)},
        "identifier": {
            "system": "urn:ietf:rfc:3986",
            "value": f"urn:uuid:{ctx.derived_id('episode-export', f'{episode.id}:{event.id}')}",
        },
        "type": "collection",
        "timestamp": instant(now),
        "entry": entries,
    }


def instant(moment: datetime) -> str:
    """A FHIR instant in whole seconds, UTC written as Z."""
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")
