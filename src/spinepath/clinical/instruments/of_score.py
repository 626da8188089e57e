"""AO Spine–DGOU OF score for osteoporotic thoracolumbar fractures (pocket-card version).

The weights are the "modified score for therapeutic decision making" printed on the AO Spine–
DGOU pocket card, which itself says the score is not validated and is a reference only. The
weights of the 2018 original (Blattert 2018) were not verified and are not encoded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

from spinepath.clinical.instruments import Instrument
from spinepath.clinical.sources.fracture_grading import (
    AOSPINE_OF_CARD,
    BLATTERT_2018,
    SCHNAKE_2018,
)

HealthPenalty = Literal["asa_over_3", "frailty_over_2", "anticoagulation"]
Recommendation = Literal["conservative", "either", "surgical"]
BooleanItem = Literal[
    "t_score_below_minus_3",
    "deformity_progression",
    "pain_vas_5_or_more",
    "neurological_deficit",
    "mobilisation_possible",
]

NOTE = (
    "Not yet validated: the AO Spine–DGOU pocket card says this score should be used as a "
    "reference only. It supports, and does not replace, the treating team's decision."
)


@dataclass(frozen=True)
class ItemRow:
    """Points for one yes/no item; ``None`` answers (unknown) always score 0."""

    item: BooleanItem
    if_true: int
    if_false: int
    meaning: str
    source: str


# Morphology: points = MORPHOLOGY_POINTS_PER_TYPE × OF type (OF 1–5 give 2–10).
MORPHOLOGY_POINTS_PER_TYPE = (2, AOSPINE_OF_CARD)

ITEMS: tuple[ItemRow, ...] = (
    ItemRow(
        "t_score_below_minus_3",
        1,
        0,
        "severity of osteoporosis: T-score below −3 (or QCT ≤ 90 HU)",
        AOSPINE_OF_CARD,
    ),
    ItemRow("deformity_progression", 1, -1, "deformity progression", AOSPINE_OF_CARD),
    ItemRow(
        "pain_vas_5_or_more",
        1,
        -1,
        "pain VAS 5 or more under WHO step II analgesia",
        AOSPINE_OF_CARD,
    ),
    # The card gives +2 for neurological symptoms (N2–N4) and no value for their absence: 0.
    ItemRow(
        "neurological_deficit", 2, 0, "neurological symptoms (AO Spine N2–N4)", AOSPINE_OF_CARD
    ),
    # Input asks whether mobilisation under analgesia is possible: yes −1, no (impossible) +1.
    ItemRow(
        "mobilisation_possible", -1, 1, "mobilisation under analgesia possible", AOSPINE_OF_CARD
    ),
)

HEALTH_PENALTY_EACH = (-1, AOSPINE_OF_CARD)
HEALTH_PENALTY_FLOOR = (-2, AOSPINE_OF_CARD)
HEALTH_PENALTY_MEANINGS: dict[HealthPenalty, str] = {
    "asa_over_3": "ASA class above 3",
    "frailty_over_2": "5-item modified frailty index above 2",
    "anticoagulation": "anticoagulation",
}


@dataclass(frozen=True)
class RecommendationBand:
    recommendation: Recommendation
    lowest: int | None
    highest: int | None
    meaning: str
    source: str


# Pocket card: 0–5 conservative, 6 conservative or surgery, > 6 surgery. Totals below 0 are
# possible; Blattert 2018 ("a score of less than 6 points advocates nonsurgical management")
# places them with the conservative band.
RECOMMENDATIONS: tuple[RecommendationBand, ...] = (
    RecommendationBand(
        "conservative", None, 5, "conservative (nonsurgical) therapy", BLATTERT_2018
    ),
    RecommendationBand("either", 6, 6, "conservative therapy or surgery", AOSPINE_OF_CARD),
    RecommendationBand("surgical", 7, None, "surgery", BLATTERT_2018),
)


class OfScoreInput(BaseModel):
    """Each yes/no item is true, false or null (unknown, scores 0)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    of_type: Annotated[int, Field(ge=1, le=5, description="OF classification type, 1 to 5.")]
    t_score_below_minus_3: bool | None = Field(
        description="T-score below −3 (or QCT ≤ 90 HU); null if unknown."
    )
    deformity_progression: bool | None = Field(
        description="Deformity progressing; null if unknown."
    )
    pain_vas_5_or_more: bool | None = Field(
        description="Pain VAS 5 or more under WHO step II analgesia; null if unknown."
    )
    neurological_deficit: bool | None = Field(
        description="Neurological symptoms (AO Spine N2–N4); null if unknown."
    )
    mobilisation_possible: bool | None = Field(
        description="Mobilisation under analgesia possible; null if unknown."
    )
    health_penalties: list[HealthPenalty] | None = Field(
        description=(
            "Which of asa_over_3, frailty_over_2, anticoagulation apply ([] for none); "
            "null if the health status is unknown."
        )
    )

    @field_validator("health_penalties")
    @classmethod
    def _each_once(cls, value: list[HealthPenalty] | None) -> list[HealthPenalty] | None:
        if value is not None:
            repeated = sorted({item for item in value if value.count(item) > 1})
            if repeated:
                raise ValueError(f"lists {', '.join(repeated)} more than once; give each once")
        return value


