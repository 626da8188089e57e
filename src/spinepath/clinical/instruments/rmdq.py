"""Roland-Morris Disability Questionnaire, 24 items (Roland & Morris 1983).

One point for each statement the patient ticks; score 0-24, higher is more disabled. The item
statements are not shipped: the input is the 24 answers in questionnaire order.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from spinepath.clinical.instruments import Instrument
from spinepath.clinical.sources.outcome_measures import (
    OSTELO_2008,
    ROLAND_FAIRBANK_2000,
    ROLAND_MORRIS_1983,
)

ITEMS = 24  # statements in the RMDQ-24 (Roland & Morris 1983)
ITEMS_SOURCE = ROLAND_MORRIS_1983
MCID_CHANGE_POINTS = 5  # minimal important change (Ostelo 2008)
MCID_SOURCE = OSTELO_2008


class RmdqInput(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    items: list[StrictBool] = Field(
        min_length=ITEMS,
        max_length=ITEMS,
        description=(
            "The 24 RMDQ statements in questionnaire order: true if the patient ticked the "
            "statement (it describes them today), false if not."
        ),
    )


def compute(data: RmdqInput) -> dict[str, Any]:
    return {
        "score": sum(1 for ticked in data.items if ticked),
        "max_score": ITEMS,
        "mcid_change_points": MCID_CHANGE_POINTS,
    }


FORMULA = """\
RMDQ score = number of the 24 statements ticked (0-24); higher means more disability.
Minimal important change: 5 points (Ostelo 2008)."""

INSTRUMENT = Instrument(
    name="rmdq",
    title="Roland-Morris Disability Questionnaire (RMDQ-24)",
    edition="RMDQ-24 (Roland & Morris 1983)",
    source_ids=(ROLAND_MORRIS_1983, ROLAND_FAIRBANK_2000, OSTELO_2008),
    formula=FORMULA,
    input_model=RmdqInput,
    compute=compute,
    note="All 24 answers are needed; an unanswered statement is not counted as ticked.",
)
