"""The cards: what the services say about an order or a patient, from the facts in the record.

Everything clinical is decided by the clinical core: candidacy by
``clinical.candidacy.evaluate_case`` and medicine holds by ``clinical.preparation.make_plan``.
This module reads the EHR's resources into facts (the same mapping as the importer), builds the
core's inputs from facts that are present, never from absences (no record of an infection is
"unknown", not "no infection"), and words the results as cards with their sources.

Indicator (CDS Hooks: info < warning < critical): critical when an absolute contraindication is
present; warning when a relative one is present, a criteria set is not met or unknown, or a
medicine must be held or reviewed; info otherwise.

Data freshness (data rules, not clinical thresholds): a pain score older than
``PAIN_RECENT_DAYS`` is not used as the current pain; lab values on record are shown with their
dates and never passed to the planner as pre-procedure results, because those must be taken
for the procedure.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from spinepath.assessments.fields import describe_path
from spinepath.clinical.candidacy.evaluate import evaluate_case
from spinepath.clinical.errors import InvalidInput
from spinepath.clinical.preparation.plan import make_plan
from spinepath.clinical.sources.follow_up import JAVAID_2020
from spinepath.fhir import codes
from spinepath.fhir.mapping import Fact, map_resource, read_patient
from spinepath.fhir.reading import Problems, Reader, best_display, parse_when
from spinepath.fhir.summary import planner_medications, summarise

PAIN_RECENT_DAYS = 30
NOMINAL_LEAD = timedelta(days=14)
SUMMARY_MAX = 139
INDICATOR_ORDER = {"info": 0, "warning": 1, "critical": 2}


@dataclass
class Record:
    """The EHR's data about one patient, read into facts."""

    patient: dict[str, Any] | None
    facts: list[Fact]
    unreadable: int = 0
    _summary: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def summary(self) -> dict[str, Any]:
        if self._summary is None:
            self._summary = summarise(self.facts)
        return self._summary


def read_record(resources: Iterable[dict[str, Any]]) -> Record:
    patient: dict[str, Any] | None = None
    facts: list[Fact] = []
    problems = Problems()
    for index, resource in enumerate(resources):
        kind = resource.get("resourceType")
        if kind == "Patient":
            patient = patient or resource
            continue
        rid = resource.get("id")
        resource_id = rid if isinstance(rid, str) and rid else f"prefetch-{index}"
        mapped = map_resource(resource, resource_id, f"{kind}/{resource_id}", problems)
        facts.extend(mapped.facts)
    return Record(patient, facts, len(problems.items))


# ---- orders ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class AugmentationOrder:
    reference: str
    procedure: str  # vertebroplasty | kyphoplasty
    matched_by: str
    levels: tuple[str, ...]
    etiology: str | None
    scheduled: datetime | None
    display: str


def augmentation_orders(draft_orders: Any, selections: list[str] | None) -> list[AugmentationOrder]:
    """The vertebroplasty / kyphoplasty ServiceRequests among the draft orders (for
    order-select, only the selected ones)."""
    found: list[AugmentationOrder] = []
    entries = draft_orders.get("entry") if isinstance(draft_orders, dict) else None
    for entry in entries or []:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict) or resource.get("resourceType") != "ServiceRequest":
            continue
        reference = f"ServiceRequest/{resource.get('id')}"
        if selections is not None and reference not in selections:
            continue
        reader = Reader(resource, reference, Problems())
        codings, text = reader.codeable("code")
        kind = codes.classify_vertebral_augmentation(codings, text)
        if kind is None:
            continue
        levels: list[str] = []
        for site_codings, site_text in reader.codeables("bodySite"):
            level = codes.level_in_text(site_text, *(d for _, _, d in site_codings))
            if level and level not in levels:
                levels.append(level)
        etiology = None
        for reason_codings, reason_text in reader.codeables("reasonCode"):
            found_class = codes.classify_condition(reason_codings, reason_text)
            if found_class is not None and found_class.etiology:
                etiology = found_class.etiology
        when = reader.when("occurrenceDateTime")
        period = reader.child("occurrencePeriod")
        if when is None and period is not None:
            when = period.when("start")
        found.append(
            AugmentationOrder(
                reference,
                kind[0],
                kind[1],
                tuple(levels),
                etiology,
                when.at if when and when.precision == "time" else None,
                best_display(codings, text) or kind[0],
            )
        )
    return found


