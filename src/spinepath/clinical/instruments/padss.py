"""Modified Post-Anaesthetic Discharge Scoring System (Marshall & Chung 1999).

Five items of 0-2 points; home-ready at a total of 9 or more (Chung 1995), and then only with a
responsible adult to escort the patient home. The clinician enters the points; the descriptions
say what each point means.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from spinepath.clinical.instruments import Instrument
from spinepath.clinical.instruments.item_points import (
    Item,
    items_formula,
    points_field,
    score_items,
)
from spinepath.clinical.sources.recovery_scores import CHUNG_1995_PADSS, MARSHALL_CHUNG_1999

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

HOME_READY_FROM_TOTAL = 9  # fit for discharge home at 9 or more (Chung 1995; Marshall 1999)
HOME_READY_SOURCE = CHUNG_1995_PADSS


class PadssInput(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    vital_signs: int = points_field(ITEMS, "vital_signs")
    ambulation: int = points_field(ITEMS, "ambulation")
    nausea_vomiting: int = points_field(ITEMS, "nausea_vomiting")
    pain: int = points_field(ITEMS, "pain")
    surgical_bleeding: int = points_field(ITEMS, "surgical_bleeding")


def compute(data: PadssInput) -> dict[str, Any]:
    components, total = score_items(data, ITEMS)
    return {
        "total": total,
        "home_ready": total >= HOME_READY_FROM_TOTAL,
        "components": components,
    }


FORMULA = (
    "Modified PADSS = sum of five items, each 0-2 points (total 0-10).\n"
    + items_formula(ITEMS)
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
