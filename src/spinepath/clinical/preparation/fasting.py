"""Fasting before the procedure (ASA), a clinic's stricter policy, and GLP-1 receptor agonists.

ASA 2017 (unchanged in the 2023 update): clear liquids until 2 h before; a light meal or
non-human milk until 6 h; fried or fatty food or meat may need 8 h or more (encoded: 8 h). A
clinic may only make these stricter (longer fasts, or nothing by mouth after midnight); for each
item the earlier of the ASA time and the clinic's time wins.

GLP-1 receptor agonists follow the selected guidance edition:
- ``asa-2023``: daily dosing, consider holding on the day of the procedure; weekly dosing,
  consider holding a week before the day of the procedure; GI symptoms: consider delaying.
- ``multisociety-2024`` (ASA, AGA, ASMBS, ISPCOP, SAGES; affirmed by ASA): most patients continue
  the drug, with a liquid diet for at least 24 h before; dose escalation, higher doses, weekly
  dosing and GI symptoms raise the risk and call for a shared decision; if the drug is held, the
  ASA 2023 hold times apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Literal

from spinepath.clinical.preparation.dose_schedule import hours_between, shift_hours, start_of_day
from spinepath.clinical.preparation.holds import Action
from spinepath.clinical.sources.preparation import (
    ASA_2017_FASTING,
    ASA_2023_FASTING,
    ASA_2023_GLP1,
    MULTISOCIETY_2024_GLP1,
)

FastingItem = Literal["solid_food", "light_meal", "non_human_milk", "clear_liquids"]
ASA_HOURS: dict[FastingItem, float] = {
    "solid_food": 8,  # fried or fatty food, or meat: "additional time, e.g. 8 h or more"
    "light_meal": 6,
    "non_human_milk": 6,
    "clear_liquids": 2,
}
ITEM_TEXT: dict[FastingItem, str] = {
    "solid_food": "fried or fatty food, or meat",
    "light_meal": "a light meal (for example toast and a clear drink)",
    "non_human_milk": "milk that is not breast milk",
    "clear_liquids": "clear liquids (water, pulp-free juice, clear tea, black coffee)",
}

Glp1Guidance = Literal["asa-2023", "multisociety-2024"]
GLP1_GUIDANCES: tuple[Glp1Guidance, ...] = ("asa-2023", "multisociety-2024")
DEFAULT_GLP1_GUIDANCE: Glp1Guidance = "multisociety-2024"
GLP1_SOURCE: dict[Glp1Guidance, str] = {
    "asa-2023": ASA_2023_GLP1,
    "multisociety-2024": MULTISOCIETY_2024_GLP1,
}
LIQUID_DIET_HOURS = 24
Schedule = Literal["daily", "weekly"]

# Usual schedule by brand or generic name; semaglutide and exenatide come in both.
GLP1_SCHEDULE_BY_NAME: dict[str, Schedule] = {
    "ozempic": "weekly",
    "wegovy": "weekly",
    "rybelsus": "daily",
    "victoza": "daily",
    "saxenda": "daily",
    "liraglutide": "daily",
    "trulicity": "weekly",
    "dulaglutide": "weekly",
    "byetta": "daily",
    "bydureon": "weekly",
    "bydureon bcise": "weekly",
    "adlyxin": "daily",
    "lixisenatide": "daily",
    "mounjaro": "weekly",
    "zepbound": "weekly",
    "tirzepatide": "weekly",
}


@dataclass(frozen=True)
class ClinicFasting:
    """A clinic's own fasting policy; each item may only be stricter than ASA."""

    nothing_by_mouth_after_midnight: bool = False
    hours: tuple[tuple[FastingItem, float], ...] = ()


