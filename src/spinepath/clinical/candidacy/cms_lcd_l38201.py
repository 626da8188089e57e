"""Medicare LCD L38201: percutaneous vertebral augmentation for vertebral compression fracture.

Osteoporotic VCF: all of
- **A** an acute (< 6 weeks) or subacute (6-12 weeks) osteoporotic VCF at T1-L5 confirmed by
  advanced imaging (oedema on MRI or uptake on bone scan); chronic fractures are not covered even
  with oedema;
- **B** B1 hospitalised with NRS ≥ 8, or B2 not hospitalised with NRS ≥ 5 despite optimal
  non-surgical management and either worsening pain, or stable/improved pain (still ≥ 5) with at
  least two of: height loss > 25 %, kyphotic deformity, RDQ > 17;
- **C** referral for bone-density evaluation with osteoporosis education, and instruction to join
  an osteoporosis prevention/treatment programme (a documentation criterion: unmet, it makes the
  set not met and is listed among the documentation gaps).

Neoplastic fractures take the LCD's other covered indication: painful osteolytic metastasis or
myeloma not responding to medical therapy.

Progression of height loss is *not* counted among B2's findings: the summary of L38201 read lists
three findings; only a transcription of sibling L34228 adds progression. When progression is
recorded and could matter, the criterion says so (see ``docs/clinical-sources/candidacy.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from spinepath.clinical.candidacy import contraindications
from spinepath.clinical.candidacy.context import CaseContext, FractureFacts, yes_no
from spinepath.clinical.candidacy.criteria import (
    ChecklistItem,
    ChecklistStatus,
    CriteriaSet,
    CriterionResult,
    Finding,
    SetResult,
    Status,
    Threshold,
    all_of,
    any_of,
    at_least,
    criterion,
    fact,
    known,
    set_result,
)
from spinepath.clinical.sources.candidacy import (
    ACR_VA_PRACTICE_PARAMETER_2017,
    CMS_ARTICLE_A58534,
    CMS_LCD_L34228,
    CMS_LCD_L38201,
)

NAME = "cms_lcd_l38201"
EDITION = "L38201, revision effective 2024-10-03"

LEVEL_RANGE = ("T1", "L5")  # widened from T5-L5 (A58534, primary text)
HOSPITALISED_NRS = Threshold(
    "hospitalised_nrs", 8, ">=", "B1: hospitalised with pain NRS/VAS ≥ 8", CMS_LCD_L38201, "S"
)
OUTPATIENT_NRS = Threshold(
    "outpatient_nrs",
    5,
    ">=",
    "B2: not hospitalised, pain NRS/VAS ≥ 5 despite optimal non-surgical management",
    CMS_LCD_L38201,
    "S",
)
HEIGHT_LOSS = Threshold(
    "height_loss_percent",
    25,
    ">",
    "B2 finding: vertebral body height loss > 25 %",
    CMS_LCD_L38201,
    "S",
)
RDQ = Threshold(
    "rdq", 17, ">", "B2 finding: severe impact on daily function, RDQ > 17", CMS_LCD_L38201, "S"
)
FINDINGS_NEEDED = Threshold(
    "b2_findings",
    2,
    ">=",
    "B2 with stable or improved pain: at least two findings",
    CMS_LCD_L38201,
    "S",
)
THRESHOLDS = (HOSPITALISED_NRS, OUTPATIENT_NRS, HEIGHT_LOSS, RDQ, FINDINGS_NEEDED)

# Whether "progression of height loss on follow-up imaging" counts among B2's findings.
COUNTS_HEIGHT_LOSS_PROGRESSION = False

SCOPE = "osteoporotic VCF; osteolytic metastasis or myeloma"


def _fracture_a(f: FractureFacts) -> Finding:
    """Criterion A for one fracture, osteoporotic indication."""
    etiology = f.fracture.etiology
    if etiology == "osteoporotic":
        cause = known(True)
    elif etiology in (None, "unknown"):
        cause = Finding(None, (f.at("etiology"),), "etiology not recorded")
    elif etiology == "neoplastic":
        cause = known(False, "neoplastic: see the osteolytic-lesion indication")
    else:
        cause = known(False, f"{etiology}: outside the osteoporotic VCF indication")
    parts = [cause, f.age_finding(), f.imaging(), f.level_within(*LEVEL_RANGE)]
    combined = all_of(parts)
    if combined.value is True:
        why = f"{f.label}: " + ", ".join(p.why for p in parts[1:])
    elif combined.value is False:
        why = f"{f.label}: " + "; ".join(p.why for p in parts if p.value is False)
    else:
        why = f"{f.label}: " + "; ".join(p.why for p in parts if p.value is None)
    return Finding(combined.value, combined.missing, why)


def _fracture_facts(f: FractureFacts, names: Sequence[str]) -> dict[str, Any]:
    return {f.at(name): _json(getattr(f.fracture, name)) for name in names}


def _json(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _age_derived(ctx: CaseContext) -> dict[str, Any]:
    derived: dict[str, Any] = {}
    for f in ctx.fractures:
        if f.age is not None:
            derived[f.at("age_weeks")] = f.age.weeks
            derived[f.at("age_category")] = f.age.category
    return derived


def _criterion_a(ctx: CaseContext) -> tuple[CriterionResult, list[FractureFacts]]:
    title = (
        "A: acute (< 6 weeks) or subacute (6–12 weeks) osteoporotic VCF at T1–L5, confirmed by "
        "oedema on MRI or uptake on bone scan"
    )
    facts: dict[str, Any] = {"assessment_date": _json(ctx.case.assessment_date)}
    if not ctx.has_fractures:
        finding = fact("fractures", None)
        return criterion("A", title, finding, "no fracture recorded", facts, CMS_LCD_L38201), []
    per_fracture = [(f, _fracture_a(f)) for f in ctx.fractures]
    for f, _ in per_fracture:
        facts.update(
            _fracture_facts(
                f, ("level", "etiology", "symptom_onset", "mri_edema", "bone_scan_uptake")
            )
        )
    finding = any_of(item for _, item in per_fracture)
    if finding.value is True:
        reason = "met by " + "; ".join(item.why for _, item in per_fracture if item.value)
    else:
        shown = [item for _, item in per_fracture if item.value is not True]
        reason = ("not met: " if finding.value is False else "unknown: ") + " | ".join(
            item.why for item in shown
        )
    if any(f.age is not None and f.age.category == "chronic" for f, _ in per_fracture):
        reason += " (chronic fractures are not covered even with oedema: A58534)"
    candidates = [f for f, item in per_fracture if item.value is not False]
    return (
        criterion("A", title, finding, reason, facts, CMS_LCD_L38201, derived=_age_derived(ctx)),
        candidates,
    )


def _any_fracture(
    fractures: Sequence[FractureFacts], read: Any, empty_path: str = "fractures"
) -> Finding:
    if not fractures:
        return fact(empty_path, None)
    return any_of(read(f) for f in fractures)


def _height_loss(f: FractureFacts) -> Finding:
    value = f.fracture.height_loss_percent
    if value is None:
        return fact(f.at("height_loss_percent"), None)
    return known(HEIGHT_LOSS.holds(value))


def _criterion_b(ctx: CaseContext, candidates: Sequence[FractureFacts]) -> CriterionResult:
    title = (
        "B: B1 hospitalised with NRS ≥ 8; or B2 not hospitalised, NRS ≥ 5 despite optimal "
        "non-surgical management, with worsening pain or (stable/improved pain and ≥ 2 of: "
        "height loss > 25 %, kyphotic deformity, RDQ > 17)"
    )
    case = ctx.case
    nrs, trend, setting = case.pain.nrs, case.pain.trend, case.setting
    rdq = case.function.rdq
    fractures = list(candidates) or list(ctx.fractures)

    b1 = fact("pain.nrs", None) if nrs is None else known(HOSPITALISED_NRS.holds(nrs))
    nrs5 = fact("pain.nrs", None) if nrs is None else known(OUTPATIENT_NRS.holds(nrs))
    nsm = fact(
        "conservative_care.optimal_management_tried",
        case.conservative_care.optimal_management_tried,
    )
    worsening = fact("pain.trend", None) if trend is None else known(trend == "worsening")
    steady = fact("pain.trend", None) if trend is None else known(trend != "worsening")
    items = {
        "height_loss_over_25": _any_fracture(fractures, _height_loss),
        "kyphotic_deformity": _any_fracture(
            fractures, lambda f: fact(f.at("kyphotic_deformity"), f.fracture.kyphotic_deformity)
        ),
        "rdq_over_17": fact("function.rdq", None) if rdq is None else known(RDQ.holds(rdq)),
    }
    enough = at_least(int(FINDINGS_NEEDED.value), items.values())
    b2 = all_of([nrs5, nsm, any_of([worsening, all_of([steady, enough])])])

    if setting == "inpatient":
        finding, path = b1, "B1"
    elif setting == "outpatient":
        finding, path = b2, "B2"
    elif b1.value is True and b2.value is True:
        finding, path = known(True), "B1 and B2"
    elif b1.value is False and b2.value is False:
        finding, path = known(False), "neither B1 nor B2"
    else:
        finding = Finding(None, ("setting", *b1.missing, *b2.missing))
        path = "B1 or B2 (setting not recorded)"

    progression = [f for f in fractures if f.fracture.height_loss_progression is True]
    counted = sum(1 for item in items.values() if item.value is True)
    reasons = [f"{path}: NRS {nrs if nrs is not None else 'not recorded'}"]
    if path.startswith("B2") or setting is None:
        reasons.append(
            "optimal non-surgical management "
            + {True: "tried", False: "not tried", None: "not recorded"}[
                case.conservative_care.optimal_management_tried
            ]
        )
        reasons.append(f"pain {trend or 'trend not recorded'}")
        if trend in ("stable", "improving"):
            reasons.append(f"{counted} of the findings present (≥ 2 needed)")
    if progression and not COUNTS_HEIGHT_LOSS_PROGRESSION:
        reasons.append(
            "progression of height loss is recorded but not counted: it is not among L38201's "
            "findings as read (only a transcription of L34228 lists it) — check the LCD text"
        )
    care = case.conservative_care
    facts: dict[str, Any] = {
        "setting": setting,
        "pain.nrs": nrs,
        "pain.trend": trend,
        "conservative_care.optimal_management_tried": care.optimal_management_tried,
        "conservative_care.intolerable_side_effects": care.intolerable_side_effects,
        "function.rdq": rdq,
    }
    for f in fractures:
        facts.update(
            _fracture_facts(
                f, ("height_loss_percent", "kyphotic_deformity", "height_loss_progression")
            )
        )
    derived: dict[str, Any] = {name: item.value for name, item in items.items()}
    derived["findings_present"] = counted
    derived["height_loss_progression_counted"] = COUNTS_HEIGHT_LOSS_PROGRESSION
    return criterion(
        "B", title, finding, "; ".join(reasons), facts, CMS_LCD_L38201, derived=derived
    )


def _criterion_c(ctx: CaseContext) -> CriterionResult:
    care = ctx.case.osteoporosis_care
    parts = [
        yes_no(
            "osteoporosis_care.bmd_referral",
            care.bmd_referral,
            "BMD referral made",
            "no BMD referral",
        ),
        yes_no(
            "osteoporosis_care.education",
            care.education,
            "osteoporosis education given",
            "no osteoporosis education",
        ),
        yes_no(
            "osteoporosis_care.program_instruction",
            care.program_instruction,
            "instructed to join a programme",
            "not instructed to join a programme",
        ),
    ]
    finding = all_of(parts)
    shown = parts if finding.value is True else [p for p in parts if p.value is not True]
    return criterion(
        "C",
        "C: referral for bone-density evaluation with osteoporosis education, and instruction "
        "to join an osteoporosis prevention/treatment programme",
        finding,
        "; ".join(p.why for p in shown),
        {
            "osteoporosis_care.bmd_referral": care.bmd_referral,
            "osteoporosis_care.education": care.education,
            "osteoporosis_care.program_instruction": care.program_instruction,
        },
        CMS_LCD_L38201,
        kind="documentation",
    )


def _neoplastic(ctx: CaseContext) -> list[CriterionResult]:
    lesions = [
        yes_no(
            f.at("osteolytic_lesion"),
            f.fracture.osteolytic_lesion,
            f"{f.label}: osteolytic lesion",
            f"{f.label}: not osteolytic",
        )
        for f in ctx.fractures
    ]
    lesion = any_of(lesions)
    care = ctx.case.conservative_care
    trend = ctx.case.pain.trend
    tried = yes_no(
        "conservative_care.optimal_management_tried",
        care.optimal_management_tried,
        "medical therapy tried",
        "medical therapy not yet tried",
    )
    unrelieved = (
        fact("pain.trend", None, "pain trend not recorded")
        if trend is None
        else known(trend != "improving", f"pain {trend}")
    )
    pain = all_of([tried, unrelieved])
    return [
        criterion(
            "N1",
            "Neoplastic: painful osteolytic metastasis or myeloma",
            lesion,
            "; ".join(item.why for item in lesions),
            {f.at("osteolytic_lesion"): f.fracture.osteolytic_lesion for f in ctx.fractures},
            CMS_LCD_L38201,
        ),
        criterion(
            "N2",
            "Neoplastic: intractable pain not responding to medical therapy",
            pain,
            f"{tried.why}; {unrelieved.why}",
            {
                "conservative_care.optimal_management_tried": care.optimal_management_tried,
                "pain.trend": trend,
                "pain.nrs": ctx.case.pain.nrs,
            },
            CMS_LCD_L38201,
        ),
    ]


def _applies(ctx: CaseContext) -> bool | None:
    etiologies = ctx.etiologies()
    if any(e in ("osteoporotic", "neoplastic") for e in etiologies):
        return True
    if etiologies and all(e == "traumatic" for e in etiologies):
        return False
    return None


_C_CHECKLIST_STATUS: dict[Status, ChecklistStatus] = {
    "met": "documented",
    "not_met": "not_met",
    "unknown": "missing",
}


def _item(
    item_id: str,
    text: str,
    fields: Sequence[tuple[str, Any]],
    *,
    needed: bool = True,
    status: ChecklistStatus | None = None,
) -> ChecklistItem:
    missing = tuple(path for path, value in fields if value is None)
    if status is None and not missing:
        status = "documented"
    elif status is None:
        status = "missing" if needed else "not_applicable"
    shown = missing if status in ("missing", "not_met") and missing else tuple(p for p, _ in fields)
    return ChecklistItem(item_id, text, status, shown, CMS_LCD_L38201)


def _checklist(ctx: CaseContext, criteria: Sequence[CriterionResult]) -> list[ChecklistItem]:
    """What a payer expects documented (LCD documentation requirements), and what is missing."""
    case = ctx.case
    fr = ctx.fractures
    no_fracture: list[tuple[str, Any]] = [] if fr else [("fractures", None)]
    imaging: list[tuple[str, Any]] = []
    for f in fr:
        studies = [
            (f.at("mri_edema"), f.fracture.mri_edema),
            (f.at("bone_scan_uptake"), f.fracture.bone_scan_uptake),
        ]
        recorded = [(path, value) for path, value in studies if value is not None]
        imaging += recorded or studies
    care = case.conservative_care
    b = next((c for c in criteria if c.id == "B"), None)
    items = [
        _item("pain_score", "Pain score on a named scale (NRS)", [("pain.nrs", case.pain.nrs)]),
        _item(
            "levels",
            "Fracture level(s) and the number of levels",
            no_fracture + [(f.at("level"), f.fracture.level) for f in fr],
        ),
        _item(
            "fracture_age",
            "Fracture age: date of symptom onset and of the assessment",
            [("assessment_date", case.assessment_date)]
            + [(f.at("symptom_onset"), f.fracture.symptom_onset) for f in fr],
        ),
        _item(
            "advanced_imaging",
            "Advanced imaging showing acuity (MRI oedema or bone-scan uptake)",
            no_fracture + imaging,
        ),
        _item(
            "imaging_measurements",
            "Imaging measurements: vertebral body height loss",
            no_fracture
            + [(f.at("height_loss_percent"), f.fracture.height_loss_percent) for f in fr],
        ),
        _item(
            "non_surgical_management",
            "Non-surgical management tried: which, since when, and whether optimal",
            [
                ("conservative_care.optimal_management_tried", care.optimal_management_tried),
                ("conservative_care.modalities", care.modalities or None),
                ("conservative_care.started", care.started),
            ],
        ),
        _item(
            "rdq",
            "Roland–Morris (RDQ) score, when it is one of the B2 findings",
            [("function.rdq", case.function.rdq)],
            needed=b is not None and "function.rdq" in b.missing,
        ),
        _item(
            "contraindication_screening",
            "Contraindication screening",
            (
                []
                if ctx.pregnancy_not_asked is not None
                else [("patient.pregnant", case.patient.pregnant)]
            )
            + [
                (f"screening.{name}", getattr(case.screening, name))
                for name in type(case.screening).model_fields
            ],
        ),
    ]
    c = next((c for c in criteria if c.id == "C"), None)
    if c is not None:
        status = _C_CHECKLIST_STATUS[c.status]
        not_done = [(p, None) for p, v in c.facts.items() if v is not True]
        items.append(
            _item(
                "continuum_of_care",
                "Referral for BMD evaluation with osteoporosis education, and instruction to "
                "join a prevention/treatment programme",
                not_done or list(c.facts.items()),
                status=status,
            )
        )
    return items


def evaluate(ctx: CaseContext) -> SetResult:
    if ctx.has_fractures and all(e == "neoplastic" for e in ctx.etiologies()):
        criteria = _neoplastic(ctx)
        return set_result(
            criteria,
            applies=True,
            scope=SCOPE,
            indication="osteolytic_neoplastic",
            checklist=_checklist(ctx, criteria),
        )
    a, candidates = _criterion_a(ctx)
    criteria = [a, _criterion_b(ctx, candidates), _criterion_c(ctx)]
    return set_result(
        criteria,
        applies=_applies(ctx),
        scope=SCOPE,
        indication="osteoporotic_vcf",
        checklist=_checklist(ctx, criteria),
    )


CONTRAINDICATIONS = contraindications.combine(
    contraindications.LCD_L38201, contraindications.PRACTICE_PARAMETER_2017
)

CRITERIA_SET = CriteriaSet(
    name=NAME,
    title="Medicare LCD L38201: percutaneous vertebral augmentation for VCF",
    edition=EDITION,
    source_ids=(CMS_LCD_L38201, CMS_ARTICLE_A58534, CMS_LCD_L34228, ACR_VA_PRACTICE_PARAMETER_2017),
    evaluate=evaluate,
    contraindications=CONTRAINDICATIONS,
    thresholds=THRESHOLDS,
    note=(
        "Contraindications are classed as the LCD classes them; 'improving on medical therapy', "
        "which the LCD does not list, is classed as the ACR practice parameter classes it."
    ),
)
