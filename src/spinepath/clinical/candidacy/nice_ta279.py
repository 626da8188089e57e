"""NICE TA279 (2013): vertebroplasty and balloon kyphoplasty without stenting.

Recommended as options for osteoporotic vertebral compression fractures only in people
1. who have severe ongoing pain after a recent, unhealed vertebral fracture despite optimal pain
   management, and
2. in whom the pain has been confirmed to be at the level of the fracture by physical examination
   and imaging.

NICE set no number of weeks (a draft's 6 weeks was removed), defined neither "severe" nor
"optimal pain management": these are the clinician's assertions (``pain.severe``,
``conservative_care.optimal_management_tried``), never numbers. "Recent, unhealed" rests on
imaging showing an unhealed fracture (oedema on MRI or uptake on bone scan); the fracture's age is
shown beside it but is not compared with any bound.

NICE lists no contraindications: this set classes them as the ACR practice parameter does, and
those the practice parameter does not list as LCD L38201 does, each with its source.
"""

from __future__ import annotations

from typing import Any

from spinepath.clinical.candidacy import contraindications
from spinepath.clinical.candidacy.context import CaseContext, FractureFacts, yes_no
from spinepath.clinical.candidacy.criteria import (
    CriteriaSet,
    CriterionResult,
    Finding,
    SetResult,
    all_of,
    any_of,
    criterion,
    fact,
    known,
    set_result,
)
from spinepath.clinical.sources.candidacy import (
    ACR_VA_PRACTICE_PARAMETER_2017,
    CMS_LCD_L38201,
    NICE_TA279,
)

NAME = "nice_ta279"
EDITION = "TA279 (2013)"
SCOPE = "osteoporotic VCF"


def _recent_unhealed(f: FractureFacts) -> Finding:
    etiology = f.fracture.etiology
    if etiology in (None, "unknown"):
        cause = Finding(None, (f.at("etiology"),), "etiology not recorded")
    elif etiology == "osteoporotic":
        cause = known(True)
    else:
        cause = known(False, f"{etiology}: TA279 is guidance for osteoporotic fractures")
    imaging = f.imaging()
    combined = all_of([cause, imaging])
    age = f" ({f.age.weeks} weeks since onset)" if f.age is not None else ""
    if combined.value is True:
        why = f"{f.label}: unhealed on imaging, {imaging.why}{age}"
    else:
        parts = [p for p in (cause, imaging) if p.value is combined.value]
        why = f"{f.label}: " + "; ".join(p.why for p in parts) + age
    return Finding(combined.value, combined.missing, why)


def _criterion_recent(ctx: CaseContext) -> tuple[CriterionResult, list[FractureFacts]]:
    title = "1: a recent, unhealed osteoporotic vertebral fracture (shown unhealed on imaging)"
    if not ctx.has_fractures:
        return criterion(
            "1_recent_unhealed_fracture",
            title,
            fact("fractures", None),
            "no fracture recorded",
            {"fractures": None},
            NICE_TA279,
        ), []
    per = [(f, _recent_unhealed(f)) for f in ctx.fractures]
    finding = any_of(item for _, item in per)
    facts: dict[str, Any] = {}
    derived: dict[str, Any] = {}
    for f, _ in per:
        facts[f.at("etiology")] = f.fracture.etiology
        facts[f.at("mri_edema")] = f.fracture.mri_edema
        facts[f.at("bone_scan_uptake")] = f.fracture.bone_scan_uptake
        if f.age is not None:
            derived[f.at("age_weeks")] = f.age.weeks
    shown = [item for _, item in per if (item.value is True) == (finding.value is True)]
    reason = " | ".join(item.why for item in shown)
    reason += " — NICE set no number of weeks"
    candidates = [f for f, item in per if item.value is not False]
    return (
        criterion(
            "1_recent_unhealed_fracture", title, finding, reason, facts, NICE_TA279, derived=derived
        ),
        candidates,
    )


