"""Diabetes medicines before a procedure with fasting: one rule per class, with its source.

Not a bleeding rule, so the same in both bleeding-risk editions. Each row says what the source
says, in its own words where it gives a time:

- metformin: held on the day of the procedure (ADA Standards of Care, perioperative section);
- other oral glucose-lowering medicines (sulfonylureas, meglitinides, DPP-4 inhibitors,
  thiazolidinediones, alpha-glucosidase inhibitors): held the morning of the procedure (ADA);
  encoded as no dose on the day of the procedure before it (the last dose before local midnight
  that starts the procedure day);
- SGLT2 inhibitors: canagliflozin, dapagliflozin and empagliflozin stopped at least 3 days before
  scheduled surgery, ertugliflozin at least 4 days (FDA safety labelling change, March 2020; ADA:
  3-4 days); restart once eating and drinking are back to usual;
- insulin: the ADA dose guidance (half the NPH dose, 75-80 % of a long-acting basal dose) is a
  dose change, not a stop: always clinician review, with the guidance shown.

What was read, and where, is in docs/clinical-sources/preparation.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from spinepath.clinical.sources import Confidence
from spinepath.clinical.sources.preparation import ADA_PERIOPERATIVE, FDA_SGLT2_SURGERY

Kind = Literal["procedure_day", "days_before", "review"]


@dataclass(frozen=True)
class DiabetesRule:
    rule_id: str
    row: str  # what the source says, as cited
    source_id: str
    confidence: Confidence
    kind: Kind
    days_before: float | None = None  # kind "days_before": at least this many days
    restart_note: str = ""
    note: str = ""

    def describe(self) -> str:
        if self.kind == "procedure_day":
            text = f"{self.row}: no dose on the day of the procedure before it"
        elif self.kind == "days_before" and self.days_before is not None:
            text = f"{self.row}: withhold at least {self.days_before:g} days before"
        else:
            text = f"{self.row}: {self.note}"
            return text
        text += f"; {self.restart_note or _RESTART_NOT_GIVEN}"
        return f"{text}. {self.note}" if self.note else f"{text}."


_ADA = "ADA Standards of Care, perioperative care"
_FDA = "FDA SGLT2 inhibitor labelling, scheduled surgery"
_RESTART_SGLT2 = (
    "restart once eating and drinking are back to usual and other risks of ketoacidosis have "
    "resolved (the source gives no time)"
)
_RESTART_NOT_GIVEN = "the source gives no restart time: the clinician sets it"
_MORNING = DiabetesRule(
    "diabetes/oral-other",
    f"{_ADA}, other oral glucose-lowering medicines: withhold the morning of the procedure",
    ADA_PERIOPERATIVE,
    "S",
    "procedure_day",
    note="Check blood glucose while fasting",
)

# By medicine class; SGLT2 inhibitors by medicine (their times differ).
BY_CLASS: dict[str, DiabetesRule] = {
    "biguanide": DiabetesRule(
        "diabetes/metformin",
        f"{_ADA}, metformin: withhold on the day of the procedure",
        ADA_PERIOPERATIVE,
        "S",
        "procedure_day",
    ),
    "dpp4_metformin": DiabetesRule(
        "diabetes/dpp4-metformin",
        f"{_ADA}, metformin (day of the procedure) and other oral glucose-lowering medicines "
        "(the morning of the procedure)",
        ADA_PERIOPERATIVE,
        "S",
        "procedure_day",
    ),
    "sulfonylurea": _MORNING,
    "meglitinide": _MORNING,
    "dpp4_inhibitor": _MORNING,
    "thiazolidinedione": _MORNING,
    "alpha_glucosidase_inhibitor": _MORNING,
    "insulin": DiabetesRule(
        "diabetes/insulin",
        f"{_ADA}, insulin",
        ADA_PERIOPERATIVE,
        "S",
        "review",
        note=(
            "the dose changes, it is not stopped: the ADA guidance is half the NPH dose, or "
            "75-80 % of a long-acting basal insulin dose, with glucose checked every 2-4 hours "
            "while fasting; the dose plan is a clinician decision: review"
        ),
    ),
}
_SGLT2_3_DAYS = ("canagliflozin", "dapagliflozin", "empagliflozin")
BY_MEDICINE: dict[str, DiabetesRule] = {
    **{
        medicine: DiabetesRule(
            f"diabetes/sglt2/{medicine}",
            f"{_FDA}, {medicine}",
            FDA_SGLT2_SURGERY,
            "S",
            "days_before",
            3,
            restart_note=_RESTART_SGLT2,
            note="Check blood glucose after stopping it",
        )
        for medicine in _SGLT2_3_DAYS
    },
    "ertugliflozin": DiabetesRule(
        "diabetes/sglt2/ertugliflozin",
        f"{_FDA}, ertugliflozin",
        FDA_SGLT2_SURGERY,
        "S",
        "days_before",
        4,
        restart_note=_RESTART_SGLT2,
        note="Check blood glucose after stopping it",
    ),
}
# Fixed combinations with an SGLT2 inhibitor follow the SGLT2 inhibitor (the longer hold).
SGLT2_OF_COMBINATION: dict[str, str] = {
    "empagliflozin_metformin": "empagliflozin",
    "dapagliflozin_metformin": "dapagliflozin",
    "canagliflozin_metformin": "canagliflozin",
    "empagliflozin_linagliptin": "empagliflozin",
}


def rule_for(medicine_id: str, medicine_class: str) -> DiabetesRule | None:
    """The diabetes rule for this medicine, or None when it is not a diabetes medicine."""
    if medicine_id in BY_MEDICINE:
        return BY_MEDICINE[medicine_id]
    if medicine_id in SGLT2_OF_COMBINATION:
        return BY_MEDICINE[SGLT2_OF_COMBINATION[medicine_id]]
    return BY_CLASS.get(medicine_class)