def fasting_times(
    procedure_start: datetime,
    zone: tzinfo,
    clinic: ClinicFasting,
    *,
    glp1_liquid_diet: bool,
) -> dict[str, Any]:
    """When to stop each kind of food and drink; each "until" is the last moment allowed."""
    overrides = dict(clinic.hours)
    midnight = start_of_day(procedure_start.astimezone(zone).date(), zone)
    effective: dict[str, str] = {}
    hours_before: dict[str, float] = {}
    asa_until: dict[str, str] = {}
    stricter: list[str] = []
    for item, asa_hours in ASA_HOURS.items():
        asa_moment = shift_hours(procedure_start, -asa_hours, zone)
        candidates = [shift_hours(procedure_start, -max(asa_hours, overrides.get(item, 0)), zone)]
        if clinic.nothing_by_mouth_after_midnight:
            candidates.append(midnight)
        if glp1_liquid_diet and item in ("solid_food", "light_meal"):
            candidates.append(shift_hours(procedure_start, -LIQUID_DIET_HOURS, zone))
        chosen = min(candidates, key=lambda moment: moment.astimezone(UTC)).astimezone(zone)
        if chosen.astimezone(UTC) != asa_moment.astimezone(UTC):
            stricter.append(item)
        effective[f"{item}_until"] = chosen.isoformat()
        asa_until[f"{item}_until"] = asa_moment.isoformat()
        hours_before[item] = round(hours_between(chosen, procedure_start), 4)
    policy_parts = ["asa"]
    if clinic.nothing_by_mouth_after_midnight or overrides:
        policy_parts.append("clinic")
    if glp1_liquid_diet:
        policy_parts.append("glp1-liquid-diet")
    return {
        **effective,
        "hours_before": hours_before,
        "policy": "+".join(policy_parts),
        "stricter_than_asa": stricter,
        "asa": asa_until,
        "items": dict(ITEM_TEXT),
        "sources": [ASA_2017_FASTING, ASA_2023_FASTING],
    }


@dataclass(frozen=True)
class Glp1Decision:
    action: Action
    reason: str
    row: str
    source_id: str
    deadline: datetime | None  # the latest allowed last dose, when the drug is (or may be) held
    liquid_diet_from: datetime | None


def _asa_deadline(schedule: Schedule, procedure_start: datetime, zone: tzinfo) -> datetime:
    day = procedure_start.astimezone(zone).date()
    if schedule == "weekly":
        return start_of_day(day - timedelta(days=7), zone)
    return start_of_day(day, zone)


_ASA_TEXT: dict[Schedule, str] = {
    "daily": "daily dosing: hold it on the day of the procedure",
    "weekly": "weekly dosing: hold it for the week before the day of the procedure",
}


def glp1_decision(
    guidance: Glp1Guidance,
    schedule: Schedule | None,
    *,
    procedure_start: datetime,
    zone: tzinfo,
    dose_escalation: bool | None,
    gi_symptoms: bool | None,
) -> Glp1Decision:
    source = GLP1_SOURCE[guidance]
    if guidance == "asa-2023":
        row = "ASA 2023 GLP-1 guidance"
        if schedule is None:
            return Glp1Decision(
                Action.REVIEW,
                "GLP-1 receptor agonist: the planner cannot tell daily from weekly dosing "
                "(ASA 2023 holds a daily drug on the day, a weekly drug for the week before)",
                row,
                source,
                None,
                None,
            )
        deadline = _asa_deadline(schedule, procedure_start, zone)
        text = f"ASA 2023, {_ASA_TEXT[schedule]}"
        if gi_symptoms:
            return Glp1Decision(
                Action.REVIEW,
                f"{text}. The patient has GI symptoms (nausea, vomiting, bloating, belly pain):"
                " ASA 2023 advises considering delaying the procedure: review",
                row,
                source,
                deadline,
                None,
            )
        return Glp1Decision(
            Action.HOLD,
            f"{text}. If GI symptoms appear on the day, the team considers delaying.",
            row,
            source,
            deadline,
            None,
        )

    row = "2024 multisociety GLP-1 guidance"
    liquid_diet_from = shift_hours(procedure_start, -LIQUID_DIET_HOURS, zone)
    risks = []
    if schedule == "weekly":
        risks.append("weekly dosing")
    if dose_escalation:
        risks.append("dose still being increased")
    if gi_symptoms:
        risks.append("GI symptoms")
    if schedule is None:
        risks.append("daily or weekly dosing not known")
    diet = f"liquid diet for {LIQUID_DIET_HOURS} h before the procedure"
    if risks:
        hold = f" If it is held: ASA 2023, {_ASA_TEXT[schedule]}." if schedule is not None else ""
        return Glp1Decision(
            Action.REVIEW,
            f"2024 multisociety guidance: higher risk of a full stomach ({', '.join(risks)}): "
            f"continuing or holding is a shared decision; {diet}.{hold}",
            row,
            source,
            _asa_deadline(schedule, procedure_start, zone) if schedule is not None else None,
            liquid_diet_from,
        )
    return Glp1Decision(
        Action.CONTINUE,
        f"2024 multisociety guidance: daily dosing, no dose escalation or GI symptoms reported: "
        f"keep taking it, with a {diet}. Confirm there is no other cause of slow stomach "
        "emptying.",
        row,
        source,
        None,
        liquid_diet_from,
    )
