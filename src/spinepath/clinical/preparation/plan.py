"""The preparation plan: medicine holds and restarts, labs and fasting for one procedure.

``make_plan(raw, now=...)`` validates the raw JSON-like input (raising ``InvalidInput`` naming
every bad field) and returns a JSON-ready dict:

``medications`` (one entry per input line, never dropped: action hold / continue / review, the
stop window in hours, the last dose at a usual dose time, the restart), ``labs`` (INR, platelets,
and fibrinogen with chronic liver disease: ok / out_of_range / missing), ``fasting`` (the last
moments for each kind of food and drink, and the GLP-1 guidance used), ``edition``, plus the time
zone used, the sources and warnings.

Times: ``procedure_start`` must carry a UTC offset. Usual dose times are wall-clock times in
``time_zone`` (an IANA name) when given, otherwise in the fixed offset of ``procedure_start`` (a
warning then says that daylight-saving changes are not followed). Intervals are elapsed hours.

The core reads no clock: pass ``now`` to have a procedure in the past rejected and stop times
that have already passed sent to review.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any, Literal

from spinepath.clinical.preparation import diabetes
from spinepath.clinical.preparation import dose_schedule as ds
from spinepath.clinical.preparation.fasting import (
    GLP1_SCHEDULE_BY_NAME,
    GLP1_SOURCE,
    ClinicFasting,
    FastingItem,
    Glp1Guidance,
    Schedule,
    fasting_times,
    glp1_decision,
)
from spinepath.clinical.preparation.holds import (
    EDITION_SOURCE,
    Action,
    Edition,
    HoldRule,
    RestartAfter,
    select_rule,
)
from spinepath.clinical.preparation.inputs import (
    MedicationIn,
    PlanIn,
    parse_plan_input,
    zone_named,
)
from spinepath.clinical.preparation.labs import check_labs
from spinepath.clinical.preparation.medicine_record import Medicine
from spinepath.clinical.preparation.medicines import BY_ID, Recognition, recognise, tokens
from spinepath.clinical.preparation.results import (
    AwaitingDecision,
    FastingResult,
    Glp1Result,
    LabResult,
    MedicationResult,
    OtherLabResult,
    PlanResult,
    SuggestionResult,
)
from spinepath.clinical.sources.preparation import SIR_2019

# Where a medicine's frequency came from: the frequency field, the name text, or inferred.
FrequencyOrigin = Literal["given", "name", "dose_weekday", "dose_times"]


@dataclass(frozen=True)
class _Context:
    edition: Edition
    crcl_ml_min: float | None
    start: datetime
    end: datetime | None
    zone: tzinfo
    glp1_guidance: Glp1Guidance
    now: datetime | None


@dataclass
class _Entry:
    """One medication line's result, built up step by step."""

    input: str
    recognition: Recognition
    frequency: ds.Frequency | None
    frequency_origin: FrequencyOrigin | None
    action: Action = Action.REVIEW
    reason: str = ""
    source: str | None = None
    rule: str | None = None
    rule_id: str | None = None
    confidence: str | None = None
    edition: str | None = None
    stop_hours: tuple[float, float] | None = None
    deadline: datetime | None = None
    last_dose: datetime | None = None
    restart: RestartAfter | None = None
    warnings: list[str] = field(default_factory=list)
    review_flags: list[str] = field(default_factory=list)
    suggestion: SuggestionResult | None = None


_IV_WORDS = frozenset({"iv", "intravenous", "infusion", "drip", "gtt"})
_SC_WORDS = frozenset({"sc", "sq", "subq", "subcut", "subcutaneous"})
_MG = re.compile(r"(\d+(?:\.\d+)?)\s*mg\b(?!\s*/\s*kg)")


