"""Contraindications: which are present, and how each applied criteria set classes them.

The ids and the facts they rest on are fixed here. Whether one is absolute or relative belongs to
each criteria set (its ``contraindications`` table, with sources), because the sources disagree:
pregnancy is absolute in LCD L38201 and relative in L38213; uncorrectable coagulopathy and cement
allergy are absolute in the ACR practice parameter and relative in the LCD.

The summary over several sets lists an id as absolute when any applied set classes it absolute
(the strictest reading); each set's own classification is kept beside it and in the set's block.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from spinepath.clinical.candidacy.context import CaseContext
from spinepath.clinical.candidacy.criteria import (
    Classification,
    ContraindicationClass,
    CriteriaSet,
    Finding,
    fact,
    known,
)
from spinepath.clinical.sources.candidacy import ACR_VA_PRACTICE_PARAMETER_2017, CMS_LCD_L38201

# In the order of spinepath's specification.
CONTRAINDICATION_IDS: tuple[str, ...] = (
    "active_infection",
    "uncorrectable_coagulopathy",
    "cement_or_contrast_allergy",
    "pregnancy",
    "pain_from_other_cause",
    "neurological_deficit",
    "myelopathy",
    "radicular_pain",
    "spinal_instability",
    "retropulsion",
    "more_than_three_levels",
    "improving_on_medical_therapy",
)

MORE_THAN_LEVELS = 3  # LCD L38201: more than 3 fractures treated in one procedure (relative).

TITLES: Mapping[str, str] = {
    "active_infection": "active infection (osteomyelitis, discitis, systemic)",
    "uncorrectable_coagulopathy": "coagulopathy that cannot be corrected",
    "cement_or_contrast_allergy": "allergy to bone cement or contrast",
    "pregnancy": "pregnancy",
    "pain_from_other_cause": "pain not mainly from the fracture",
    "neurological_deficit": "neurological deficit",
    "myelopathy": "myelopathy",
    "radicular_pain": "radicular pain / neural impingement",
    "spinal_instability": "spinal instability",
    "retropulsion": "retropulsed fragment / canal compromise",
    "more_than_three_levels": f"more than {MORE_THAN_LEVELS} levels in one procedure",
    "improving_on_medical_therapy": "pain improving on medical therapy",
}


def _screening(name: str) -> Callable[[CaseContext], tuple[Finding, dict[str, Any]]]:
    def read(ctx: CaseContext) -> tuple[Finding, dict[str, Any]]:
        path = f"screening.{name}"
        value = getattr(ctx.case.screening, name)
        return fact(path, value), {path: value}

    return read


def _pregnancy(ctx: CaseContext) -> tuple[Finding, dict[str, Any]]:
    value = ctx.case.patient.pregnant
    facts: dict[str, Any] = {"patient.pregnant": value}
    not_asked = ctx.pregnancy_not_asked
    if not_asked is not None:
        facts["not_asked"] = not_asked.as_dict()
    return ctx.pregnancy_finding(), facts


def _levels(ctx: CaseContext) -> tuple[Finding, dict[str, Any]]:
    if not ctx.has_fractures:
        return fact("fractures", None), {"fractures": None}
    count = len(ctx.fractures)
    return known(count > MORE_THAN_LEVELS), {"fractures.count": count}


def _improving(ctx: CaseContext) -> tuple[Finding, dict[str, Any]]:
    trend = ctx.case.pain.trend
    if trend is None:
        return fact("pain.trend", None), {"pain.trend": None}
    return known(trend == "improving"), {"pain.trend": trend}


READERS: Mapping[str, Callable[[CaseContext], tuple[Finding, dict[str, Any]]]] = {
    "active_infection": _screening("active_infection"),
    "uncorrectable_coagulopathy": _screening("uncorrectable_coagulopathy"),
    "cement_or_contrast_allergy": _screening("cement_or_contrast_allergy"),
    "pregnancy": _pregnancy,
    "pain_from_other_cause": _screening("pain_from_other_cause"),
    "neurological_deficit": _screening("neurological_deficit"),
    "myelopathy": _screening("myelopathy"),
    "radicular_pain": _screening("radicular_pain"),
    "spinal_instability": _screening("spinal_instability"),
    "retropulsion": _screening("retropulsion"),
    "more_than_three_levels": _levels,
    "improving_on_medical_therapy": _improving,
}


def _c(cls: ContraindicationClass, source: str, wording: str) -> Classification:
    return Classification(cls, (source,), wording)


# ACR–ASNR–ASSR–SIR–SNIS practice parameter 2017, contraindications as commonly listed [S].
PRACTICE_PARAMETER_2017: Mapping[str, Classification] = {
    "active_infection": _c(
        "absolute",
        ACR_VA_PRACTICE_PARAMETER_2017,
        "septicaemia or active osteomyelitis of the target vertebra",
    ),
    "uncorrectable_coagulopathy": _c(
        "absolute", ACR_VA_PRACTICE_PARAMETER_2017, "uncorrectable coagulopathy"
    ),
    "cement_or_contrast_allergy": _c(
        "absolute", ACR_VA_PRACTICE_PARAMETER_2017, "allergy to bone cement or opacification agent"
    ),
    "radicular_pain": _c(
        "relative",
        ACR_VA_PRACTICE_PARAMETER_2017,
        "radicular pain from compression unrelated to the vertebral collapse",
    ),
    "retropulsion": _c(
        "relative",
        ACR_VA_PRACTICE_PARAMETER_2017,
        "retropulsed fragment or epidural tumour with neurological signs",
    ),
    "neurological_deficit": _c(
        "relative",
        ACR_VA_PRACTICE_PARAMETER_2017,
        "neurological signs from retropulsion or epidural tumour",
    ),
    "myelopathy": _c(
        "relative", ACR_VA_PRACTICE_PARAMETER_2017, "myelopathy or cauda equina at the level"
    ),
    "improving_on_medical_therapy": _c(
        "relative", ACR_VA_PRACTICE_PARAMETER_2017, "patient improving on medical therapy"
    ),
}

# LCD L38201 [S].
LCD_L38201: Mapping[str, Classification] = {
    "pain_from_other_cause": _c(
        "absolute", CMS_LCD_L38201, "pain not primarily due to the identified fracture"
    ),
    "active_infection": _c(
        "absolute", CMS_LCD_L38201, "osteomyelitis, discitis or active systemic infection"
    ),
    "pregnancy": _c("absolute", CMS_LCD_L38201, "pregnancy"),
    "more_than_three_levels": _c(
        "relative", CMS_LCD_L38201, "more than three vertebral fractures in one procedure"
    ),
    "cement_or_contrast_allergy": _c(
        "relative", CMS_LCD_L38201, "allergy to bone cement or opacification agents"
    ),
    "uncorrectable_coagulopathy": _c("relative", CMS_LCD_L38201, "uncorrected coagulopathy"),
    "spinal_instability": _c("relative", CMS_LCD_L38201, "spinal instability"),
    "myelopathy": _c("relative", CMS_LCD_L38201, "myelopathy from the fracture"),
    "neurological_deficit": _c("relative", CMS_LCD_L38201, "neurological deficit"),
    "radicular_pain": _c("relative", CMS_LCD_L38201, "neural impingement"),
    "retropulsion": _c("relative", CMS_LCD_L38201, "fracture retropulsion / canal compromise"),
}


def combine(
    primary: Mapping[str, Classification], fallback: Mapping[str, Classification]
) -> dict[str, Classification]:
    """A set's table: ``primary``'s classes, and ``fallback``'s for the ids primary omits."""
    table: dict[str, Classification] = {}
    for cid in CONTRAINDICATION_IDS:
        if cid in primary:
            table[cid] = primary[cid]
        elif cid in fallback:
            table[cid] = fallback[cid]
    return table


