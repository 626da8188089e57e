"""What every criteria set reads: the validated case plus the values derived from it once.

Paths to recorded facts use spinepath's bracket style for lists: ``fractures[0].mri_edema``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from spinepath.clinical.candidacy.case import Case, Fracture
from spinepath.clinical.candidacy.criteria import Finding, fact, known
from spinepath.clinical.candidacy.fracture_age import FractureAge, fracture_age
from spinepath.clinical.candidacy.patient_rules import (
    DerivedFact,
    NotAsked,
    pregnancy_not_asked,
    severe_pain,
)
from spinepath.clinical.levels import level_index


@dataclass(frozen=True)
class Scores:
    """The instruments run for one fracture (SINS when given; OF score when it has an OF type)."""

    sins: Mapping[str, Any] | None = None
    sins_note: str = ""
    of_score: Mapping[str, Any] | None = None
    of_input: Mapping[str, Any] | None = None
    of_unknown_items: tuple[str, ...] = ()
    of_note: str = ""


@dataclass(frozen=True)
class FractureFacts:
    index: int
    fracture: Fracture
    age: FractureAge | None
    scores: Scores = field(default_factory=Scores)
    assessment_date_known: bool = True

    @property
    def path(self) -> str:
        return f"fractures[{self.index}]"

    def at(self, name: str) -> str:
        return f"{self.path}.{name}"

    @property
    def label(self) -> str:
        return self.fracture.level or f"fracture {self.index + 1}"

    def imaging(self) -> Finding:
        """Advanced imaging positive for an acute/unhealed fracture: oedema on MRI or uptake.

        A recorded negative study with no positive one is negative: a second modality is not
        demanded after a negative MRI (a positive bone scan, if recorded, wins).
        """
        mri, scan = self.fracture.mri_edema, self.fracture.bone_scan_uptake
        if mri is True or scan is True:
            found = [
                name
                for name, value in (("oedema on MRI", mri), ("bone-scan uptake", scan))
                if value is True
            ]
            return known(True, " and ".join(found))
        if mri is False or scan is False:
            found = [
                name
                for name, value in (("no oedema on MRI", mri), ("no bone-scan uptake", scan))
                if value is False
            ]
            return known(False, "advanced imaging negative (" + ", ".join(found) + ")")
        return Finding(
            None,
            (self.at("mri_edema"), self.at("bone_scan_uptake")),
            "advanced imaging not recorded",
        )

    def level_within(self, upper: str, lower: str) -> Finding:
        level = self.fracture.level
        if level is None:
            return fact(self.at("level"), None, "level not recorded")
        inside = level_index(upper) <= level_index(level) <= level_index(lower)
        return known(inside, f"{level} is {'within' if inside else 'outside'} {upper}–{lower}")

    def age_finding(self, assessment_path: str = "assessment_date") -> Finding:
        """Whether the fracture is acute or subacute (not chronic)."""
        if self.age is None:
            missing = []
            if self.fracture.symptom_onset is None:
                missing.append(self.at("symptom_onset"))
            if not self.assessment_date_known:
                missing.append(assessment_path)
            return Finding(None, tuple(missing), "fracture age unknown")
        weeks = self.age.weeks
        if self.age.category == "chronic":
            return known(False, f"chronic ({weeks} weeks)")
        return known(True, f"{self.age.category} ({weeks} weeks)")


@dataclass(frozen=True)
class CaseContext:
    case: Case
    fractures: tuple[FractureFacts, ...]

    @property
    def has_fractures(self) -> bool:
        return bool(self.fractures)

    def etiologies(self) -> tuple[str | None, ...]:
        return tuple(f.fracture.etiology for f in self.fractures)

    @property
    def pregnancy_not_asked(self) -> NotAsked | None:
        """The rule under which pregnancy is not asked of this patient, or None."""
        return pregnancy_not_asked(self.case)

    @property
    def severe_pain(self) -> DerivedFact:
        """NICE's severe pain: the clinician's judgement, or derived from the NRS."""
        return severe_pain(self.case)

    def pregnancy_finding(self) -> Finding:
        not_asked = self.pregnancy_not_asked
        if not_asked is not None:
            return known(False, not_asked.rule.text)
        return fact("patient.pregnant", self.case.patient.pregnant)


def build_context(case: Case, scores: Mapping[int, Scores] | None = None) -> CaseContext:
    scores = scores or {}
    facts = tuple(
        FractureFacts(
            index=index,
            fracture=fracture,
            age=fracture_age(fracture.symptom_onset, case.assessment_date),
            scores=scores.get(index, Scores()),
            assessment_date_known=case.assessment_date is not None,
        )
        for index, fracture in enumerate(case.fractures or ())
    )
    return CaseContext(case=case, fractures=facts)


def yes_no(path: str, value: bool | None, yes: str, no: str) -> Finding:
    """A recorded boolean with words for each side."""
    if value is None:
        return fact(path, None, f"{path} not recorded")
    return known(value, yes if value else no)