def _enoxaparin_intent(med: MedicationIn, frequency: ds.Frequency | None) -> str | None:
    if med.dose_intent is not None:
        return med.dose_intent
    text = med.name.lower() + " " + (med.frequency or "").lower()
    words = set(tokens(text))
    therapeutic = (
        bool(words & {"therapeutic", "treatment", "full"})
        or re.search(r"mg\s*/\s*kg", text) is not None
    )
    prophylactic = bool(words & {"prophylactic", "prophylaxis", "prevention"})
    if therapeutic != prophylactic:
        return "therapeutic" if therapeutic else "prophylactic"
    if therapeutic and prophylactic:
        return None
    amounts = [float(m) for m in _MG.findall(text)]
    per_day = frequency.doses_per_day if frequency is not None else None
    # Standard prophylactic regimens: 40 mg once daily, 30 mg once or twice daily.
    standard = {(40.0, 1.0), (30.0, 1.0), (30.0, 2.0)}
    if len(amounts) == 1 and per_day is not None and not _as_needed(frequency):
        return "prophylactic" if (amounts[0], per_day) in standard else None
    return None


def _as_needed(frequency: ds.Frequency | None) -> bool:
    return frequency is not None and frequency.as_needed


def _heparin_route(med: MedicationIn, frequency: ds.Frequency | None) -> str | None:
    if med.route in ("iv", "subcutaneous"):
        return med.route
    words = set(tokens(med.name + " " + (med.frequency or "")))
    iv, sc = bool(words & _IV_WORDS), bool(words & _SC_WORDS)
    if iv != sc:
        return "iv" if iv else "subcutaneous"
    if not iv and frequency is not None and frequency.doses_per_day in (2.0, 3.0):
        return "subcutaneous"  # 2-3 doses a day can only be subcutaneous injections
    return None


def _aspirin_indication(med: MedicationIn) -> str | None:
    if med.indication is not None:
        return med.indication
    words = set(tokens(med.name))
    if "primary" in words and "secondary" not in words:
        return "primary_prevention"
    if "secondary" in words and "primary" not in words:
        return "secondary_prevention"
    return None


def _variant(medicine: Medicine, med: MedicationIn, frequency: ds.Frequency | None) -> str | None:
    if medicine.id == "enoxaparin":
        return _enoxaparin_intent(med, frequency)
    if medicine.id == "heparin":
        return _heparin_route(med, frequency)
    if medicine.id == "aspirin":
        return _aspirin_indication(med)
    return None


def _frequency(
    med: MedicationIn, warnings: list[str]
) -> tuple[ds.Frequency | None, FrequencyOrigin | None]:
    """The dosing frequency and where it came from (given, the name text, or inferred)."""
    if med.frequency:
        frequency = ds.parse_frequency(med.frequency)
        if frequency is None:
            warnings.append(f"the frequency {med.frequency!r} was not understood")
            return None, None
        origin: FrequencyOrigin = "given"
    elif (from_name := ds.parse_frequency(med.name)) is not None:
        frequency, origin = from_name, "name"
    elif med.dose_weekday is not None:
        frequency, origin = ds.Frequency(1 / 7, weekly=True), "dose_weekday"
        warnings.append("no frequency given: taken as weekly from dose_weekday")
    elif med.dose_times:
        frequency, origin = ds.Frequency(float(len(med.dose_times))), "dose_times"
        warnings.append(
            f"no frequency given: taken as {frequency.label} from the {len(med.dose_times)} "
            "usual dose time(s)"
        )
    else:
        return None, None
    if (
        frequency.doses_per_day is not None
        and not frequency.weekly
        and not frequency.as_needed
        and med.dose_times
        and len(med.dose_times) != round(frequency.doses_per_day)
    ):
        warnings.append(
            f"{len(med.dose_times)} usual dose time(s) given for a {frequency.label} medicine"
        )
    return frequency, origin


def _times(med: MedicationIn) -> tuple[time, ...]:
    return tuple(ds.parse_clock_time(text) for text in med.dose_times)


def _apply_window(entry: _Entry, med: MedicationIn, ctx: _Context, deadline: datetime) -> None:
    """Set the deadline and the last usual dose at or before it."""
    entry.deadline = deadline.astimezone(ctx.zone)
    weekday = ds.WEEKDAYS.index(med.dose_weekday) if med.dose_weekday else None
    is_weekly = entry.frequency is not None and entry.frequency.weekly
    if is_weekly and weekday is None and med.dose_times:
        entry.warnings.append(
            "weekly medicine without dose_weekday: the usual dose day is unknown, so the latest "
            "allowed moment is given instead"
        )
        return
    entry.last_dose = ds.last_usual_dose_at_or_before(
        deadline, ctx.zone, _times(med), weekday if is_weekly else None
    )
    if not med.dose_times:
        entry.warnings.append(
            "no usual dose times given: last_dose_at is the latest allowed moment"
        )