# ---- the candidacy case ----------------------------------------------------------------------
def build_case(
    record: Record, orders: list[AugmentationOrder], now: datetime
) -> tuple[dict[str, Any], list[str]]:
    """The candidacy core's case from the record's facts; and notes on what was used."""
    notes: list[str] = []
    case: dict[str, Any] = {"assessment_date": now.date().isoformat()}
    patient: dict[str, Any] = {}
    if record.patient is not None:
        facts = read_patient(record.patient, "Patient", Problems())
        if facts.birth_date:
            patient["birth_date"] = facts.birth_date.isoformat()
        if facts.sex in ("female", "male", "other"):
            patient["sex"] = facts.sex
    case["patient"] = patient

    fractures: dict[str, dict[str, Any]] = {}
    unplaced: list[dict[str, Any]] = []
    for fact in record.facts:
        if fact.kind != "condition" or fact.category != "vertebral_fracture":
            continue
        entry: dict[str, Any] = {"etiology": fact.details.get("etiology") or "unknown"}
        onset = parse_when(fact.effective) if fact.effective else None
        if onset is not None and onset.precision in ("day", "time"):
            entry["symptom_onset"] = onset.at.date().isoformat()
        level = fact.details.get("level")
        if level:
            fractures[level] = {**fractures.get(level, {}), **entry, "level": level}
        else:
            unplaced.append(entry)
        notes.append(f"fracture from {fact.reference} ({fact.display})")
    for order in orders:
        for level in order.levels:
            current = fractures.setdefault(level, {"level": level})
            if order.etiology and "etiology" not in current:
                current["etiology"] = order.etiology
    case["fractures"] = [*fractures.values(), *unplaced] or None

    summary = record.summary
    pain = summary["latest"]["pain_nrs"]
    if pain is not None:
        at = parse_when(pain["at"])
        value = pain["value"]
        recent = at is not None and now - at.at <= timedelta(days=PAIN_RECENT_DAYS)
        if recent and float(value).is_integer() and 0 <= value <= 10:
            case["pain"] = {"nrs": int(value)}
            notes.append(f"pain {int(value)}/10 from {pain['resource']} ({pain['at']})")
        else:
            notes.append(
                f"latest pain score {value:g} ({pain['at']}) not used: older than "
                f"{PAIN_RECENT_DAYS} days or not a whole 0-10 score"
            )
    screening: dict[str, Any] = {}
    if summary["active_infections"]:
        screening["active_infection"] = True
        notes.extend(
            f"active infection: {f['resource']} ({f['display']})"
            for f in summary["active_infections"]
        )
    allergies = summary["allergies"]
    if allergies["cement"]["present"] or allergies["contrast"]["present"]:
        screening["cement_or_contrast_allergy"] = True
        for kind in ("cement", "contrast"):
            notes.extend(
                f"{kind} allergy: {f['resource']} ({f['display']})"
                for f in allergies[kind]["facts"]
            )
    case["screening"] = screening
    if record.unreadable:
        notes.append(
            f"{record.unreadable} element(s) of the record could not be read and were left out"
        )
    return case, notes


# ---- card parts ------------------------------------------------------------------------------
@dataclass
class CardContext:
    base_url: str
    service_label: str = "spinepath"
    patient_url: str | None = None

    def source(self) -> dict[str, Any]:
        return {"label": self.service_label, "url": self.base_url + "/"}

    def override_reasons(self) -> list[dict[str, str]]:
        system = f"{self.base_url}/cds-services/override-reasons"
        return [
            {"system": system, "code": "clinical-judgement", "display": "Clinical judgement"},
            {
                "system": system,
                "code": "record-out-of-date",
                "display": "The record is out of date",
            },
            {
                "system": system,
                "code": "documented-elsewhere",
                "display": "Documented elsewhere",
            },
        ]

    def links(self) -> list[dict[str, str]]:
        if self.patient_url:
            return [
                {
                    "label": "Open the patient in spinepath",
                    "url": self.patient_url,
                    "type": "absolute",
                }
            ]
        return [
            {
                "label": "Refer to spinepath (new patient)",
                "url": f"{self.base_url}/patients/new",
                "type": "absolute",
            }
        ]


def _summary(text: str) -> str:
    return text if len(text) <= SUMMARY_MAX else text[: SUMMARY_MAX - 1].rstrip() + "…"


def _card(
    ctx: CardContext, summary: str, indicator: str, detail: str, *, overridable: bool
) -> dict[str, Any]:
    card: dict[str, Any] = {
        "uuid": str(uuid.uuid4()),
        "summary": _summary(summary),
        "indicator": indicator,
        "detail": detail,
        "source": ctx.source(),
        "links": ctx.links(),
    }
    if overridable and indicator != "info":
        card["overrideReasons"] = ctx.override_reasons()
    return card


_STATUS_WORDS = {"met": "met", "not_met": "not met", "unknown": "unknown (facts missing)"}


