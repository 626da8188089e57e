"""Change in 0-10 pain intensity (NRS-11), with responder status by minimal important change.

change = baseline - follow-up (positive means less pain); percent change is relative to the
baseline. Responder: a reduction of at least 2 points or at least 30 % (Farrar 2001: about two
points or about 30 %, two alternative measures; Ostelo 2008: NRS minimal important change 2,
30 % on any measure). With a baseline of 0 the percent change is undefined (null) and only the
points criterion applies, which an increase from 0 cannot meet.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from spinepath.clinical.instruments import Instrument
from spinepath.clinical.sources.outcome_measures import FARRAR_2001, OSTELO_2008

RESPONDER_POINTS = 2  # reduction of ≥ 2 points (Farrar 2001; Ostelo 2008)
RESPONDER_PERCENT = 30  # or reduction of ≥ 30 % of baseline (Farrar 2001; Ostelo 2008)
RESPONDER_SOURCES = (FARRAR_2001, OSTELO_2008)
ONE_DECIMAL = Decimal("0.1")


class NrsChangeInput(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    baseline: int = Field(
        ge=0, le=10, description="Pain before treatment, 0 (no pain) to 10 (worst possible)."
    )
    follow_up: int = Field(
        ge=0, le=10, description="Pain at follow-up, 0 (no pain) to 10 (worst possible)."
    )


def _one_decimal(value: Fraction) -> float:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return float(exact.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP))


def compute(data: NrsChangeInput) -> dict[str, Any]:
    change = data.baseline - data.follow_up
    percent = None if data.baseline == 0 else Fraction(change * 100, data.baseline)
    meets_points = change >= RESPONDER_POINTS
    meets_percent = percent is not None and percent >= RESPONDER_PERCENT
    return {
        "change": change,
        "percent_change": None if percent is None else _one_decimal(percent),
        "responder": meets_points or meets_percent,
        "meets_points_threshold": meets_points,
        "meets_percent_threshold": meets_percent,
        "thresholds": {
            "points": RESPONDER_POINTS,
            "percent": RESPONDER_PERCENT,
            "rule": "reduction of at least 2 points or at least 30 % of baseline",
        },
    }


FORMULA = """\
change = baseline − follow-up (positive = less pain)
percent change = change ÷ baseline × 100, rounded half-up to one decimal (none if baseline is 0)
Responder (minimal clinically important improvement) when change ≥ 2 points
or percent change ≥ 30 % (Farrar 2001; Ostelo 2008).
  Example: 8 → 5: change 3, 37.5 % → responder.  3 → 2: change 1, 33.3 % → responder.
  7 → 6: change 1, 14.3 % → not a responder."""

INSTRUMENT = Instrument(
    name="nrs_change",
    title="Change in pain score (NRS 0-10) with responder status",
    edition="NRS-11 change; responder ≥ 2 points or ≥ 30 % (Farrar 2001)",
    source_ids=(FARRAR_2001, OSTELO_2008),
    formula=FORMULA,
    input_model=NrsChangeInput,
    compute=compute,
    note=(
        "Farrar 2001 gives two alternative cut-offs (about 2 points, about 30 %); spinepath "
        "counts a responder when either is met and reports each separately. The 30 % measure "
        "is the more consistent across baselines."
    ),
)