def _apply_rule(entry: _Entry, med: MedicationIn, ctx: _Context, rule: HoldRule) -> None:
    entry.source, entry.rule, entry.rule_id = rule.source_id, rule.row, rule.rule_id
    entry.confidence, entry.edition = rule.confidence, rule.edition
    entry.action = rule.action
    entry.reason = rule.describe()
    entry.restart = rule.restart if rule.action is not Action.CONTINUE else None
    if rule.review_flag:
        entry.review_flags.append(rule.review_flag)
    if rule.stop is None:
        return
    if rule.stop.unit == "doses" and entry.frequency is not None and entry.frequency.weekly:
        entry.action = Action.REVIEW
        entry.reason = (
            f"a weekly schedule is not expected for this medicine, so {rule.stop.describe()} "
            f"cannot be turned into hours safely: review. {entry.reason}"
        )
        return
    hours = rule.stop.hours(entry.frequency)
    if hours is None:
        entry.action = Action.REVIEW
        entry.reason = (
            f"the dosing frequency is needed to turn {rule.stop.describe()} into hours "
            f"(frequency: {entry.frequency.label if entry.frequency else 'not given'}). "
            + entry.reason
        )
        return
    entry.stop_hours = hours
    if rule.stop.unit == "doses" and entry.frequency is not None:
        entry.reason += (
            f" {entry.frequency.label.capitalize()}: {rule.stop.describe()} = {_span(hours)} hours."
        )
    _apply_window(entry, med, ctx, ds.shift_hours(ctx.start, -hours[1], ctx.zone))


def _span(hours: tuple[float, float]) -> str:
    return f"{hours[0]:g}" if hours[0] == hours[1] else f"{hours[0]:g}-{hours[1]:g}"


def _glp1_schedule(
    recognition: Recognition,
    frequency: ds.Frequency | None,
    origin: FrequencyOrigin | None,
    warnings: list[str],
) -> tuple[Schedule | None, str]:
    # "semaglutide (Ozempic)" matches both names: the brand tells the schedule.
    parts = (recognition.matched_text or "").split(" + ")
    if recognition.medicine is not None:
        parts.append(recognition.medicine.id)
    by_name = next((GLP1_SCHEDULE_BY_NAME[p] for p in parts if p in GLP1_SCHEDULE_BY_NAME), None)
    given: Schedule | None = None
    stated = origin in ("given", "name", "dose_weekday")
    if stated and frequency is not None and frequency.doses_per_day is not None:
        given = "weekly" if frequency.weekly else "daily"
    if given is not None and by_name is not None and given != by_name:
        return None, (
            f"the frequency ({frequency.label if frequency else ''}) does not match the usual "
            f"{by_name} dosing of {recognition.matched_text}"
        )
    schedule = given or by_name
    if given is None and by_name is not None:
        warnings.append(f"{by_name} dosing assumed from the name {recognition.matched_text!r}")
    return schedule, ""


def _plan_glp1(entry: _Entry, med: MedicationIn, ctx: _Context) -> None:
    schedule, conflict = _glp1_schedule(
        entry.recognition, entry.frequency, entry.frequency_origin, entry.warnings
    )
    if not conflict and schedule is not None and entry.frequency_origin == "dose_times":
        entry.warnings = [w for w in entry.warnings if not w.startswith("no frequency given")]
        entry.frequency = (
            ds.Frequency(1 / 7, weekly=True)
            if schedule == "weekly"
            else ds.Frequency(float(max(1, len(med.dose_times))))
        )
    if schedule == "weekly" and (entry.frequency is None or not entry.frequency.weekly):
        entry.frequency = ds.Frequency(1 / 7, weekly=True)
    decision = glp1_decision(
        ctx.glp1_guidance,
        schedule,
        procedure_start=ctx.start,
        zone=ctx.zone,
        dose_escalation=med.dose_escalation,
        gi_symptoms=med.gi_symptoms,
    )
    entry.action, entry.reason = decision.action, decision.reason
    entry.source, entry.rule, entry.edition = decision.source_id, decision.row, ctx.glp1_guidance
    entry.rule_id = f"{ctx.glp1_guidance}/{schedule or 'unknown-schedule'}"
    entry.confidence = "P" if ctx.glp1_guidance == "asa-2023" else "S"
    entry.restart = RestartAfter("not_given") if decision.deadline is not None else None
    if conflict:
        entry.action = Action.REVIEW
        entry.reason = f"{conflict}: review. {entry.reason}"
    if decision.deadline is not None:
        hours = ds.hours_between(decision.deadline, ctx.start)
        entry.stop_hours = (hours, hours)
        _apply_window(entry, med, ctx, decision.deadline)