@dataclass(frozen=True)
class Presence:
    id: str
    finding: Finding
    facts: Mapping[str, Any]


def presence(ctx: CaseContext) -> tuple[Presence, ...]:
    found = []
    for cid in CONTRAINDICATION_IDS:
        finding, facts = READERS[cid](ctx)
        found.append(Presence(cid, finding, facts))
    return tuple(found)


def classify_for_set(criteria_set: CriteriaSet, found: Sequence[Presence]) -> dict[str, list[str]]:
    """The present contraindications in one set's own classification."""
    block: dict[str, list[str]] = {
        "absolute": [],
        "relative": [],
        "unknown": [],
        "unclassified": [],
    }
    for item in found:
        classification = criteria_set.contraindications.get(item.id)
        if item.finding.value is None:
            if classification is not None:
                block["unknown"].append(item.id)
        elif item.finding.value:
            if classification is None:
                block["unclassified"].append(item.id)
            else:
                block[classification.contraindication_class].append(item.id)
    return block


def strictest(cid: str, criteria_sets: Sequence[CriteriaSet]) -> ContraindicationClass | None:
    classes = [
        cs.contraindications[cid].contraindication_class
        for cs in criteria_sets
        if cid in cs.contraindications
    ]
    if not classes:
        return None
    return "absolute" if "absolute" in classes else "relative"


def summarise(ctx: CaseContext, criteria_sets: Sequence[CriteriaSet]) -> dict[str, Any]:
    found = presence(ctx)
    summary: dict[str, Any] = {
        "absolute": [],
        "relative": [],
        "unknown": [],
        "unclassified": [],
        "rule": (
            "An id is absolute when any applied criteria set classes it absolute; each set's own "
            "classification is under by_set and in that set's block."
        ),
        "items": [],
    }
    for item in found:
        cls = strictest(item.id, criteria_sets)
        value = item.finding.value
        if value is None:
            summary["unknown"].append(item.id)
        elif value:
            summary[cls if cls is not None else "unclassified"].append(item.id)
        summary["items"].append(
            {
                "id": item.id,
                "title": TITLES[item.id],
                "present": value,
                "class": cls,
                "facts": dict(item.facts),
                "missing": list(item.finding.missing),
                "by_set": {
                    cs.name: cs.contraindications[item.id].as_dict()
                    for cs in criteria_sets
                    if item.id in cs.contraindications
                },
            }
        )
    return summary
