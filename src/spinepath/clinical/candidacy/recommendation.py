"""The next step spinepath suggests, and why. The physician decides.

Actions in priority order; the first that applies wins:

1. ``urgent_surgical_evaluation`` — myelopathy or a neurological deficit;
2. ``surgical_evaluation`` — instability: SINS ≥ 7 on a neoplastic lesion, OF score > 6, or
   spinal instability;
3. ``not_a_candidate`` — an absolute contraindication, or advanced imaging negative for every
   fracture;
4. ``obtain_advanced_imaging`` — imaging is unknown and decides the outcome;
5. ``complete_missing_information`` — other unknowns decide the outcome;
6. ``continue_conservative_care`` — the criteria are not met (e.g. improving pain, a chronic
   fracture), or no applied set covers the fracture;
7. ``refer_for_vertebral_augmentation`` — every applied set that covers the case is met and no
   absolute contraindication is present.

An unknown *decides the outcome* when knowing it could change what happens next. A red flag that
would call for (urgent) surgical evaluation always does. Imaging, the criteria's other facts and
the absolute contraindications do so only while no applied set is already clinically not met. An
unmet documentation criterion (LCD criterion C) is information to complete, not a reason for
conservative care: the team can put it right today.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from spinepath.clinical.candidacy.context import CaseContext
from spinepath.clinical.candidacy.contraindications import TITLES, strictest
from spinepath.clinical.candidacy.criteria import CriteriaSet, SetResult

Action = Literal[
    "urgent_surgical_evaluation",
    "surgical_evaluation",
    "not_a_candidate",
    "obtain_advanced_imaging",
    "complete_missing_information",
    "continue_conservative_care",
    "refer_for_vertebral_augmentation",
]

ACTIONS: tuple[Action, ...] = (
    "urgent_surgical_evaluation",
    "surgical_evaluation",
    "not_a_candidate",
    "obtain_advanced_imaging",
    "complete_missing_information",
    "continue_conservative_care",
    "refer_for_vertebral_augmentation",
)

IMAGING_FIELDS = ("mri_edema", "bone_scan_uptake")


@dataclass(frozen=True)
class Recommendation:
    action: Action
    reasons: tuple[str, ...]
    questions: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "reasons": list(self.reasons),
            "questions": list(self.questions),
            "decided_by": "the physician; this is a suggestion with its reasons",
        }


def _dedupe(items: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _red_flags(ctx: CaseContext) -> tuple[list[str], list[str], list[str]]:
    """(urgent reasons, surgical reasons, unknown red-flag paths)."""
    screening = ctx.case.screening
    urgent, surgical, unknown = [], [], []
    if screening.myelopathy:
        urgent.append("myelopathy recorded (screening.myelopathy)")
    if screening.neurological_deficit:
        urgent.append("neurological deficit recorded (screening.neurological_deficit)")
    if screening.spinal_instability:
        surgical.append("spinal instability recorded (screening.spinal_instability)")
    for name in ("myelopathy", "neurological_deficit", "spinal_instability"):
        if getattr(screening, name) is None:
            unknown.append(f"screening.{name}")
    for f in ctx.fractures:
        sins = f.scores.sins
        if sins is not None and f.fracture.etiology == "neoplastic":
            if sins.get("surgical_consultation"):
                surgical.append(
                    f"{f.label}: SINS {sins.get('total')} ({sins.get('category')}) — 7 or more "
                    "warrants surgical consultation"
                )
        elif f.fracture.etiology == "neoplastic":
            unknown.append(f.at("sins"))
        of = f.scores.of_score
        if of is not None and of.get("recommendation") == "surgical":
            surgical.append(
                f"{f.label}: OF score {of.get('total')} (> 6: surgical treatment suggested)"
            )
    return urgent, surgical, unknown


def recommend(
    ctx: CaseContext,
    applied: Sequence[CriteriaSet],
    results: Mapping[str, SetResult],
    contraindications: Mapping[str, Any],
) -> Recommendation:
    urgent, surgical, red_unknown = _red_flags(ctx)
    if urgent:
        return Recommendation("urgent_surgical_evaluation", tuple(urgent))
    if surgical:
        return Recommendation("surgical_evaluation", tuple(surgical))

    absolute = list(contraindications.get("absolute", ()))
    if absolute:
        return Recommendation(
            "not_a_candidate",
            tuple(f"absolute contraindication: {TITLES[c]} ({c})" for c in absolute),
        )
    imaging = [f.imaging() for f in ctx.fractures]
    if imaging and all(item.value is False for item in imaging):
        return Recommendation(
            "not_a_candidate",
            tuple(
                f"{f.label}: {item.why} — negative for an acute fracture"
                for f, item in zip(ctx.fractures, imaging, strict=True)
            ),
        )

    in_scope = [(cs, results[cs.name]) for cs in applied if results[cs.name].applies is not False]
    out_of_scope = [cs for cs in applied if results[cs.name].applies is False]
    clinical_not_met = [
        f"{cs.name} {c.id} not met: {c.reason}"
        for cs, result in in_scope
        for c in result.clinically_not_met
    ]
    decided_against = bool(clinical_not_met) or not in_scope
    unknown_paths = [
        path
        for _, result in in_scope
        for c in result.criteria
        if c.status == "unknown"
        for path in c.missing
    ]
    documentation_not_met = [
        f"{cs.name} {c.id} not met: {c.reason}"
        for cs, result in in_scope
        for c in result.criteria
        if c.status == "not_met" and c.kind == "documentation"
    ]
    absolute_unknown = [
        path
        for item in contraindications.get("items", ())
        if item["present"] is None and strictest(item["id"], applied) == "absolute"
        for path in item["missing"]
    ]
    otherwise: list[str] = []
    if clinical_not_met:
        otherwise = ["otherwise: " + reason for reason in clinical_not_met]

    if not decided_against:
        imaging_unknown = [p for p in unknown_paths if p.rsplit(".", 1)[-1] in IMAGING_FIELDS]
        if imaging_unknown:
            return Recommendation(
                "obtain_advanced_imaging",
                (
                    "advanced imaging (MRI with STIR/T2 fat-sat, or bone scan) decides whether "
                    "the fracture is acute or unhealed: not recorded",
                ),
                _dedupe(imaging_unknown + unknown_paths + red_unknown + absolute_unknown),
            )

    questions = list(red_unknown)
    reasons = [
        f"not recorded: {path} — it could call for surgical evaluation" for path in red_unknown
    ]
    if not decided_against:
        questions += unknown_paths + absolute_unknown
        reasons += [
            f"not recorded: {path} — it decides whether the criteria are met"
            for path in _dedupe(unknown_paths)
        ]
        reasons += [
            f"not recorded: {path} — an absolute contraindication if present"
            for path in _dedupe(absolute_unknown)
        ]
        reasons += [f"to complete: {reason}" for reason in documentation_not_met]
    if reasons:
        return Recommendation(
            "complete_missing_information", _dedupe(reasons + otherwise), _dedupe(questions)
        )

    if decided_against:
        because = clinical_not_met or [
            "none of the applied criteria sets covers this case: "
            + "; ".join(f"{cs.name} covers {results[cs.name].scope}" for cs in out_of_scope)
        ]
        return Recommendation("continue_conservative_care", tuple(because))

    reasons = [f"{cs.name}: every criterion met" for cs, _ in in_scope]
    relative = list(contraindications.get("relative", ()))
    if relative:
        reasons.append(
            "relative contraindications to weigh: "
            + ", ".join(f"{TITLES[c]} ({c})" for c in relative)
        )
    unscreened = list(contraindications.get("unknown", ()))
    if unscreened:
        reasons.append("relative contraindications not screened: " + ", ".join(unscreened))
    reasons.append("no absolute contraindication present")
    return Recommendation("refer_for_vertebral_augmentation", tuple(reasons))