def _continue(entry: _Entry, reason: str) -> None:
    entry.action, entry.reason = Action.CONTINUE, reason


def _plan_one(med: MedicationIn, ctx: _Context) -> _Entry:
    warnings: list[str] = []
    recognition = recognise(med.name, med.rxnorm)
    warnings.extend(recognition.notes)
    frequency, origin = _frequency(med, warnings)
    entry = _Entry(med.name, recognition, frequency, origin, warnings=warnings)
    medicine = recognition.medicine
    if medicine is None:
        if recognition.components:
            names = " + ".join(BY_ID[c].display for c in recognition.components)
            kept = all(BY_ID[c].continue_reason for c in recognition.components)
            if kept and not recognition.unknown_words:
                _continue(
                    entry,
                    f"Combination of {names}: each part has no bleeding or "
                    "sedation rule; keep taking it as usual.",
                )
            else:
                entry.reason = (
                    f"combination of {names}: review each ingredient (list each medicine on its "
                    "own line)"
                )
        else:
            entry.reason = (
                "not recognised: a clinician must review this medicine (the planner never drops "
                "a medicine it does not know)"
            )
        _flag_unknown_words(entry)
        return entry
    diabetes_rule = diabetes.rule_for(medicine.id, medicine.medicine_class)
    if medicine.medicine_class == "glp1_receptor_agonist":
        _plan_glp1(entry, med, ctx)
    elif diabetes_rule is not None:
        _plan_diabetes(entry, med, ctx, diabetes_rule)
    elif medicine.continue_reason:
        _continue(entry, medicine.continue_reason)
        entry.source, entry.edition = EDITION_SOURCE[ctx.edition], ctx.edition
        entry.rule = "no periprocedural rule in the cited sources"
        entry.rule_id = f"{ctx.edition}/no-rule/{medicine.medicine_class}"
    elif medicine.review_reason:
        entry.source, entry.edition = medicine.source_ids[-1], ctx.edition
        entry.rule = "not encoded: could not be verified"
        entry.rule_id = f"not-encoded/{medicine.medicine_class}"
        entry.confidence = "U"
        entry.reason = f"{medicine.display}: {medicine.review_reason}. Clinician review."
    else:
        variant = _variant(medicine, med, entry.frequency)
        selection = select_rule(
            ctx.edition, medicine.id, variant=variant, crcl_ml_min=ctx.crcl_ml_min
        )
        if selection.rule is None:
            entry.edition = ctx.edition
            entry.source = EDITION_SOURCE[ctx.edition]
            entry.reason = f"{medicine.display}: {selection.review_reason}. Clinician review."
        else:
            _apply_rule(entry, med, ctx, selection.rule)
        if selection.rule is None or (
            selection.rule.action is Action.REVIEW and selection.rule.stop is None
        ):
            _offer_other_edition(entry, med, ctx, medicine, variant)
    _flag_unknown_words(entry)
    _flag_passed_deadline(entry, ctx)
    return entry


EDITION_LABEL: dict[Edition, str] = {"sir-2019": "SIR 2019", "asra-2018": "ASRA 2018"}