def candidacy_card(
    ctx: CardContext, record: Record, orders: list[AugmentationOrder], now: datetime
) -> dict[str, Any]:
    case, notes = build_case(record, orders, now)
    try:
        result = evaluate_case(case)
    except InvalidInput as invalid:  # facts from the EHR the core cannot accept
        detail = "The record's facts could not be assessed:\n\n" + "\n".join(
            f"- `{e.field}`: {e.message}" for e in invalid.errors
        )
        return _card(
            ctx,
            "Vertebral augmentation: the record could not be assessed",
            "warning",
            detail,
            overridable=True,
        )
    levels = [f.get("level") for f in case.get("fractures") or [] if f.get("level")]
    sets = result["criteria_sets"]
    contraindications = result["contraindications"]
    absolute = contraindications["absolute"]
    relative = contraindications["relative"]
    statuses = [block["status"] for block in sets.values()]
    if absolute:
        indicator = "critical"
    elif relative or any(status != "met" for status in statuses):
        indicator = "warning"
    else:
        indicator = "info"

    titles = {item["id"]: item["title"] for item in contraindications["items"]}
    procedure = " / ".join(sorted({order.procedure for order in orders}))
    if absolute:
        summary = (
            f"{procedure.capitalize()}: contraindicated ({titles.get(absolute[0], absolute[0])})"
        )
    elif all(status == "met" for status in statuses):
        summary = f"{procedure.capitalize()}: criteria met in every criteria set"
    else:
        missing = sorted({m for block in sets.values() for m in block["missing"]})
        summary = (
            f"{procedure.capitalize()}: criteria "
            + ", ".join(
                f"{_short(name)} {_STATUS_WORDS.get(block['status'], block['status'])}"
                for name, block in sets.items()
            )
            + (f"; {len(missing)} facts missing" if missing else "")
        )

    lines = [
        f"**Order**: {', '.join(f'{o.display} ({o.matched_by})' for o in orders)}"
        + (f", levels {', '.join(levels)}" if levels else ", level not given"),
        "",
        "**Criteria**",
    ]
    for block in sets.values():
        lines.append(
            f"- {block['title']} ({block['edition']}): "
            f"**{_STATUS_WORDS.get(block['status'], block['status'])}**"
        )
        for criterion in block["criteria"]:
            if criterion["status"] != "met":
                lines.append(f"  - {criterion['title']}: {criterion['reason']}")
        if block["missing"]:
            readable = [describe_path(path, levels).label for path in block["missing"]]
            lines.append(f"  - Missing: {', '.join(dict.fromkeys(readable))}")
    lines.append("")
    lines.append("**Contraindications**")
    if absolute:
        lines.append("- Absolute: " + ", ".join(titles.get(i, i) for i in absolute))
    if relative:
        lines.append("- Relative: " + ", ".join(titles.get(i, i) for i in relative))
    if contraindications["unknown"]:
        lines.append(
            "- Not known from the record: "
            + ", ".join(titles.get(i, i) for i in contraindications["unknown"])
        )
    if not (absolute or relative or contraindications["unknown"]):
        lines.append("- None present")
    recommendation = result["recommendation"]
    lines += [
        "",
        f"**Suggested next step**: {recommendation['action'].replace('_', ' ')}"
        + (f" ({'; '.join(recommendation['reasons'])})" if recommendation["reasons"] else ""),
    ]
    if notes:
        lines += ["", "**From the record**", *(f"- {note}" for note in notes)]
    lines += [
        "",
        f"Sources: {', '.join(result['sources'])}. Decision support only: the decision is the "
        "clinician's.",
    ]
    return _card(ctx, summary, indicator, "\n".join(lines), overridable=True)


def _short(criteria_set: str) -> str:
    return {"cms_lcd_l38201": "LCD L38201", "nice_ta279": "NICE TA279"}.get(
        criteria_set, criteria_set
    )


