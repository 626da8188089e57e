"""Discharge readiness after the procedure, and the score items derived from baseline vitals.

The checklist (each row with its sources):
- observed for at least the clinic's minimum time since the procedure ended (default 60 minutes);
- modified Aldrete score 9 or more, when sedation was given (not needed after local anaesthetic
  alone);
- modified PADSS 9 or more;
- a responsible adult to escort the patient home;
- pain relief for home, and antibiotics when they were prescribed;
- discharge instructions given;
- a follow-up visit booked;
- the latest recovery NEWS2 below the clinic's discharge threshold (default 5, the RCP's
  urgent-response threshold);
- no NEWS2 alert open (each acknowledged by a clinician, or resolved by a lower score).

Baseline (pre-procedure) vitals feed two score items: the Aldrete circulation item (systolic
pressure within 20 % of the pre-anaesthetic level 2, 20-49 % 1, 50 % or more 0; percent wording
of Aldrete & Kroulik 1970, kept in 1995) and the PADSS vital-signs item (pressure and pulse within
20 % of the pre-operative value 2, 20-40 % 1, more than 40 % 0; Marshall & Chung 1999).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from spinepath.clinical.errors import parse_input
from spinepath.clinical.instruments import aldrete, padss
from spinepath.clinical.procedure import EDITION
from spinepath.clinical.sources.candidacy import HIRSCH_2018_PATHWAY
from spinepath.clinical.sources.procedure import SPINEPATH_PROCEDURE_DAY, VP_POSTOPERATIVE_ORDERS
from spinepath.clinical.sources.recovery_scores import (
    ALDRETE_1995,
    ALDRETE_KROULIK_1970,
    CHUNG_1995_PADSS,
    MARSHALL_CHUNG_1999,
    RCP_NEWS2_2017,
)

# ---- Clinic settings: defaults and the values a clinic may choose --------------------------


@dataclass(frozen=True)
class Setting:
    name: str
    default: int
    minimum: int  # entry guard (spinepath's own), not a clinical threshold
    maximum: int
    source_ids: tuple[str, ...]


OBSERVATION_MINIMUM = Setting(
    "observation_minimum_minutes",
    60,
    1,
    24 * 60,
    (VP_POSTOPERATIVE_ORDERS, SPINEPATH_PROCEDURE_DAY),
)
OBSERVATION_INTERVAL = Setting(
    "observation_interval_minutes",
    15,
    1,
    24 * 60,
    (VP_POSTOPERATIVE_ORDERS, SPINEPATH_PROCEDURE_DAY),
)
# The latest NEWS2 must be below this to go home. Default 5: the RCP's urgent-response threshold
# (an aggregate of 5 or more is "medium" risk, Chart 2); a clinic may be stricter.
DISCHARGE_NEWS2_BELOW = Setting(
    "discharge_news2_below",
    5,
    1,
    21,
    (RCP_NEWS2_2017, SPINEPATH_PROCEDURE_DAY),
)
SETTINGS: tuple[Setting, ...] = (OBSERVATION_MINIMUM, OBSERVATION_INTERVAL, DISCHARGE_NEWS2_BELOW)

ALDRETE_DISCHARGE_FROM = aldrete.DISCHARGE_FROM_TOTAL
PADSS_HOME_READY_FROM = padss.HOME_READY_FROM_TOTAL

# ---- Score items derived from baseline vitals -----------------------------------------------


@dataclass(frozen=True)
class Band:
    """Points when the change from baseline (percent) is up to ``upper`` (None: no bound)."""

    upper_percent: Decimal | None
    inclusive: bool
    points: int

    def holds(self, percent: Decimal) -> bool:
        if self.upper_percent is None:
            return True
        return percent <= self.upper_percent if self.inclusive else percent < self.upper_percent


@dataclass(frozen=True)
class DerivedItem:
    instrument: str
    item: str
    compares: tuple[str, ...]  # vital-sign fields compared with baseline; the worst one counts
    bands: tuple[Band, ...]
    source_id: str


ALDRETE_CIRCULATION = DerivedItem(
    "aldrete",
    "circulation",
    ("systolic_bp_mmhg",),
    (Band(Decimal(20), True, 2), Band(Decimal(50), False, 1), Band(None, True, 0)),
    ALDRETE_KROULIK_1970,
)
PADSS_VITAL_SIGNS = DerivedItem(
    "padss",
    "vital_signs",
    ("systolic_bp_mmhg", "pulse_per_min"),
    (Band(Decimal(20), True, 2), Band(Decimal(40), True, 1), Band(None, True, 0)),
    MARSHALL_CHUNG_1999,
)
DERIVED_ITEMS: tuple[DerivedItem, ...] = (ALDRETE_CIRCULATION, PADSS_VITAL_SIGNS)


def percent_change(baseline: int | float, current: int | float) -> Decimal | None:
    """|current - baseline| as a percent of baseline; None when the baseline is 0."""
    base = Decimal(str(baseline))
    if base == 0:
        return None
    return abs(Decimal(str(current)) - base) / base * 100


def derive_item(
    item: DerivedItem, baseline: Mapping[str, Any], current: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The item's points from baseline and current vitals, or None when it cannot be derived."""
    changes: dict[str, Decimal] = {}
    for name in item.compares:
        if baseline.get(name) is None or current.get(name) is None:
            return None
        change = percent_change(baseline[name], current[name])
        if change is None:
            return None
        changes[name] = change
    worst = max(changes.values())
    points = next(band.points for band in item.bands if band.holds(worst))
    return {
        "instrument": item.instrument,
        "item": item.item,
        "points": points,
        "percent_change": {name: float(round(value, 1)) for name, value in changes.items()},
        "baseline": {name: baseline[name] for name in item.compares},
        "current": {name: current[name] for name in item.compares},
        "source": item.source_id,
    }