def _offer_other_edition(
    entry: _Entry, med: MedicationIn, ctx: _Context, medicine: Medicine, variant: str | None
) -> None:
    """Where the chosen edition gives no rule and the other edition does, say so and offer the
    other edition's rule as the suggestion (the medicine stays in review until decided)."""
    other: Edition = next(e for e in EDITION_SOURCE if e != ctx.edition)
    selection = select_rule(other, medicine.id, variant=variant, crcl_ml_min=ctx.crcl_ml_min)
    rule = selection.rule
    if rule is None or rule.action is Action.REVIEW:
        return
    scratch = _Entry(entry.input, entry.recognition, entry.frequency, entry.frequency_origin)
    other_ctx = replace(ctx, edition=other)
    _apply_rule(scratch, med, other_ctx, rule)
    _flag_passed_deadline(scratch, other_ctx)
    if scratch.action is Action.REVIEW:
        return
    fields = _entry_fields(scratch, med, other_ctx)
    entry.suggestion = SuggestionResult(
        **{key: value for key, value in fields.items() if key in _SUGGESTION_FIELDS}
    )
    entry.reason += (
        f" {EDITION_LABEL[ctx.edition]} gives no rule here; {EDITION_LABEL[other]} does, and it "
        f"is offered as the suggestion (a clinician must accept it): {rule.describe()}"
    )


_SUGGESTION_FIELDS = frozenset(
    {
        "action",
        "stop_before_hours",
        "last_dose_at",
        "last_dose_basis",
        "latest_allowed_last_dose_at",
        "restart_after_hours",
        "restart_window_hours",
        "restart_at",
        "restart_on",
        "restart_rule",
        "first_usual_dose_after_restart",
        "reason",
        "source",
        "rule",
        "rule_id",
        "confidence",
        "edition",
        "warnings",
    }
)


def _plan_diabetes(
    entry: _Entry, med: MedicationIn, ctx: _Context, rule: diabetes.DiabetesRule
) -> None:
    entry.source, entry.rule, entry.rule_id = rule.source_id, rule.row, rule.rule_id
    entry.confidence, entry.edition = rule.confidence, rule.source_id
    entry.reason = rule.describe()
    if rule.kind == "review":
        entry.action = Action.REVIEW
        return
    if rule.kind == "days_before" and rule.days_before is not None:
        deadline = ds.shift_hours(ctx.start, -rule.days_before * 24, ctx.zone)
    else:
        deadline = ds.start_of_day(ctx.start.astimezone(ctx.zone).date(), ctx.zone)
    entry.action = Action.HOLD
    entry.restart = RestartAfter("not_given", note=rule.restart_note)
    hours = ds.hours_between(deadline, ctx.start)
    entry.stop_hours = (hours, hours)
    _apply_window(entry, med, ctx, deadline)


def _flag_unknown_words(entry: _Entry) -> None:
    words = entry.recognition.unknown_words
    if not words:
        return
    entry.warnings.append(f"words not understood: {' '.join(words)}")
    if entry.action is not Action.REVIEW:
        entry.action = Action.REVIEW
        entry.reason = (
            f"the text also says {' '.join(words)!r}, which the planner does not understand "
            f"(it may be another ingredient): review. {entry.reason}"
        )


def _flag_passed_deadline(entry: _Entry, ctx: _Context) -> None:
    if ctx.now is None or entry.deadline is None or entry.action is Action.CONTINUE:
        return
    if entry.deadline.astimezone(UTC) < ctx.now.astimezone(UTC):
        entry.warnings.append("the latest allowed last dose is already in the past")
        if entry.action is Action.HOLD:
            entry.action = Action.REVIEW
            entry.reason = (
                f"the latest allowed last dose ({entry.deadline.isoformat()}) has already "
                f"passed: confirm when the last dose was taken, or move the procedure. "
                f"{entry.reason}"
            )


