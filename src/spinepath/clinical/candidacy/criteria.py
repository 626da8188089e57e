"""Shared types for criteria sets: three-valued findings, criterion results, set results.

A :class:`Finding` is a value that may be unknown: ``True``, ``False`` or ``None`` together with
the dotted paths of the recorded facts whose absence left it unknown (``fractures[0].mri_edema``).
``all_of`` and ``any_of`` combine findings by Kleene's three-valued logic, so a missing fact is
never read as "no": a conjunction is false only when some part is known to be false.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from spinepath.clinical.candidacy.context import CaseContext

Status = Literal["met", "not_met", "unknown"]
Kind = Literal["clinical", "documentation"]
ContraindicationClass = Literal["absolute", "relative"]
ChecklistStatus = Literal["documented", "missing", "not_met", "not_applicable"]


def _dedupe(paths: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(paths))


@dataclass(frozen=True)
class Finding:
    value: bool | None
    missing: tuple[str, ...] = ()
    why: str = ""

    @property
    def status(self) -> Status:
        return status_of(self.value)


def _missing_of(items: Iterable[Finding]) -> tuple[str, ...]:
    return _dedupe(p for item in items if item.value is None for p in item.missing)


def fact(path: str, value: bool | None, why: str = "") -> Finding:
    """A recorded yes/no fact; unknown lists its own path as missing."""
    return Finding(value, () if value is not None else (path,), why)


def known(value: bool, why: str = "") -> Finding:
    return Finding(value, (), why)


def all_of(findings: Iterable[Finding], why: str = "") -> Finding:
    items = list(findings)
    if any(item.value is False for item in items):
        return Finding(False, (), why)
    if all(item.value is True for item in items):
        return Finding(True, (), why)
    return Finding(None, _missing_of(items), why)


def any_of(findings: Iterable[Finding], why: str = "") -> Finding:
    items = list(findings)
    if any(item.value is True for item in items):
        return Finding(True, (), why)
    if items and all(item.value is False for item in items):
        return Finding(False, (), why)
    return Finding(None, _missing_of(items), why)


def at_least(count: int, findings: Iterable[Finding]) -> Finding:
    """True when ``count`` are known true; False when not even every unknown could reach it."""
    items = list(findings)
    true = sum(1 for item in items if item.value is True)
    unknown = [item for item in items if item.value is None]
    if true >= count:
        return Finding(True)
    if true + len(unknown) < count:
        return Finding(False)
    return Finding(None, _missing_of(unknown))


def status_of(value: bool | None) -> Status:
    return "met" if value is True else "not_met" if value is False else "unknown"


@dataclass(frozen=True)
class CriterionResult:
    """One criterion of a set: what it asks, its status, why, and the facts it rests on."""

    id: str
    title: str
    status: Status
    reason: str
    facts: Mapping[str, Any]
    source: str
    missing: tuple[str, ...] = ()
    derived: Mapping[str, Any] = field(default_factory=dict)
    kind: Kind = "clinical"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "reason": self.reason,
            "facts": dict(self.facts),
            "derived": dict(self.derived),
            "source": self.source,
            "kind": self.kind,
            "missing": list(self.missing),
        }


def criterion(
    id: str,
    title: str,
    finding: Finding,
    reason: str,
    facts: Mapping[str, Any],
    source: str,
    *,
    derived: Mapping[str, Any] | None = None,
    kind: Kind = "clinical",
) -> CriterionResult:
    return CriterionResult(
        id=id,
        title=title,
        status=finding.status,
        reason=reason,
        facts=facts,
        source=source,
        missing=finding.missing if finding.value is None else (),
        derived=derived or {},
        kind=kind,
    )


def overall_status(criteria: Iterable[CriterionResult]) -> Status:
    """met when every criterion is met; not_met when any is not met; otherwise unknown."""
    statuses = [item.status for item in criteria]
    if any(status == "not_met" for status in statuses):
        return "not_met"
    if statuses and all(status == "met" for status in statuses):
        return "met"
    return "unknown"


@dataclass(frozen=True)
class ChecklistItem:
    """A piece of documentation a payer expects, and whether the case shows it.

    ``fields`` are the paths still to record when the item is missing, else the paths it rests on.
    """

    id: str
    text: str
    status: ChecklistStatus
    fields: tuple[str, ...]
    source: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "status": self.status,
            "fields": list(self.fields),
            "source": self.source,
        }


@dataclass(frozen=True)
class SetResult:
    status: Status
    criteria: tuple[CriterionResult, ...]
    missing: tuple[str, ...]
    applies: bool | None
    scope: str
    indication: str | None = None
    checklist: tuple[ChecklistItem, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def clinically_not_met(self) -> tuple[CriterionResult, ...]:
        return tuple(c for c in self.criteria if c.status == "not_met" and c.kind == "clinical")


def set_result(
    criteria: Iterable[CriterionResult],
    *,
    applies: bool | None,
    scope: str,
    indication: str | None = None,
    checklist: Iterable[ChecklistItem] = (),
    notes: Iterable[str] = (),
) -> SetResult:
    items = tuple(criteria)
    status = overall_status(items)
    # Every unknown criterion's missing facts are questions, even when another criterion is
    # already not met: that one may be put right (criterion C) and these then decide.
    missing = _dedupe(p for item in items if item.status == "unknown" for p in item.missing)
    return SetResult(
        status=status,
        criteria=items,
        missing=missing,
        applies=applies,
        scope=scope,
        indication=indication,
        checklist=tuple(checklist),
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class Classification:
    """How one criteria set classes one contraindication, and on whose authority."""

    contraindication_class: ContraindicationClass
    sources: tuple[str, ...]
    wording: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "class": self.contraindication_class,
            "sources": list(self.sources),
            "wording": self.wording,
        }


@dataclass(frozen=True)
class CriteriaSet:
    """A named, versioned criteria set: data plus one small pure evaluation function."""

    name: str
    title: str
    edition: str
    source_ids: tuple[str, ...]
    evaluate: Callable[[CaseContext], SetResult]
    contraindications: Mapping[str, Classification]
    thresholds: tuple[Threshold, ...] = ()
    note: str = ""

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "edition": self.edition,
            "sources": list(self.source_ids),
            "note": self.note,
            "thresholds": [threshold.as_dict() for threshold in self.thresholds],
            "contraindications": {
                key: value.as_dict() for key, value in self.contraindications.items()
            },
        }


@dataclass(frozen=True)
class Threshold:
    """A number a criterion compares against, with its source: never a number without one."""

    name: str
    value: float
    comparison: Literal[">=", ">", "<=", "<"]
    meaning: str
    source: str
    confidence: Literal["P", "S", "U"]

    def holds(self, observed: float) -> bool:
        if self.comparison == ">=":
            return observed >= self.value
        if self.comparison == ">":
            return observed > self.value
        if self.comparison == "<=":
            return observed <= self.value
        return observed < self.value

    def text(self) -> str:
        value = int(self.value) if float(self.value).is_integer() else self.value
        return f"{self.comparison} {value}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "comparison": self.comparison,
            "meaning": self.meaning,
            "source": self.source,
            "confidence": self.confidence,
        }
