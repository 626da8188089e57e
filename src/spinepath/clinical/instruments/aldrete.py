"""Modified Aldrete score (Aldrete 1995): five items of 0-2 points; phase I discharge at ≥ 9.

The 1995 revision replaced the 1970 colour item with pulse oximetry. Sources disagree whether
the circulation item compares blood pressure in mmHg or in percent of the pre-anaesthetic level;
spinepath pins the percent wording of the 1970 original (Aldrete & Kroulik 1970), which the 1995
revision kept. The clinician enters the points; the descriptions say what each point means.
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
from spinepath.clinical.sources.recovery_scores import ALDRETE_1995, ALDRETE_KROULIK_1970

ITEMS: tuple[Item, ...] = (
    Item(
        "activity",
        "Activity",
        (
            "moves all four limbs voluntarily or on command",
            "moves two limbs voluntarily or on command",
            "cannot move any limb voluntarily or on command",
        ),
        ALDRETE_1995,
    ),
    Item(
        "respiration",
        "Respiration",
        (
            "breathes deeply and coughs freely",
            "dyspnoea, shallow or limited breathing",
            "apnoeic",
        ),
        ALDRETE_1995,
    ),
    Item(
        "circulation",
        "Circulation",
        (
            "blood pressure within ±20 % of the pre-anaesthetic level",
            "blood pressure differs by 20-49 % from the pre-anaesthetic level",
            "blood pressure differs by 50 % or more from the pre-anaesthetic level",
        ),
        ALDRETE_KROULIK_1970,  # kept unchanged in 1995; some transcriptions print mmHg
    ),
    Item(
        "consciousness",
        "Consciousness",
        ("fully awake", "rousable on calling", "not responding"),
        ALDRETE_1995,
    ),
    Item(
        "oxygen_saturation",
        "Oxygen saturation",
        (
            "keeps SpO2 above 92 % on room air",
            "needs supplemental oxygen to keep SpO2 above 90 %",
            "SpO2 below 90 % even with supplemental oxygen",
        ),
        ALDRETE_1995,
    ),
)

DISCHARGE_FROM_TOTAL = 9  # phase I (PACU) discharge at a total of 9 or more (Aldrete 1995)
DISCHARGE_SOURCE = ALDRETE_1995


class AldreteInput(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    activity: int = points_field(ITEMS, "activity")
    respiration: int = points_field(ITEMS, "respiration")
    circulation: int = points_field(ITEMS, "circulation")
    consciousness: int = points_field(ITEMS, "consciousness")
    oxygen_saturation: int = points_field(ITEMS, "oxygen_saturation")


def compute(data: AldreteInput) -> dict[str, Any]:
    components, total = score_items(data, ITEMS)
    return {
        "total": total,
        "discharge_ready": total >= DISCHARGE_FROM_TOTAL,
        "components": components,
    }


FORMULA = (
    "Modified Aldrete score = sum of five items, each 0-2 points (total 0-10).\n"
    + items_formula(ITEMS)
    + "\nDischarge from phase I recovery (PACU) when the total is 9 or more.\n"
    "Circulation is compared in percent of the pre-anaesthetic blood pressure (1970 wording, "
    "kept in 1995); some tables print ±20 / 20-50 / 50 mmHg instead."
)

INSTRUMENT = Instrument(
    name="aldrete",
    title="Modified Aldrete score",
    edition="Modified Aldrete score (Aldrete 1995, SpO2 instead of colour)",
    source_ids=(ALDRETE_1995, ALDRETE_KROULIK_1970),
    formula=FORMULA,
    input_model=AldreteInput,
    compute=compute,
    note="A score of 9 or more supports, and does not replace, the clinician's discharge decision.",
)