def _criterion_pain(ctx: CaseContext) -> CriterionResult:
    pain = ctx.case.pain
    severe = ctx.severe_pain
    derived: dict[str, Any] = {}
    if severe.derived:
        assert severe.value is not None and pain.nrs is not None
        finding = known(
            severe.value,
            f"NRS {pain.nrs}: {'severe' if severe.value else 'not severe'} "
            f"({severe.cutoff.text}; the clinician may say otherwise)",
        )
        derived["pain.severe"] = severe.as_dict()
    else:
        finding = yes_no(
            "pain.severe",
            pain.severe,
            "the clinician judges the pain severe",
            "the clinician does not judge the pain severe",
        )
    context = (
        f"NRS {pain.nrs if pain.nrs is not None else 'not recorded'}, "
        f"{pain.trend or 'trend not recorded'}"
    )
    return criterion(
        "1_severe_ongoing_pain",
        "1: severe ongoing pain (the clinician's judgement, or NRS 7 or more when not given)",
        finding,
        f"{finding.why} ({context})",
        {"pain.severe": pain.severe, "pain.nrs": pain.nrs, "pain.trend": pain.trend},
        NICE_TA279,
        derived=derived or None,
    )


def _criterion_management(ctx: CaseContext) -> CriterionResult:
    care = ctx.case.conservative_care
    finding = yes_no(
        "conservative_care.optimal_management_tried",
        care.optimal_management_tried,
        "optimal pain management tried",
        "optimal pain management not yet tried",
    )
    return criterion(
        "1_despite_optimal_pain_management",
        "1: despite optimal pain management (the clinician's judgement; NICE did not define it)",
        finding,
        finding.why,
        {
            "conservative_care.optimal_management_tried": care.optimal_management_tried,
            "conservative_care.modalities": list(care.modalities) if care.modalities else None,
            "conservative_care.intolerable_side_effects": care.intolerable_side_effects,
        },
        NICE_TA279,
    )


def _criterion_level(ctx: CaseContext, candidates: list[FractureFacts]) -> CriterionResult:
    title = "2: pain confirmed at the level of the fracture by physical examination and imaging"
    fractures = candidates or list(ctx.fractures)
    if not fractures:
        return criterion(
            "2_pain_confirmed_at_level",
            title,
            fact("fractures", None),
            "no fracture recorded",
            {"fractures": None},
            NICE_TA279,
        )
    per = [
        yes_no(
            f.at("pain_confirmed_at_level"),
            f.fracture.pain_confirmed_at_level,
            f"{f.label}: pain confirmed at the level",
            f"{f.label}: pain not confirmed there",
        )
        for f in fractures
    ]
    finding = any_of(per)
    return criterion(
        "2_pain_confirmed_at_level",
        title,
        finding,
        " | ".join(item.why for item in per),
        {f.at("pain_confirmed_at_level"): f.fracture.pain_confirmed_at_level for f in fractures},
        NICE_TA279,
    )


def _applies(ctx: CaseContext) -> bool | None:
    etiologies = ctx.etiologies()
    if "osteoporotic" in etiologies:
        return True
    if etiologies and all(e in ("neoplastic", "traumatic") for e in etiologies):
        return False
    return None


def evaluate(ctx: CaseContext) -> SetResult:
    recent, candidates = _criterion_recent(ctx)
    criteria = [
        _criterion_pain(ctx),
        recent,
        _criterion_management(ctx),
        _criterion_level(ctx, candidates),
    ]
    return set_result(criteria, applies=_applies(ctx), scope=SCOPE)


CONTRAINDICATIONS = contraindications.combine(
    contraindications.PRACTICE_PARAMETER_2017, contraindications.LCD_L38201
)

CRITERIA_SET = CriteriaSet(
    name=NAME,
    title="NICE TA279: vertebroplasty and balloon kyphoplasty for osteoporotic VCF",
    edition=EDITION,
    source_ids=(NICE_TA279, ACR_VA_PRACTICE_PARAMETER_2017, CMS_LCD_L38201),
    evaluate=evaluate,
    contraindications=CONTRAINDICATIONS,
    note=(
        "NICE lists no contraindications: they are classed as the ACR practice parameter "
        "classes them, and those it does not list as LCD L38201 does."
    ),
)
