"""Secondary fracture prevention: IOF Capture the Fracture patient-level indicators.

Measured from the date of the sentinel fracture (Javaid 2020):
- bone density (DXA) within 12 weeks;
- osteoporosis medicine started within 16 weeks;
- osteoporosis medicine still prescribed 52 weeks after the fracture.

"Within N weeks" counts the deadline day itself (fracture date + N weeks, inclusive). A test or
a start before the fracture does not count for that fracture. An indicator is *pending* while
its deadline has not passed and it is not yet met; afterwards it is *not met*. The 52-week
indicator needs a check made on or after the 52-week day; without one it is *no data* once that
day has passed.

Achievement levels for a service (Javaid 2020): below 50 %, 50-80 %, above 80 %.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from spinepath.clinical.errors import parse_input
from spinepath.clinical.sources.follow_up import JAVAID_2020

KpiCode = Literal["dxa_12_weeks", "treatment_16_weeks", "on_treatment_52_weeks"]
KpiStatus = Literal["met", "not_met", "pending", "no_data"]
EDITION = "IOF Capture the Fracture patient-level KPIs (Javaid 2020)"


@dataclass(frozen=True)
class KpiDefinition:
    code: KpiCode
    title: str
    weeks: int
    source_id: str


KPIS: tuple[KpiDefinition, ...] = (
    KpiDefinition("dxa_12_weeks", "Bone density scan (DXA) within 12 weeks", 12, JAVAID_2020),
    KpiDefinition(
        "treatment_16_weeks", "Osteoporosis medicine started within 16 weeks", 16, JAVAID_2020
    ),
    KpiDefinition(
        "on_treatment_52_weeks", "Osteoporosis medicine still taken at 52 weeks", 52, JAVAID_2020
    ),
)
KPI_BY_CODE: dict[KpiCode, KpiDefinition] = {kpi.code: kpi for kpi in KPIS}


@dataclass(frozen=True)
class AchievementBand:
    code: Literal["below_50", "50_to_80", "above_80"]
    label: str
    lower_percent: int  # inclusive unless ``lower_exclusive``
    lower_exclusive: bool
    source_id: str


# Read in order: the first band whose lower limit the percentage reaches wins.
ACHIEVEMENT_BANDS: tuple[AchievementBand, ...] = (
    AchievementBand("above_80", "above 80 %", 80, True, JAVAID_2020),
    AchievementBand("50_to_80", "50-80 %", 50, False, JAVAID_2020),
    AchievementBand("below_50", "below 50 %", 0, False, JAVAID_2020),
)


class LiaisonFacts(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    fracture_date: date = Field(description="Date of the sentinel fracture")
    dxa_date: date | None = None
    treatment_start_date: date | None = None
    adherence_checked_on: date | None = Field(
        default=None, description="When it was checked whether the medicine is still taken"
    )
    still_on_treatment: bool | None = None


@dataclass(frozen=True)
class KpiResult:
    code: KpiCode
    title: str
    status: KpiStatus
    deadline: date
    met: bool
    reason: str
    source_id: str


def deadline_for(kpi: KpiDefinition, fracture_date: date) -> date:
    return fracture_date + timedelta(weeks=kpi.weeks)


def _within(kpi: KpiDefinition, facts: LiaisonFacts, done: date | None, today: date) -> KpiResult:
    deadline = deadline_for(kpi, facts.fracture_date)
    if done is not None and facts.fracture_date <= done <= deadline:
        status: KpiStatus = "met"
        reason = f"done on {done.isoformat()}, by {deadline.isoformat()}"
    elif done is not None and done > deadline:
        status, reason = "not_met", f"done on {done.isoformat()}, after {deadline.isoformat()}"
    elif done is not None:
        status, reason = (
            ("pending" if today <= deadline else "not_met"),
            f"{done.isoformat()} is before the fracture and does not count",
        )
    elif today <= deadline:
        status, reason = "pending", f"not yet recorded; due by {deadline.isoformat()}"
    else:
        status, reason = "not_met", f"not recorded by {deadline.isoformat()}"
    return KpiResult(kpi.code, kpi.title, status, deadline, status == "met", reason, kpi.source_id)


def _on_treatment(kpi: KpiDefinition, facts: LiaisonFacts, today: date) -> KpiResult:
    deadline = deadline_for(kpi, facts.fracture_date)
    checked = facts.adherence_checked_on
    status: KpiStatus
    if checked is not None and checked >= deadline and facts.still_on_treatment is not None:
        status = "met" if facts.still_on_treatment else "not_met"
        taking = "still taken" if facts.still_on_treatment else "not taken"
        reason = f"checked on {checked.isoformat()}: {taking}"
    elif today < deadline:
        status, reason = "pending", f"check on or after {deadline.isoformat()}"
    else:
        status, reason = "no_data", f"no check recorded on or after {deadline.isoformat()}"
    return KpiResult(kpi.code, kpi.title, status, deadline, status == "met", reason, kpi.source_id)


def evaluate(raw: LiaisonFacts | object, today: date) -> list[KpiResult]:
    """The three indicators for one patient, as of the clinic's ``today``."""
    facts = raw if isinstance(raw, LiaisonFacts) else parse_input(LiaisonFacts, raw)
    dxa, treatment, adherence = KPIS
    return [
        _within(dxa, facts, facts.dxa_date, today),
        _within(treatment, facts, facts.treatment_start_date, today),
        _on_treatment(adherence, facts, today),
    ]


def achievement_band(achieved: int, eligible: int) -> AchievementBand | None:
    """The service's achievement level; None when no patient is eligible yet."""
    if eligible <= 0:
        return None
    if not 0 <= achieved <= eligible:
        raise ValueError("achieved must be between 0 and eligible")
    percent = Fraction(achieved * 100, eligible)
    for band in ACHIEVEMENT_BANDS:
        if percent > band.lower_percent or (
            not band.lower_exclusive and percent >= band.lower_percent
        ):
            return band
    raise AssertionError("ACHIEVEMENT_BANDS must end with a band starting at 0")