# ---- Readiness --------------------------------------------------------------------------------

Status = Literal["met", "unmet", "not_needed"]


@dataclass(frozen=True)
class Criterion:
    id: str
    label: str
    source_ids: tuple[str, ...]


CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "observation_time",
        "Observed for at least the clinic's minimum time",
        OBSERVATION_MINIMUM.source_ids,
    ),
    Criterion(
        "aldrete",
        f"Modified Aldrete score {ALDRETE_DISCHARGE_FROM} or more after sedation",
        (ALDRETE_1995,),
    ),
    Criterion("padss", f"PADSS {PADSS_HOME_READY_FROM} or more", (CHUNG_1995_PADSS,)),
    Criterion(
        "escort",
        "A responsible adult to escort the patient home",
        (CHUNG_1995_PADSS, MARSHALL_CHUNG_1999),
    ),
    Criterion("pain_relief", "Pain relief for home", (SPINEPATH_PROCEDURE_DAY,)),
    Criterion("antibiotics", "Antibiotics given, when prescribed", (SPINEPATH_PROCEDURE_DAY,)),
    Criterion("instructions", "Discharge instructions given", (VP_POSTOPERATIVE_ORDERS,)),
    Criterion("follow_up", "Follow-up visit booked", (HIRSCH_2018_PATHWAY,)),
    Criterion(
        "latest_news2",
        "Latest NEWS2 below the clinic's discharge threshold",
        DISCHARGE_NEWS2_BELOW.source_ids,
    ),
    Criterion(
        "alerts",
        "No NEWS2 alert open (each acknowledged, or the score fell below its threshold)",
        (RCP_NEWS2_2017,),
    ),
)
CRITERIA_BY_ID: dict[str, Criterion] = {criterion.id: criterion for criterion in CRITERIA}