def _restart_fields(entry: _Entry, med: MedicationIn, ctx: _Context) -> dict[str, Any]:
    restart = entry.restart
    result: dict[str, Any] = {
        "restart_after_hours": None,
        "restart_window_hours": None,
        "restart_at": None,
        "restart_on": None,
        "restart_rule": restart.describe() if restart is not None else None,
        "first_usual_dose_after_restart": None,
    }
    if restart is None:
        return result
    reference = ctx.end or ctx.start
    moment: datetime | None = None
    if restart.kind == "hours" and restart.shortest_hours is not None:
        longest = restart.longest_hours or restart.shortest_hours
        result["restart_after_hours"] = restart.shortest_hours
        result["restart_window_hours"] = [restart.shortest_hours, longest]
        moment = ds.shift_hours(reference, restart.shortest_hours, ctx.zone)
    elif restart.kind == "next_day":
        next_day: date = reference.astimezone(ctx.zone).date() + timedelta(days=1)
        moment = ds.start_of_day(next_day, ctx.zone)
        result["restart_on"] = next_day.isoformat()
    if moment is not None:
        result["restart_at"] = moment.isoformat()
        if result["restart_on"] is None:
            result["restart_on"] = moment.date().isoformat()
        weekday = ds.WEEKDAYS.index(med.dose_weekday) if med.dose_weekday else None
        is_weekly = entry.frequency is not None and entry.frequency.weekly
        if not is_weekly or weekday is not None:
            first = ds.first_usual_dose_at_or_after(
                moment, ctx.zone, _times(med), weekday if is_weekly else None
            )
            result["first_usual_dose_after_restart"] = first.isoformat() if first else None
    return result


def _entry_fields(entry: _Entry, med: MedicationIn, ctx: _Context) -> dict[str, Any]:
    """The fields of one medicine's result (see ``results.MedicationResult``)."""
    medicine = entry.recognition.medicine
    last: datetime | None = entry.last_dose
    basis: str | None = "usual_dose_time" if last is not None else None
    if last is None and entry.deadline is not None:
        last, basis = entry.deadline, "latest_allowed_moment"
    return {
        "input": entry.input,
        "recognised_as": medicine.id if medicine else None,
        "display_name": medicine.display if medicine else None,
        "medicine_class": medicine.medicine_class if medicine else None,
        "matched_by": entry.recognition.matched_by,
        "components": entry.recognition.components,
        "action": entry.action.value,
        "stop_before_hours": entry.stop_hours,
        "last_dose_at": last,
        "last_dose_basis": basis,
        "last_dose_weekday": ds.WEEKDAYS[last.weekday()] if last else None,
        "latest_allowed_last_dose_at": entry.deadline,
        **_restart_fields(entry, med, ctx),
        "frequency": entry.frequency.label if entry.frequency else None,
        "reason": entry.reason,
        "source": entry.source,
        "rule": entry.rule,
        "rule_id": entry.rule_id,
        "confidence": entry.confidence,
        "edition": entry.edition,
        "review_flags": tuple(entry.review_flags),
        "suggestion": entry.suggestion,
        "warnings": tuple(entry.warnings),
    }


def _plan_zone(plan: PlanIn, warnings: list[str]) -> tuple[tzinfo, str, str]:
    offset = plan.procedure_start.utcoffset()
    if plan.time_zone is not None:
        zone = zone_named(plan.time_zone)
        local_offset = plan.procedure_start.astimezone(zone).utcoffset()
        if local_offset != offset:
            warnings.append(
                f"procedure_start was given with UTC offset {_offset_text(offset)}, but "
                f"{plan.time_zone} is at {_offset_text(local_offset)} then: the same moment is "
                f"shown in {plan.time_zone}"
            )
        return zone, plan.time_zone, "time_zone"
    fixed = timezone(offset or timedelta(0))
    warnings.append(
        f"no time_zone given: dose times are read at the fixed offset {fixed.tzname(None)} of "
        "procedure_start, and daylight-saving changes are not followed"
    )
    return fixed, str(fixed.tzname(None)), "procedure_start offset"


def _offset_text(offset: timedelta | None) -> str:
    return str(timezone(offset or timedelta(0)).tzname(None))


def make_plan(raw: Mapping[str, Any], *, now: datetime | None = None) -> dict[str, Any]:
    """The plan as JSON (for the edges: the command line, the API, CDS Hooks cards)."""
    return plan_result(raw, now=now).as_json()


