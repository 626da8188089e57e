"""Oswestry Disability Index v2.1a scoring (Fairbank & Pynsent 2000).

Ten sections, each 0-5 points. Index = points ÷ (5 × sections answered) × 100, rounded half-up
to one decimal. At most one section may be unanswered (or not applicable); with two or more
missing the questionnaire is not scorable (AO Clinical Investigation and Documentation scoring
algorithm; the ODI form's own instructions only describe one missed section). The copyrighted
questionnaire wording is not part of spinepath: only the section numbers and their points.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from spinepath.clinical.instruments import Instrument
from spinepath.clinical.sources.outcome_measures import (
    AO_CID_ODI_2012,
    FAIRBANK_PYNSENT_2000,
    OSTELO_2008,
)

SECTIONS = 10
POINTS_PER_SECTION = 5
MAX_UNANSWERED = 1  # more than one unanswered section: not scorable (AO CID 2012)
MAX_UNANSWERED_SOURCE = AO_CID_ODI_2012
MCID_CHANGE_POINTS = 10  # minimal important change in the index (Ostelo 2008)
MCID_SOURCE = OSTELO_2008
ONE_DECIMAL = Decimal("0.1")
# The sections' names in questionnaire order (names only: the statements are copyrighted).
SECTION_HEADINGS: tuple[str, ...] = (
    "pain intensity",
    "personal care",
    "lifting",
    "walking",
    "sitting",
    "standing",
    "sleeping",
    "sex life",
    "social life",
    "travelling",
)


@dataclass(frozen=True)
class Band:
    name: str
    upper_percent: int | None  # inclusive; None = up to 100
    source_id: str


BANDS: tuple[Band, ...] = (
    Band("minimal", 20, FAIRBANK_PYNSENT_2000),
    Band("moderate", 40, FAIRBANK_PYNSENT_2000),
    Band("severe", 60, FAIRBANK_PYNSENT_2000),
    Band("crippled", 80, FAIRBANK_PYNSENT_2000),
    Band("bed-bound", None, FAIRBANK_PYNSENT_2000),
)

SectionPoints = Annotated[int, Field(ge=0, le=POINTS_PER_SECTION)]


class OdiInput(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    sections: list[SectionPoints | None] = Field(
        min_length=SECTIONS,
        max_length=SECTIONS,
        description=(
            "The ten ODI v2.1a sections in questionnaire order ("
            + ", ".join(f"{n} {name}" for n, name in enumerate(SECTION_HEADINGS, start=1))
            + "): the points of the statement marked, 0 (first statement) to 5 (last), or "
            "null if unanswered or not applicable."
        ),
    )


def round_half_up(value: Fraction) -> Decimal:
    """``value`` to one decimal, halves away from zero (35.55 → 35.6), without float error."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def band_for(percent: Fraction) -> str:
    for band in BANDS:
        if band.upper_percent is None or percent <= band.upper_percent:
            return band.name
    raise AssertionError("BANDS must end with an open band")


def compute(data: OdiInput) -> dict[str, Any]:
    answered_points = [points for points in data.sections if points is not None]
    answered = len(answered_points)
    points = sum(answered_points)
    unanswered = [number for number, p in enumerate(data.sections, start=1) if p is None]
    result: dict[str, Any] = {
        "answered": answered,
        "points": points,
        "unanswered_sections": unanswered,
        "mcid_change_points": MCID_CHANGE_POINTS,
    }
    if len(unanswered) > MAX_UNANSWERED:
        return {
            **result,
            "scorable": False,
            "score_percent": None,
            "band": None,
            "reason": (
                f"{len(unanswered)} sections unanswered; the ODI is scored only when at most "
                f"{MAX_UNANSWERED} of its {SECTIONS} sections is unanswered."
            ),
        }
    exact = Fraction(points * 100, POINTS_PER_SECTION * answered)
    return {
        **result,
        "scorable": True,
        "score_percent": float(round_half_up(exact)),
        "band": band_for(exact),
    }


FORMULA = """\
ODI (%) = points ÷ (5 × sections answered) × 100, rounded half-up to one decimal.
Each of the 10 sections scores 0 (first statement) to 5 (last statement).
  All 10 answered: 16 points → 16 ÷ 50 × 100 = 32.0 %
  One unanswered:  16 points → 16 ÷ 45 × 100 = 35.6 %
With two or more sections unanswered the index is not calculated.
Bands: 0-20 minimal · 21-40 moderate · 41-60 severe · 61-80 crippled · 81-100 bed-bound
(a score is in the lowest band whose upper limit it does not exceed).
Minimal important change: 10 points (Ostelo 2008)."""

INSTRUMENT = Instrument(
    name="odi",
    title="Oswestry Disability Index (ODI) v2.1a",
    edition="ODI v2.1a scoring (Fairbank & Pynsent 2000)",
    source_ids=(FAIRBANK_PYNSENT_2000, AO_CID_ODI_2012, OSTELO_2008),
    formula=FORMULA,
    input_model=OdiInput,
    compute=compute,
    note=(
        "Scoring only: the ODI questionnaire text is copyrighted and must be used under its "
        "licence (Mapi Research Trust)."
    ),
)
