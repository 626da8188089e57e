"""The entry point: a case in, the candidacy assessment out (the JSON of spinepath's specification).

``evaluate_case(raw, criteria_sets=None)`` validates ``raw`` (raising
:class:`~spinepath.clinical.errors.InvalidInput` that names every bad field), applies the chosen
criteria sets (every registered set when None, in registry order) and returns a JSON-ready dict:

- ``criteria_sets``: per set its status (met / not_met / unknown), criteria (id, status, reason,
  facts, source …), the missing facts as questions (``fractures[0].mri_edema``), its own
  contraindication classification, its payer checklist, title, edition and sources;
- ``contraindications``: present ones as ``absolute`` / ``relative`` (absolute when any applied
  set classes it so), ``unknown`` and per-id detail with each set's classification and source;
- ``recommendation``: the first action that applies, its reasons and the questions that decide;
- ``documentation_gaps``: what a payer expects that is missing or not met;
- extras: ``fracture_ages`` with the bound used and its source, ``fracture_age_bounds``,
  ``scores`` (SINS, OF score), ``procedure_considerations``, the normalised ``case`` it was
  computed from, and every ``sources`` id cited.

Pure and reproducible: no clock, no I/O; the same input gives the same output.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from spinepath.clinical.candidacy import contraindications, documentation, procedure, recommendation
from spinepath.clinical.candidacy.context import CaseContext, build_context
from spinepath.clinical.candidacy.criteria import CriteriaSet, SetResult
from spinepath.clinical.candidacy.fracture_age import FRACTURE_AGE_BOUNDS
from spinepath.clinical.candidacy.registry import resolve
from spinepath.clinical.candidacy.validation import validate

ENGINE = "candidacy"
EDITION = "1"


def _set_block(criteria_set: CriteriaSet, result: SetResult, ctx: CaseContext) -> dict[str, Any]:
    found = contraindications.presence(ctx)
    return {
        "title": criteria_set.title,
        "edition": criteria_set.edition,
        "sources": list(criteria_set.source_ids),
        "status": result.status,
        "applies": result.applies,
        "scope": result.scope,
        "indication": result.indication,
        "criteria": [item.as_dict() for item in result.criteria],
        "missing": list(result.missing),
        "contraindications": contraindications.classify_for_set(criteria_set, found),
        "checklist": [item.as_dict() for item in result.checklist],
        "notes": list(result.notes),
    }


def _fracture_ages(ctx: CaseContext) -> list[dict[str, Any]]:
    ages = []
    for f in ctx.fractures:
        entry: dict[str, Any] = {"fracture": f.path, "level": f.fracture.level}
        if f.age is None:
            missing = [] if f.fracture.symptom_onset else [f.at("symptom_onset")]
            if ctx.case.assessment_date is None:
                missing.append("assessment_date")
            entry.update({"days": None, "weeks": None, "category": None, "missing": missing})
        else:
            entry.update(
                {
                    "days": f.age.days,
                    "weeks": f.age.weeks,
                    "category": f.age.category,
                    "bound": f.age.bound.name,
                    "bound_weeks": f.age.bound.weeks,
                    "source": f.age.bound.source,
                    "confidence": f.age.bound.confidence,
                }
            )
        ages.append(entry)
    return ages


def _scores(ctx: CaseContext) -> list[dict[str, Any]]:
    found = []
    for f in ctx.fractures:
        s = f.scores
        if s.sins is None and not s.sins_note and s.of_input is None and not s.of_note:
            continue
        found.append(
            {
                "fracture": f.path,
                "level": f.fracture.level,
                "sins": dict(s.sins) if s.sins is not None else None,
                "sins_note": s.sins_note,
                "sins_used": s.sins is not None and f.fracture.etiology == "neoplastic",
                "of_score": dict(s.of_score) if s.of_score is not None else None,
                "of_input": dict(s.of_input) if s.of_input is not None else None,
                "of_unknown_items": list(s.of_unknown_items),
                "of_note": s.of_note,
            }
        )
    return found


def _questions_fitted(ctx: CaseContext) -> dict[str, Any]:
    """Questions not asked of this patient, and facts derived from another, with their rules."""
    not_asked = ctx.pregnancy_not_asked
    severe = ctx.severe_pain
    return {
        "not_asked": [not_asked.as_dict()] if not_asked is not None else [],
        "derived": [severe.as_dict()] if severe.derived else [],
    }


def _cited(blocks: Iterable[Any]) -> list[str]:
    """Every source id cited anywhere in the result, sorted."""
    ids: set[str] = set()
    # An explicit stack of (key, container): the result is a few hundred nodes, walked per call.
    # Leaves (most of the nodes) are looked at where they are found and never pushed.
    stack: list[tuple[str, Any]] = [("", block) for block in blocks]
    while stack:
        key, value = stack.pop()
        kind = type(value)  # exact types: the result is built of plain dicts and lists
        if kind is list or kind is tuple:
            cites = key in _SOURCE_KEYS
            for item in value:
                item_kind = type(item)
                if item_kind is str:
                    if cites:
                        ids.add(item)
                elif item_kind not in _LEAF_TYPES:
                    stack.append((key, item))
        elif kind is dict or (
            kind is not str and kind not in _LEAF_TYPES and isinstance(value, Mapping)
        ):
            for name, item in value.items():
                name = name if type(name) is str else str(name)
                item_kind = type(item)
                if item_kind is str:
                    if name in _SOURCE_KEYS:
                        ids.add(item)
                elif item_kind not in _LEAF_TYPES:
                    stack.append((name, item))
    return sorted(ids)


_SOURCE_KEYS = frozenset({"source", "sources", "also"})
_LEAF_TYPES = frozenset({int, float, bool, type(None)})


def evaluate_case(
    raw: Mapping[str, Any] | Any, criteria_sets: Iterable[str] | None = None
) -> dict[str, Any]:
    """Validate a case and assess its candidacy for vertebral augmentation."""
    applied = resolve(criteria_sets)
    case, scores = validate(raw)
    ctx = build_context(case, scores)
    results = {cs.name: cs.evaluate(ctx) for cs in applied}
    summary = contraindications.summarise(ctx, applied)
    suggestion = recommendation.recommend(ctx, applied, results, summary)
    result: dict[str, Any] = {
        "engine": ENGINE,
        "edition": EDITION,
        "assessment_date": case.assessment_date.isoformat() if case.assessment_date else None,
        "criteria_sets": {cs.name: _set_block(cs, results[cs.name], ctx) for cs in applied},
        "contraindications": summary,
        "recommendation": suggestion.as_dict(),
        "documentation_gaps": documentation.gaps(applied, results),
        "fracture_ages": _fracture_ages(ctx),
        "fracture_age_bounds": [bound.as_dict() for bound in FRACTURE_AGE_BOUNDS],
        "scores": _scores(ctx),
        "procedure_considerations": procedure.considerations(ctx),
        "questions_fitted": _questions_fitted(ctx),
        "case": case.model_dump(mode="json"),
    }
    result["sources"] = _cited(
        [
            result["criteria_sets"],
            result["contraindications"],
            result["documentation_gaps"],
            result["fracture_age_bounds"],
            result["scores"],
            result["procedure_considerations"],
            result["questions_fitted"],
        ]
    )
    return result