def recommendation_for(total: int) -> RecommendationBand:
    for band in RECOMMENDATIONS:
        if (band.lowest is None or total >= band.lowest) and (
            band.highest is None or total <= band.highest
        ):
            return band
    raise AssertionError(f"no OF score band holds {total}")  # the bands cover all integers


def compute(data: OfScoreInput) -> dict[str, Any]:
    per_type, _ = MORPHOLOGY_POINTS_PER_TYPE
    components: dict[str, int] = {"of_type": per_type * data.of_type}
    unknown: list[str] = []
    for row in ITEMS:
        answer: bool | None = getattr(data, row.item)
        if answer is None:
            unknown.append(row.item)
            components[row.item] = 0
        else:
            components[row.item] = row.if_true if answer else row.if_false
    if data.health_penalties is None:
        unknown.append("health_penalties")
        components["health_penalties"] = 0
    else:
        each, _ = HEALTH_PENALTY_EACH
        floor, _ = HEALTH_PENALTY_FLOOR
        components["health_penalties"] = max(floor, each * len(data.health_penalties))
    total = sum(components.values())
    return {
        "total": total,
        "components": components,
        "recommendation": recommendation_for(total).recommendation,
        "unknown_items": unknown,
        "validated": False,
        "note": NOTE,
    }


def _formula() -> str:
    def signed(points: int) -> str:
        return f"{points:+d}".replace("-", "−") if points else "0"

    lines = [
        "OF score = sum of the items below; an unknown item scores 0.",
        f"Morphology: {MORPHOLOGY_POINTS_PER_TYPE[0]} × OF type (OF 1–5 give "
        f"{MORPHOLOGY_POINTS_PER_TYPE[0]}–{5 * MORPHOLOGY_POINTS_PER_TYPE[0]}).",
    ]
    for row in ITEMS:
        lines.append(
            f"{row.meaning[0].upper()}{row.meaning[1:]}: yes {signed(row.if_true)}, "
            f"no {signed(row.if_false)}."
        )
    lines.append(
        "Health status: "
        + ", ".join(HEALTH_PENALTY_MEANINGS.values())
        + f": {signed(HEALTH_PENALTY_EACH[0])} each, at most {signed(HEALTH_PENALTY_FLOOR[0])} "
        "in all."
    )
    lines.append("Recommendation:")
    for band in RECOMMENDATIONS:
        if band.lowest is None:
            span = f"{band.highest} or less"
        elif band.highest is None:
            span = f"{band.lowest} or more"
        else:
            span = f"{band.lowest}"
        lines.append(f"  {span}: {band.meaning}")
    lines.append(NOTE)
    return "\n".join(lines)


if {row.item for row in ITEMS} != set(get_args(BooleanItem)) or set(HEALTH_PENALTY_MEANINGS) != set(
    get_args(HealthPenalty)
):  # pragma: no cover - a table error, caught at import
    raise AssertionError("OF score tables and input fields differ")


INSTRUMENT = Instrument(
    name="of_score",
    title="AO Spine–DGOU osteoporotic fracture score (OF score)",
    edition="AO Spine–DGOU pocket card, modified score (not validated)",
    source_ids=(SCHNAKE_2018, BLATTERT_2018, AOSPINE_OF_CARD),
    formula=_formula(),
    input_model=OfScoreInput,
    compute=compute,
    note=NOTE,
)