def plan_result(raw: Mapping[str, Any], *, now: datetime | None = None) -> PlanResult:
    """Validate ``raw`` and compute the preparation plan (see the module docstring)."""
    plan = parse_plan_input(raw, now=now)
    warnings: list[str] = []
    zone, zone_name, zone_source = _plan_zone(plan, warnings)
    start = plan.procedure_start.astimezone(zone)
    end = plan.procedure_end.astimezone(zone) if plan.procedure_end else None
    if now is None:
        warnings.append("no 'now' given: not checked that the procedure and stop times are ahead")
    ctx = _Context(
        plan.edition,
        plan.creatinine_clearance_ml_min,
        start,
        end,
        zone,
        plan.clinic_policy.glp1_guidance,
        now,
    )

    medications: list[MedicationResult] = []
    glp1_inputs: list[str] = []
    for med in plan.medications:
        entry = _plan_one(med, ctx)
        medications.append(MedicationResult(**_entry_fields(entry, med, ctx)))
        medicine = entry.recognition.medicine
        if medicine is not None and medicine.medicine_class == "glp1_receptor_agonist":
            glp1_inputs.append(med.name)

    for item in medications:
        if item.action != "continue" and item.last_dose_weekday in ("saturday", "sunday"):
            warnings.append(
                f"{item.input}: the last dose falls on a {item.last_dose_weekday}: give the "
                "patient the stop instructions before the weekend"
            )

    labs_in = plan.labs
    labs = tuple(
        LabResult(**lab)
        for lab in check_labs(
            {
                "inr": labs_in.inr,
                "platelets": labs_in.platelets_10e9_per_l,
                "fibrinogen": labs_in.fibrinogen_mg_dl,
            },
            inr_threshold=plan.clinic_policy.inr_threshold,
            chronic_liver_disease=plan.chronic_liver_disease,
        )
    )
    if labs_in.hemoglobin_g_dl is None:
        warnings.append("SIR 2019 recommends a haemoglobin before this procedure (no threshold)")

    policy = plan.clinic_policy.fasting
    asked: tuple[tuple[FastingItem, float | None], ...] = (
        ("solid_food", policy.solid_food_hours),
        ("light_meal", policy.light_meal_hours),
        ("non_human_milk", policy.non_human_milk_hours),
        ("clear_liquids", policy.clear_liquids_hours),
    )
    overrides = tuple((item, hours) for item, hours in asked if hours is not None)
    liquid_diet = bool(glp1_inputs) and ctx.glp1_guidance == "multisociety-2024"
    times = fasting_times(
        start,
        zone,
        ClinicFasting(policy.nothing_by_mouth_after_midnight, overrides),
        glp1_liquid_diet=liquid_diet,
    )
    fasting = FastingResult(
        **times,
        glp1=Glp1Result(
            guidance=ctx.glp1_guidance,
            source=GLP1_SOURCE[ctx.glp1_guidance],
            medicines=tuple(glp1_inputs),
            liquid_diet_from=ds.shift_hours(start, -24, zone) if liquid_diet else None,
        )
        if glp1_inputs
        else None,
    )

    sources = {SIR_2019, *fasting.sources}
    sources.update(m.source for m in medications if m.source)
    for line in plan.medications:
        found = recognise(line.name, line.rxnorm).medicine
        if found is not None:
            sources.update(found.source_ids)
    needs_review = any(m.action == "review" or m.review_flags for m in medications) or any(
        lab.flagged for lab in labs
    )
    return PlanResult(
        medications=tuple(medications),
        labs=labs,
        fasting=fasting,
        edition=plan.edition,
        edition_source=EDITION_SOURCE[plan.edition],
        procedure_start=start,
        procedure_end=end,
        time_zone=zone_name,
        time_zone_source=zone_source,
        creatinine_clearance_ml_min=plan.creatinine_clearance_ml_min,
        chronic_liver_disease=plan.chronic_liver_disease,
        inr_threshold=plan.clinic_policy.inr_threshold,
        glp1_guidance=ctx.glp1_guidance,
        fasting_policy=fasting.policy,
        other_labs=(
            OtherLabResult(
                test="hemoglobin",
                value=labs_in.hemoglobin_g_dl,
                unit="g/dL",
                threshold=None,
                source=SIR_2019,
            ),
        ),
        needs_review=needs_review,
        sources=tuple(sorted(sources)),
        warnings=tuple(warnings),
        awaiting_decision=tuple(
            AwaitingDecision(medicine=index, input=m.input)
            for index, m in enumerate(medications)
            if m.action == "review"
        ),
    )
