"""Fracture age: from the onset of the fracture's pain to the assessment date.

acute: less than 6 weeks; subacute: 6 weeks up to and including 12 weeks; chronic: beyond. The two
bounds are named values in one table, each with its source and how sure we are of it. Whole days
are counted, so the bounds are exact: 41 days is acute, 42 subacute, 84 subacute, 85 chronic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from spinepath.clinical.sources import Confidence
from spinepath.clinical.sources.candidacy import (
    CMS_ARTICLE_A58534,
    CMS_LCD_L34228,
    CMS_LCD_L38201,
    SPINEPATH_CANDIDACY,
)

AgeCategory = Literal["acute", "subacute", "chronic"]
DAYS_PER_WEEK = 7


@dataclass(frozen=True)
class AgeBound:
    name: str
    weeks: int
    meaning: str
    source: str
    confidence: Confidence
    note: str
    also: tuple[str, ...] = ()

    @property
    def days(self) -> int:
        return self.weeks * DAYS_PER_WEEK

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "weeks": self.weeks,
            "days": self.days,
            "meaning": self.meaning,
            "source": self.source,
            "also": list(self.also),
            "confidence": self.confidence,
            "note": self.note,
        }


ACUTE_BELOW = AgeBound(
    name="acute_below_weeks",
    weeks=6,
    meaning="acute when the fracture is less than 6 weeks old",
    source=CMS_LCD_L38201,
    confidence="S",
    note="'Acute (< 6 weeks)' in the LCD family's criterion A, as transcribed.",
)
SUBACUTE_UP_TO = AgeBound(
    name="subacute_up_to_weeks",
    weeks=12,
    meaning="subacute from 6 weeks up to and including 12 weeks; chronic beyond",
    source=CMS_LCD_L34228,
    confidence="S",
    note=(
        "Not found in the text of L38201 that could be read; the 6-12 week subacute window is "
        "written in a checklist transcription of sibling LCD L34228 and in spinepath's "
        "specification. Chronic fractures are not covered even with oedema (A58534)."
    ),
    also=(SPINEPATH_CANDIDACY, CMS_ARTICLE_A58534),
)

FRACTURE_AGE_BOUNDS: tuple[AgeBound, ...] = (ACUTE_BELOW, SUBACUTE_UP_TO)


@dataclass(frozen=True)
class FractureAge:
    days: int
    category: AgeCategory
    bound: AgeBound  # the bound that decided the category

    @property
    def weeks(self) -> float:
        return round(self.days / DAYS_PER_WEEK, 1)


def categorise(days: int) -> tuple[AgeCategory, AgeBound]:
    if days < 0:
        raise ValueError("a fracture cannot begin after its assessment")
    if days < ACUTE_BELOW.days:
        return "acute", ACUTE_BELOW
    if days <= SUBACUTE_UP_TO.days:
        return "subacute", SUBACUTE_UP_TO
    return "chronic", SUBACUTE_UP_TO


def fracture_age(symptom_onset: date | None, assessment_date: date | None) -> FractureAge | None:
    """The age of a fracture, or None when either date is unknown."""
    if symptom_onset is None or assessment_date is None:
        return None
    days = (assessment_date - symptom_onset).days
    category, bound = categorise(days)
    return FractureAge(days=days, category=category, bound=bound)