def holds_card(
    ctx: CardContext, record: Record, orders: list[AugmentationOrder], now: datetime
) -> dict[str, Any] | None:
    """Medicine holds for the procedure, from the current medication orders; None when none
    is on record."""
    summary = record.summary
    lines_in = planner_medications(record.facts)
    if not lines_in:
        return None
    scheduled = min(
        (o.scheduled for o in orders if o.scheduled and o.scheduled > now), default=None
    )
    start = scheduled or (now + NOMINAL_LEAD)
    crcl = summary["latest"]["creatinine_clearance_ml_min"]
    plan_input: dict[str, Any] = {
        "procedure_start": start.isoformat(),
        "medications": lines_in,
    }
    if crcl is not None and crcl["value"] is not None:
        plan_input["creatinine_clearance_ml_min"] = float(crcl["value"])
    try:
        plan = make_plan(plan_input, now=now)
    except InvalidInput as invalid:
        detail = "The medicines could not be planned:\n\n" + "\n".join(
            f"- `{e.field}`: {e.message}" for e in invalid.errors
        )
        return _card(
            ctx, "Medicine holds: could not be planned", "warning", detail, overridable=True
        )

    holds = [m for m in plan["medications"] if m["action"] == "hold"]
    reviews = [m for m in plan["medications"] if m["action"] == "review"]
    indicator = "warning" if holds or reviews else "info"
    parts = []
    if holds:
        parts.append("hold " + ", ".join(m["display_name"] or m["input"] for m in holds))
    if reviews:
        parts.append("review " + ", ".join(m["display_name"] or m["input"] for m in reviews))
    if not parts:
        parts.append("no medicine needs a hold")
    title = "Medicine holds: " + "; ".join(parts)

    lines = [
        (
            f"Planned for the order's date {start.isoformat()}."
            if scheduled
            else "The order has no date: hold lengths are shown before the procedure; dates "
            "follow once it is scheduled."
        ),
        "",
    ]
    for med in plan["medications"]:
        name = med["display_name"] or med["input"]
        line = f"- **{name}** ({med['input']}): **{med['action']}**"
        if med["stop_before_hours"]:
            low, high = med["stop_before_hours"]
            span = f"{low:g} h" if low == high else f"{low:g}-{high:g} h"
            line += f", stop {span} before"
            if scheduled and med["last_dose_at"]:
                line += f" (last dose by {med['last_dose_at']})"
        if med["restart_rule"]:
            line += f"; {med['restart_rule']}"
        lines.append(line)
        lines.append(f"  - {med['reason']}")
    egfr = summary["latest"]["egfr_ml_min_1_73m2"]
    lines.append("")
    if crcl is not None:
        lines.append(
            f"Kidney function: creatinine clearance {crcl['value']:g} mL/min ({crcl['at']})."
        )
    elif egfr is not None:
        lines.append(
            f"Kidney function: eGFR {egfr['value']:g} mL/min/1.73 m² ({egfr['at']}) is on "
            "record; the hold table uses creatinine clearance, so it was not substituted."
        )
    else:
        lines.append("Kidney function: no creatinine clearance on record.")
    latest = summary["latest"]
    on_record = [
        f"{label} {latest[key]['value']:g} ({latest[key]['at']})"
        for key, label in (("inr", "INR"), ("platelets_10e9_per_l", "platelets ×10⁹/L"))
        if latest[key] is not None
    ]
    lines.append(
        "Labs on record (not a pre-procedure result): " + ", ".join(on_record)
        if on_record
        else "Labs: none on record."
    )
    lines.append(
        "Labs to check before the procedure: "
        + ", ".join(f"{lab['test']}" for lab in plan["labs"])
        + "."
    )
    lines += ["", f"Sources: {', '.join(plan['sources'])}. Edition: {plan['edition']}."]
    return _card(ctx, title, indicator, "\n".join(lines), overridable=True)


def fracture_liaison_card(ctx: CardContext, record: Record) -> dict[str, Any] | None:
    """A vertebral fragility fracture and no current osteoporosis medicine: refer to the
    fracture liaison service. None otherwise."""
    summary = record.summary
    fragility = [f for f in summary["vertebral_fractures"] if f.get("etiology") == "osteoporotic"]
    if not fragility or summary["osteoporosis_treatment"]:
        return None
    fracture_lines = [
        f"- {f['display']}"
        + (f", {f['level']}" if f.get("level") else "")
        + (f", since {f['effective']}" if f.get("effective") else "")
        + f" ({f['resource']})"
        for f in fragility
    ]
    lines = [
        "**Vertebral fragility fracture on record**",
        *fracture_lines,
        "",
        "**No osteoporosis medicine among the current medication orders.**",
    ]
    review = summary["medications_for_review"]
    if review:
        lines.append(
            f"{len(review)} current medicine(s) were not recognised; check that none treats "
            "osteoporosis: " + ", ".join(m["display"] for m in review) + "."
        )
    latest = summary["latest"]["dxa_t_score"]
    if latest is not None:
        lines.append(f"Latest DXA T-score: {latest['value']:.2f} ({latest['at']}).")
    lines += [
        "",
        "Secondary fracture prevention: refer to the fracture liaison service for fracture-risk "
        "assessment and a decision on osteoporosis medicine. Capture the Fracture key "
        "performance indicators: DXA within 12 weeks and osteoporosis medicine started within "
        "16 weeks of the fracture.",
        "",
        f"Source: {JAVAID_2020} (IOF Capture the Fracture patient-level KPIs, Javaid 2020). "
        "Decision support only: the decision is the clinician's.",
    ]
    return _card(
        ctx,
        "Vertebral fragility fracture without osteoporosis treatment: refer to fracture liaison",
        "warning",
        "\n".join(lines),
        overridable=True,
    )