class ReadinessInput(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    now: AwareDatetime
    procedure_ended_at: AwareDatetime
    observation_minimum_minutes: int = Field(
        ge=OBSERVATION_MINIMUM.minimum, le=OBSERVATION_MINIMUM.maximum
    )
    sedation_given: bool
    aldrete_total: int | None = Field(default=None, ge=0, le=10)
    padss_total: int | None = Field(default=None, ge=0, le=10)
    escort_confirmed: bool = False
    pain_relief_given: bool = False
    antibiotics_prescribed: bool = False
    antibiotics_given: bool = False
    instructions_given: bool = False
    follow_up_booked: bool = False
    open_alerts: int = Field(default=0, ge=0)
    latest_news2_total: int | None = Field(default=None, ge=0, le=20)
    discharge_news2_below: int = Field(
        default=DISCHARGE_NEWS2_BELOW.default,
        ge=DISCHARGE_NEWS2_BELOW.minimum,
        le=DISCHARGE_NEWS2_BELOW.maximum,
    )

    @model_validator(mode="after")
    def _times(self) -> ReadinessInput:
        if self.procedure_ended_at > self.now:
            raise ValueError("the procedure cannot end after now")
        return self


def _item(criterion_id: str, status: Status, detail: str) -> dict[str, Any]:
    criterion = CRITERIA_BY_ID[criterion_id]
    return {
        "id": criterion.id,
        "label": criterion.label,
        "status": status,
        "detail": detail,
        "sources": list(criterion.source_ids),
    }


def _met(flag: bool) -> Status:
    return "met" if flag else "unmet"


def readiness(data: ReadinessInput) -> dict[str, Any]:
    observed: timedelta = data.now - data.procedure_ended_at
    observed_minutes = int(observed.total_seconds() // 60)
    minimum = data.observation_minimum_minutes
    ready_at: datetime = data.procedure_ended_at + timedelta(minutes=minimum)
    items = [
        _item(
            "observation_time",
            _met(observed_minutes >= minimum),
            f"{observed_minutes} of {minimum} minutes since the procedure ended",
        ),
    ]
    if not data.sedation_given:
        items.append(_item("aldrete", "not_needed", "no sedation was given"))
    elif data.aldrete_total is None:
        items.append(_item("aldrete", "unmet", "not scored yet"))
    else:
        items.append(
            _item(
                "aldrete",
                _met(data.aldrete_total >= ALDRETE_DISCHARGE_FROM),
                f"latest score {data.aldrete_total}",
            )
        )
    if data.padss_total is None:
        items.append(_item("padss", "unmet", "not scored yet"))
    else:
        items.append(
            _item(
                "padss",
                _met(data.padss_total >= PADSS_HOME_READY_FROM),
                f"latest score {data.padss_total}",
            )
        )
    items.append(
        _item(
            "escort",
            _met(data.escort_confirmed),
            "confirmed" if data.escort_confirmed else "not confirmed",
        )
    )
    items.append(
        _item(
            "pain_relief",
            _met(data.pain_relief_given),
            "given" if data.pain_relief_given else "not given",
        )
    )
    if not data.antibiotics_prescribed:
        items.append(_item("antibiotics", "not_needed", "none prescribed"))
    else:
        items.append(
            _item(
                "antibiotics",
                _met(data.antibiotics_given),
                "given" if data.antibiotics_given else "prescribed, not given",
            )
        )
    items.append(
        _item(
            "instructions",
            _met(data.instructions_given),
            "given" if data.instructions_given else "not given",
        )
    )
    items.append(
        _item(
            "follow_up",
            _met(data.follow_up_booked),
            "booked" if data.follow_up_booked else "not booked",
        )
    )
    below = data.discharge_news2_below
    if data.latest_news2_total is None:
        items.append(_item("latest_news2", "unmet", "no recovery vital signs yet"))
    else:
        items.append(
            _item(
                "latest_news2",
                _met(data.latest_news2_total < below),
                f"latest NEWS2 {data.latest_news2_total}; must be below {below}",
            )
        )
    items.append(
        _item(
            "alerts",
            _met(data.open_alerts == 0),
            "none open" if data.open_alerts == 0 else f"{data.open_alerts} open",
        )
    )
    missing = [item["id"] for item in items if item["status"] == "unmet"]
    return {
        "ready": not missing,
        "items": items,
        "missing": missing,
        "observed_minutes": observed_minutes,
        "observation_minimum_minutes": minimum,
        "discharge_news2_below": below,
        "minimum_time_reached_at": ready_at.isoformat(),
        "edition": EDITION,
        "sources": sorted({s for item in items for s in item["sources"]}),
    }


def assess(raw: Mapping[str, Any] | Any) -> dict[str, Any]:
    """Validate (InvalidInput names every bad field) and assess readiness."""
    return readiness(parse_input(ReadinessInput, raw))
