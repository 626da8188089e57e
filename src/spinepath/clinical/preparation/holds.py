"""The hold table: when to stop and restart each medicine before a high bleeding-risk procedure.

Vertebroplasty and kyphoplasty are high bleeding-risk procedures in both encoded editions, so
only the high-risk column of each source is encoded. One row per medicine, edition and (where the
source has them) kidney-function band or dose variant. ``stop`` is what the source says, in its
own unit (hours, days or doses); ``stop_hours`` converts it to elapsed hours, by the dosing
frequency for dose counts. Rows the source does not give, or that could not be verified, are
explicit ``review`` rows with the reason, never a guess.

Where each row was read is recorded in docs/clinical-sources/preparation.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from spinepath.clinical.preparation.dose_schedule import Frequency, doses_to_hours
from spinepath.clinical.sources import Confidence
from spinepath.clinical.sources.preparation import ASRA_2015_HERBAL, ASRA_2018, SIR_2019

Edition = Literal["sir-2019", "asra-2018"]
EDITIONS: tuple[Edition, ...] = ("sir-2019", "asra-2018")
DEFAULT_EDITION: Edition = "sir-2019"
EDITION_SOURCE: dict[Edition, str] = {"sir-2019": SIR_2019, "asra-2018": ASRA_2018}

NOT_VERIFIED = "not encoded in this edition: source not verified"


class Action(StrEnum):
    HOLD = "hold"
    CONTINUE = "continue"
    REVIEW = "review"


@dataclass(frozen=True)
class StopBefore:
    """How long before the procedure the last dose must be: [shortest, longest] in ``unit``."""

    unit: Literal["hours", "days", "doses"]
    shortest: float
    longest: float
    or_hours: float | None = None  # "withhold 2 doses, or 24 hours"

    def describe(self) -> str:
        amount = (
            f"{self.shortest:g}"
            if self.shortest == self.longest
            else (f"{self.shortest:g}-{self.longest:g}")
        )
        unit = self.unit[:-1] if self.longest == 1 else self.unit  # "1 day", "1 dose"
        text = f"{amount} {unit}"
        if self.or_hours is not None:
            text += f" or {self.or_hours:g} hours"
        return text

    def hours(self, frequency: Frequency | None) -> tuple[float, float] | None:
        """[shortest, longest] in elapsed hours; None when doses cannot be converted."""
        if self.unit == "hours":
            return (self.shortest, self.longest)
        if self.unit == "days":
            return (self.shortest * 24, self.longest * 24)
        if frequency is None:
            return None
        low = doses_to_hours(self.shortest, frequency)
        high = doses_to_hours(self.longest, frequency)
        if low is None or high is None:
            return None
        if self.or_hours is not None:
            low, high = min(low, self.or_hours), max(high, self.or_hours)
        return (low, high)


@dataclass(frozen=True)
class RestartAfter:
    """When the medicine may restart after the procedure."""

    kind: Literal["hours", "next_day", "not_given"]
    shortest_hours: float | None = None
    longest_hours: float | None = None
    note: str = ""

    def describe(self) -> str:
        if self.kind == "next_day":
            text = "restart the day after the procedure"
        elif self.kind == "hours" and self.shortest_hours is not None:
            longest = self.longest_hours
            span = (
                f"{self.shortest_hours:g}"
                if longest is None or longest == self.shortest_hours
                else f"{self.shortest_hours:g}-{longest:g}"
            )
            text = f"restart {span} hours after the procedure"
        else:
            text = "the source gives no restart time: the clinician sets it"
        return f"{text} ({self.note})" if self.note else text


def _hours(shortest: float, longest: float | None = None, note: str = "") -> RestartAfter:
    return RestartAfter("hours", shortest, shortest if longest is None else longest, note)


NEXT_DAY = RestartAfter("next_day")
NOT_GIVEN = RestartAfter("not_given")


@dataclass(frozen=True)
class HoldRule:
    edition: Edition
    medicine: str
    row: str  # the source's row, as cited
    source_id: str
    confidence: Confidence
    action: Action
    stop: StopBefore | None = None
    restart: RestartAfter = NOT_GIVEN
    crcl_min: float | None = None  # inclusive, mL/min
    crcl_max: float | None = None  # exclusive, mL/min
    variant: str | None = None
    note: str = ""
    # A question for the clinician that does not change the action (warfarin: bridging).
    review_flag: str = ""

    @property
    def band(self) -> str:
        if self.crcl_min is None and self.crcl_max is None:
            return ""
        if self.crcl_max is None:
            return f"CrCl >= {self.crcl_min:g} mL/min"
        if self.crcl_min is None:
            return f"CrCl < {self.crcl_max:g} mL/min"
        return f"CrCl {self.crcl_min:g}-{self.crcl_max - 1:g} mL/min"

    @property
    def rule_id(self) -> str:
        parts = [self.edition, self.medicine]
        if self.variant:
            parts.append(self.variant)
        if self.band:
            low = "" if self.crcl_min is None else f"{self.crcl_min:g}"
            high = "" if self.crcl_max is None else f"{self.crcl_max:g}"
            parts.append(f"crcl-{low}-{high}")
        return "/".join(parts)

    def covers(self, crcl: float) -> bool:
        above = self.crcl_min is None or crcl >= self.crcl_min
        below = self.crcl_max is None or crcl < self.crcl_max
        return above and below

    def describe(self) -> str:
        """The rule in one line: what the row says, then any note."""
        if self.stop is None:
            text = self.note or NOT_VERIFIED
            return f"{self.row}: {text}"
        band = f" ({self.band})" if self.band else ""
        text = f"{self.row}{band}: withhold {self.stop.describe()}; {self.restart.describe()}"
        return f"{text}. {self.note}" if self.note else f"{text}."


_SIR = "SIR 2019 Part II, high bleeding risk"
_ASRA = "ASRA 2018, high-risk pain procedures"
_ASRA_HERBAL = "ASRA 2015, herbal medications"


def _sir(
    medicine: str,
    row: str,
    action: Action,
    stop: StopBefore | None = None,
    restart: RestartAfter = NOT_GIVEN,
    *,
    confidence: Confidence = "S",
    crcl: tuple[float | None, float | None] = (None, None),
    variant: str | None = None,
    note: str = "",
    review_flag: str = "",
) -> HoldRule:
    return HoldRule(
        "sir-2019",
        medicine,
        f"{_SIR}, {row}",
        SIR_2019,
        confidence,
        action,
        stop,
        restart,
        crcl[0],
        crcl[1],
        variant,
        note,
        review_flag,
    )


def _asra(
    medicine: str,
    row: str,
    action: Action,
    stop: StopBefore | None = None,
    restart: RestartAfter = NOT_GIVEN,
    *,
    confidence: Confidence = "S",
    variant: str | None = None,
    note: str = "",
    review_flag: str = "",
) -> HoldRule:
    return HoldRule(
        "asra-2018",
        medicine,
        f"{_ASRA}, {row}",
        ASRA_2018,
        confidence,
        action,
        stop,
        restart,
        None,
        None,
        variant,
        note,
        review_flag,
    )


def _not_verified(medicine: str, row: str) -> HoldRule:
    return _asra(medicine, row, Action.REVIEW, confidence="U", note=NOT_VERIFIED)


def _herbal(medicine: str, stop: StopBefore) -> list[HoldRule]:
    note = (
        "Herbal rule from ASRA 2015 (neither SIR 2019 nor the verified ASRA 2018 rows give "
        "one); the source gives no restart time"
    )
    return [
        HoldRule(
            edition,
            medicine,
            f"{_ASRA_HERBAL}, {medicine}",
            ASRA_2015_HERBAL,
            "S",
            Action.HOLD,
            stop,
            NOT_GIVEN,
            note=note,
        )
        for edition in EDITIONS
    ]


def _supplement_review(medicine: str) -> list[HoldRule]:
    note = (
        "supplement that may affect bleeding; no stop time could be verified for it "
        "(ASRA 2015 gives firm times only for garlic and ginkgo): clinician to decide"
    )
    return [
        HoldRule(
            edition,
            medicine,
            f"{_ASRA_HERBAL}, other supplements",
            ASRA_2015_HERBAL,
            "U",
            Action.REVIEW,
            None,
            NOT_GIVEN,
            note=note,
        )
        for edition in EDITIONS
    ]


def _days(shortest: float, longest: float | None = None) -> StopBefore:
    return StopBefore("days", shortest, shortest if longest is None else longest)


def _doses(
    shortest: float, longest: float | None = None, *, or_hours: float | None = None
) -> StopBefore:
    return StopBefore("doses", shortest, shortest if longest is None else longest, or_hours)


def _hrs(shortest: float, longest: float | None = None) -> StopBefore:
    return StopBefore("hours", shortest, shortest if longest is None else longest)


BRIDGING = (
    "bridging: whether to bridge with a heparin is a clinician decision for high thrombotic "
    "risk and is never automated"
)
_NSAID_SIR_NOTE = (
    "SIR 2019 makes no recommendation for non-aspirin NSAIDs (it notes that 5 half-lives off "
    "the drug should be enough): clinician to decide"
)
_NSAID_ASRA_MISSING = (
    "not in the ASRA 2018 NSAID list (its general rule is 5 half-lives, with no time given "
    "for this drug): clinician to decide"
)

# fmt: off
HOLD_TABLE: tuple[HoldRule, ...] = (
    # ---- vitamin K antagonists ----------------------------------------------------------------
    _sir("warfarin", "warfarin", Action.HOLD, _days(5), NEXT_DAY,
         note="Target INR <= 1.8 before the procedure", review_flag=BRIDGING),
    _asra("warfarin", "warfarin", Action.HOLD, _days(5), _hours(6),
          note="Normal INR before the procedure", review_flag=BRIDGING),
    _sir("acenocoumarol", "no acenocoumarol row", Action.REVIEW,
         note="not encoded in this edition: SIR 2019 has no acenocoumarol row"),
    _asra("acenocoumarol", "acenocoumarol", Action.HOLD, _days(3), _hours(24),
          note="Normal INR before the procedure", review_flag=BRIDGING),
    # ---- heparins -----------------------------------------------------------------------------
    _sir("heparin", "unfractionated heparin, intravenous", Action.HOLD, _hrs(4, 6), _hours(6, 8),
         variant="iv", note="Check aPTT or anti-Xa before the procedure"),
    _sir("heparin", "unfractionated heparin, subcutaneous 2-3 times daily", Action.HOLD, _hrs(6),
         NOT_GIVEN, variant="subcutaneous",
         note="The transcriptions differ on whether the 6-8 h restart also applies to "
         "subcutaneous heparin: the clinician sets the restart"),
    _asra("heparin", "intravenous heparin", Action.HOLD, _hrs(6), _hours(2), variant="iv"),
    _asra("heparin", "subcutaneous heparin 2-3 times daily", Action.HOLD, _hrs(24), _hours(6),
          variant="subcutaneous"),
    _sir("enoxaparin", "LMWH (enoxaparin), prophylactic dose", Action.HOLD, _doses(1),
         _hours(12), variant="prophylactic"),
    _sir("enoxaparin", "LMWH (enoxaparin), therapeutic dose", Action.HOLD,
         _doses(2, or_hours=24), _hours(12), variant="therapeutic",
         note="Check anti-Xa level if kidney function is impaired"),
    _asra("enoxaparin", "enoxaparin, prophylactic", Action.HOLD, _hrs(12), _hours(12, 24),
          variant="prophylactic"),
    _asra("enoxaparin", "enoxaparin, therapeutic", Action.HOLD, _hrs(24), _hours(12, 24),
          variant="therapeutic"),
    _sir("dalteparin", "LMWH: dalteparin", Action.HOLD, _doses(1), _hours(12),
         note="Read in one transcription only"),
    _asra("dalteparin", "dalteparin", Action.HOLD, _hrs(24), _hours(12, 24)),
    _sir("tinzaparin", "no tinzaparin row", Action.REVIEW, confidence="U",
         note="not encoded in this edition: no tinzaparin row was found"),
    _not_verified("tinzaparin", "tinzaparin"),
    # ---- factor Xa and thrombin inhibitors ----------------------------------------------------
    _sir("fondaparinux", "fondaparinux", Action.HOLD, _days(2, 3), _hours(24), crcl=(50, None)),
    _sir("fondaparinux", "fondaparinux", Action.HOLD, _days(3, 5), _hours(24), crcl=(None, 50)),
    _not_verified("fondaparinux", "fondaparinux"),
    _sir("apixaban", "apixaban", Action.HOLD, _doses(4), _hours(24), crcl=(50, None)),
    _sir("apixaban", "apixaban", Action.HOLD, _doses(6), _hours(24), crcl=(30, 50)),
    _sir("apixaban", "apixaban", Action.HOLD, _doses(6), _hours(24), crcl=(15, 30),
         note="This band was read in two transcriptions, not in the primary table"),
    _not_verified("apixaban", "apixaban"),
    _sir("rivaroxaban", "rivaroxaban", Action.HOLD, _doses(2), _hours(24), crcl=(30, None)),
    _sir("rivaroxaban", "rivaroxaban", Action.HOLD, _doses(3), _hours(24), crcl=(15, 30)),
    _not_verified("rivaroxaban", "rivaroxaban"),
    _sir("edoxaban", "edoxaban", Action.HOLD, _doses(2), _hours(24)),
    _not_verified("edoxaban", "edoxaban"),
    _sir("dabigatran", "dabigatran", Action.HOLD, _doses(4), _hours(24), crcl=(50, None),
         note="The text adds: at least 48 h before a full (therapeutic) dose"),
    _sir("dabigatran", "dabigatran", Action.HOLD, _doses(6, 8), _hours(24), crcl=(30, 50),
         note="The text adds: at least 48 h before a full (therapeutic) dose"),
    _not_verified("dabigatran", "dabigatran"),
    # ---- antiplatelets ------------------------------------------------------------------------
    _sir("clopidogrel", "clopidogrel", Action.HOLD, _days(5), _hours(6),
         note="Restart 6 h after on the 75 mg maintenance dose; 24 h after if a 300-600 mg "
         "loading dose is given"),
    _not_verified("clopidogrel", "clopidogrel"),
    _sir("prasugrel", "prasugrel", Action.HOLD, _days(7), NEXT_DAY),
    _not_verified("prasugrel", "prasugrel"),
    _sir("ticagrelor", "ticagrelor", Action.HOLD, _days(5), NEXT_DAY),
    _not_verified("ticagrelor", "ticagrelor"),
    _sir("aspirin", "aspirin", Action.REVIEW, _days(3, 5), NEXT_DAY,
         note="Withholding aspirin is an individual decision (indication, thrombotic risk, "
         "bleeding risk); shared decision-making for complex cardiovascular cases: review"),
    _asra("aspirin", "aspirin, primary prophylaxis", Action.HOLD, _days(6), _hours(24),
          variant="primary_prevention"),
    _asra("aspirin", "aspirin, secondary prophylaxis", Action.REVIEW, None, _hours(24),
          variant="secondary_prevention",
          note="shared assessment and risk stratification (no stop time): review"),
    _sir("dipyridamole", "dipyridamole (aspirin/dipyridamole row)", Action.HOLD, _days(3, 5),
         NEXT_DAY),
    _asra("dipyridamole", "dipyridamole", Action.HOLD, _days(2), NOT_GIVEN,
          note="The table copy gives no restart time"),
    _sir("aspirin_dipyridamole", "aspirin/dipyridamole", Action.HOLD, _days(3, 5), NEXT_DAY),
    _asra("aspirin_dipyridamole", "ASA combinations", Action.REVIEW, None, _hours(24),
          note="follows the aspirin row; this combination is taken for secondary stroke "
          "prevention, which is a shared assessment (no stop time): review"),
    _sir("cilostazol", "cilostazol", Action.CONTINUE,
         note="SIR 2019 does not withhold cilostazol"),
    _asra("cilostazol", "cilostazol", Action.HOLD, _days(2), _hours(24)),
    # ---- non-aspirin NSAIDs -------------------------------------------------------------------
    *[
        _sir(drug, "non-aspirin NSAIDs", Action.REVIEW, note=_NSAID_SIR_NOTE)
        for drug in (
            "ibuprofen", "naproxen", "diclofenac", "ketorolac", "etodolac", "indomethacin",
            "meloxicam", "nabumetone", "oxaprozin", "piroxicam", "ketoprofen", "sulindac",
            "flurbiprofen",
        )
    ],
    _sir("celecoxib", "non-aspirin NSAIDs (COX-2 selective)", Action.CONTINUE,
         note="SIR 2019 notes that COX-2 selective inhibitors do not interfere with platelet "
         "aggregation"),
    _asra("diclofenac", "NSAIDs: diclofenac", Action.HOLD, _days(1), _hours(24)),
    _asra("ketorolac", "NSAIDs: ketorolac", Action.HOLD, _days(1), _hours(24)),
    _asra("ibuprofen", "NSAIDs: ibuprofen", Action.HOLD, _days(1), _hours(24)),
    _asra("etodolac", "NSAIDs: etodolac", Action.HOLD, _days(2), _hours(24)),
    _asra("indomethacin", "NSAIDs: indomethacin", Action.HOLD, _days(2), _hours(24)),
    _asra("naproxen", "NSAIDs: naproxen", Action.HOLD, _days(4), _hours(24)),
    _asra("meloxicam", "NSAIDs: meloxicam", Action.HOLD, _days(4), _hours(24)),
    _asra("nabumetone", "NSAIDs: nabumetone", Action.HOLD, _days(6), _hours(24)),
    _asra("oxaprozin", "NSAIDs: oxaprozin", Action.HOLD, _days(10), _hours(24)),
    _asra("piroxicam", "NSAIDs: piroxicam", Action.HOLD, _days(10), _hours(24)),
    *[
        _asra(drug, "NSAIDs", Action.REVIEW, note=_NSAID_ASRA_MISSING)
        for drug in ("ketoprofen", "sulindac", "flurbiprofen", "celecoxib")
    ],
    # ---- herbal and dietary supplements (both editions) ---------------------------------------
    *_herbal("garlic", _days(7)),
    *_herbal("ginkgo", _hrs(36)),
    *[
        rule
        for supplement in ("ginseng", "fish_oil", "vitamin_e", "turmeric", "ginger", "feverfew")
        for rule in _supplement_review(supplement)
    ],
)
# fmt: on


@dataclass(frozen=True)
class Selection:
    """The row that applies, or why none does (then the medicine goes to review)."""

    rule: HoldRule | None
    review_reason: str
    considered: tuple[HoldRule, ...]


VARIANT_QUESTIONS: dict[str, str] = {
    "enoxaparin": "whether the dose is prophylactic or therapeutic",
    "heparin": "whether the heparin is intravenous or subcutaneous",
    "aspirin": "whether the aspirin is for primary or secondary prevention",
}


def rules_for(edition: Edition, medicine_id: str) -> tuple[HoldRule, ...]:
    return tuple(r for r in HOLD_TABLE if r.edition == edition and r.medicine == medicine_id)


def select_rule(
    edition: Edition, medicine_id: str, *, variant: str | None, crcl_ml_min: float | None
) -> Selection:
    """Pick the row for this medicine, dose variant and creatinine clearance."""
    rows = rules_for(edition, medicine_id)
    if not rows:
        return Selection(None, "not in this edition's hold table", ())
    if any(r.variant is not None for r in rows):
        if variant is None:
            question = VARIANT_QUESTIONS.get(medicine_id, "which dose variant applies")
            summary = " | ".join(r.describe().rstrip(".") for r in rows)
            return Selection(None, f"the planner cannot tell {question}: {summary}", rows)
        matching = tuple(r for r in rows if r.variant == variant)
        if not matching:
            return Selection(None, f"no row for the {variant} variant in this edition", rows)
        rows = matching
    if any(r.crcl_min is not None or r.crcl_max is not None for r in rows):
        bands = " | ".join(r.describe().rstrip(".") for r in rows)
        if crcl_ml_min is None:
            return Selection(
                None, f"creatinine clearance is needed to choose the kidney band: {bands}", rows
            )
        matching = tuple(r for r in rows if r.covers(crcl_ml_min))
        if not matching:
            return Selection(
                None,
                f"no kidney band in this edition covers CrCl {crcl_ml_min:g} mL/min "
                f"(bands: {bands})",
                rows,
            )
        rows = matching
    if len(rows) != 1:
        raise AssertionError(f"{edition}/{medicine_id}: overlapping rows {rows}")
    return Selection(rows[0], "", rows)
