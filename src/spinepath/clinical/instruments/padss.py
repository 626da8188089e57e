"""Modified Post-Anaesthetic Discharge Scoring System (Marshall & Chung 1999).

Five items of 0-2 points; home-ready at a total of 9 or more (Chung 1995), and then only with a
responsible adult to escort the patient home. The clinician enters the points; the descriptions
say what each point means.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from spinepath.clinical.instruments import Instrument
from spinepath.clinical.sources.recovery_scores import CHUNG_1995_PADSS, MARSHALL_CHUNG_1999


@dataclass(frozen=True)
class Item:
    field: str
    label: str
    levels: tuple[str, str, str]  # what 2, 1 and 0 points mean
    source_id: str

    def description(self) -> str:
        two, one, zero = self.levels
        return f"{self.label}: 2 = {two}; 1 = {one}; 0 = {zero}."


ITEMS: tuple[Item, ...] = (
    Item(
        "vital_signs",
        "Vital signs",
        (
            "blood pressure and pulse within 20 % of the pre-operative value",
            "20-40 % from the pre-operative value",
            "more than 40 % from the pre-operative value",
        ),
        MARSHALL_CHUNG_1999,
    ),
    Item(
        "ambulation",
        "Ambulation",
        (
            "steady gait without dizziness, or back to the pre-operative level",
            "walks with assistance",
            "unable to walk",
        ),
        MARSHALL_CHUNG_1999,
    ),
    Item(
        "nausea_vomiting",
        "Nausea and vomiting",
        (
            "minimal (no treatment or oral treatment)",
            "moderate (needed parenteral treatment)",
            "severe (continues despite treatment)",
        ),
        MARSHALL_CHUNG_1999,
    ),
    Item(
        "pain",
        "Pain",
        (
            "minimal or none, acceptable to the patient (NRS 0-3)",
            "moderate (NRS 4-6)",
            "severe (NRS 7-10)",
        ),
        MARSHALL_CHUNG_1999,
    ),
    Item(
        "surgical_bleeding",
        "Surgical bleeding",
        ("minimal", "moderate", "severe"),
        MARSHALL_CHUNG_1999,
    ),
)
_BY_FIELD = {item.field: item for item in ITEMS}

HOME_READY_FROM_TOTAL = 9  # fit for discharge home at 9 or more (Chung 1995; Marshall 1999)
HOME_READY_SOURCE = CHUNG_1995_PADSS


def _points_field(name: str) -> Any:
    return Field(ge=0, le=2, description=_BY_FIELD[name].description())


class PadssInput(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    vital_signs: int = _points_field("vital_signs")
    ambulation: int = _points_field("ambulation")
    nausea_vomiting: int = _points_field("nausea_vomiting")
    pain: int = _points_field("pain")
    surgical_bleeding: int = _points_field("surgical_bleeding")


def compute(data: PadssInput) -> dict[str, Any]:
    components = {item.field: int(getattr(data, item.field)) for item in ITEMS}
    total = sum(components.values())
    return {
        "total": total,
        "home_ready": total >= HOME_READY_FROM_TOTAL,
        "components": components,
    }


FORMULA = (
    "Modified PADSS = sum of five items, each 0-2 points (total 0-10).\n"
    + "\n".join(f"  {item.description()}" for item in ITEMS)
    + "\nHome-ready when the total is 9 or more, with a responsible adult to escort the "
    "patient home.\n"
    "Some versions score pain only as acceptable to the patient (2) or not (1)."
)

INSTRUMENT = Instrument(
    name="padss",
    title="Modified Post-Anaesthetic Discharge Scoring System (PADSS)",
    edition="Modified PADSS (Marshall & Chung 1999)",
    source_ids=(MARSHALL_CHUNG_1999, CHUNG_1995_PADSS),
    formula=FORMULA,
    input_model=PadssInput,
    compute=compute,
    note="Home readiness also needs a responsible adult escort; the score supports, and does "
    "not replace, the clinician's discharge decision.",
)
