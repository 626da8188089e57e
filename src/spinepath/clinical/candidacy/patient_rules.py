"""Questions that fit the patient: when a fact cannot apply, and a fact derived from another.

- Pregnancy is not asked of a man, nor of a woman aged 55 or more on the assessment date (the
  age at which the FSRH takes natural fertility to have ended for most women). The question is
  then not counted missing, and the result says which rule was applied. An answer given still
  counts: a recorded "pregnant: yes" is never overruled.
- NICE TA279's "severe ongoing pain" is taken from the recorded pain score when the clinician has
  not said: NRS 7 or more is severe (Palos 2006: 7-10 severe). The clinician's explicit yes or no
  always wins, and the result marks the value as derived.

Each rule is one row with its source id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from spinepath.clinical.candidacy.case import Case
from spinepath.clinical.sources.candidacy import (
    FSRH_2017_CONTRACEPTION_OVER_40,
    PALOS_2006_NRS_CUTPOINTS,
    SPINEPATH_CANDIDACY,
)


@dataclass(frozen=True)
class NotAskedRule:
    id: str
    sex: str
    minimum_age_years: int | None  # None: whatever the age
    text: str
    source_id: str


PREGNANCY_NOT_ASKED: tuple[NotAskedRule, ...] = (
    NotAskedRule(
        "male", "male", None, "not asked: the patient is recorded as male", SPINEPATH_CANDIDACY
    ),
    NotAskedRule(
        "female_55_or_more",
        "female",
        55,
        "not asked: a woman aged 55 or more (natural fertility taken to have ended)",
        FSRH_2017_CONTRACEPTION_OVER_40,
    ),
)


@dataclass(frozen=True)
class Cutoff:
    fact: str
    score: str
    from_value: int  # the derived fact is true at or above this score
    text: str
    source_id: str


SEVERE_PAIN_FROM_NRS = Cutoff(
    "pain.severe",
    "pain.nrs",
    7,
    "severe pain taken from NRS 7 or more (7-10 is severe)",
    PALOS_2006_NRS_CUTPOINTS,
)


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@dataclass(frozen=True)
class NotAsked:
    rule: NotAskedRule
    age_years: int | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "fact": "patient.pregnant",
            "rule": self.rule.id,
            "reason": self.rule.text,
            "sex": self.rule.sex,
            "age_years": self.age_years,
            "minimum_age_years": self.rule.minimum_age_years,
            "source": self.rule.source_id,
        }


def pregnancy_not_asked(case: Case) -> NotAsked | None:
    """The rule under which the pregnancy question does not apply, or None (ask it)."""
    patient = case.patient
    if patient.pregnant is not None:
        return None
    return pregnancy_rule_for(patient.sex, patient.birth_date, case.assessment_date)


def pregnancy_rule_for(
    sex: str | None, birth_date: date | None, on: date | None
) -> NotAsked | None:
    """The same rule from the patient record alone (for forms, before any answer)."""
    if sex is None:
        return None
    age = age_on(birth_date, on) if birth_date is not None and on is not None else None
    for rule in PREGNANCY_NOT_ASKED:
        if sex != rule.sex:
            continue
        if rule.minimum_age_years is None:
            return NotAsked(rule, age)
        if age is not None and age >= rule.minimum_age_years:
            return NotAsked(rule, age)
    return None


@dataclass(frozen=True)
class DerivedFact:
    value: bool | None
    derived: bool  # True: taken from the score by the cut-off, not said by the clinician
    cutoff: Cutoff

    def as_dict(self) -> dict[str, Any]:
        return {
            "fact": self.cutoff.fact,
            "value": self.value,
            "derived": self.derived,
            "from": self.cutoff.score,
            "from_value": self.cutoff.from_value,
            "rule": self.cutoff.text,
            "source": self.cutoff.source_id,
        }


def severe_pain(case: Case) -> DerivedFact:
    """The clinician's judgement when recorded; otherwise derived from the NRS; else unknown."""
    pain = case.pain
    if pain.severe is not None:
        return DerivedFact(pain.severe, False, SEVERE_PAIN_FROM_NRS)
    if pain.nrs is None:
        return DerivedFact(None, False, SEVERE_PAIN_FROM_NRS)
    return DerivedFact(pain.nrs >= SEVERE_PAIN_FROM_NRS.from_value, True, SEVERE_PAIN_FROM_NRS)
