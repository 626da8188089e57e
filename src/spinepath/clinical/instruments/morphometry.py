"""Six-point vertebral morphometry: heights, ratios, wedge angle, height loss, Genant grade, shape.

Heights come either measured (``heights_mm``) or from the six points of a lateral image
(``points_mm``): each height is the straight-line distance between a column's superior and
inferior point. Arithmetic on heights is exact decimal arithmetic on the numbers as entered
(``Decimal(repr(x))``), so a loss of exactly 20, 25 or 40 % lands on the grade the table gives
rather than on whichever side binary rounding falls. Grade and shape come from unrounded values;
outputs are rounded half-up for display (mm and % to 0.1, ratios to 0.001, degrees to 0.1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from spinepath.clinical.instruments import Instrument
from spinepath.clinical.sources.fracture_grading import DIACINTI_2010, GENANT_1993

Column = Literal["anterior", "middle", "posterior"]
Shape = Literal["none", "wedge", "biconcave", "crush"]

COLUMNS: tuple[Column, ...] = ("anterior", "middle", "posterior")

# Input-range limits keep the arithmetic meaningful (no division by a vanishing height, no
# overflow); they are not clinical thresholds and no grade depends on them.
MIN_HEIGHT_MM = 0.01
MAX_HEIGHT_MM = 1000.0
MAX_COORDINATE_MM = 100_000.0


@dataclass(frozen=True)
class GradeBand:
    """One Genant grade: height loss from ``lower`` to ``upper`` percent (None is unbounded)."""

    grade: int
    label: str
    lower: Decimal | None
    lower_inclusive: bool
    upper: Decimal | None
    upper_inclusive: bool
    source: str

    def contains(self, loss_percent: Decimal) -> bool:
        above = (
            self.lower is None
            or loss_percent > self.lower
            or (self.lower_inclusive and loss_percent == self.lower)
        )
        below = (
            self.upper is None
            or loss_percent < self.upper
            or (self.upper_inclusive and loss_percent == self.upper)
        )
        return above and below

    def describe(self) -> str:
        parts = []
        if self.lower is not None:
            parts.append(f"{self.lower} % {'≤' if self.lower_inclusive else '<'} loss")
        if self.upper is not None:
            bound = f"{'≤' if self.upper_inclusive else '<'} {self.upper} %"
            parts.append(bound if parts else f"loss {bound}")
        return " ".join(parts)


# Genant 1993 semiquantitative grades by height reduction. The paper gives "approximately"
# 20-25 %, 25-40 % and > 40 %; the shared boundaries go up (20 % is grade 1, 25 % grade 2)
# and 40 % itself stays grade 2 (the grade table below keeps 25–40 % as grade 2).
GENANT_GRADES: tuple[GradeBand, ...] = (
    GradeBand(0, "normal", None, False, Decimal(20), False, GENANT_1993),
    GradeBand(1, "mild", Decimal(20), True, Decimal(25), False, GENANT_1993),
    GradeBand(2, "moderate", Decimal(25), True, Decimal(40), True, GENANT_1993),
    GradeBand(3, "severe", Decimal(40), False, None, False, GENANT_1993),
)


@dataclass(frozen=True)
class ShapeRule:
    """The shape named when ``column`` has the smallest height; earlier rows win ties."""

    column: Column
    shape: Shape
    source: str


# Genant 1993: wedge = anterior height reduced, biconcave = middle, crush = posterior / whole
# body. Tie order (crush, then biconcave, then wedge) is spinepath's rule: a body
# reduced evenly against the reference vertebra is a crush.
SHAPE_RULES: tuple[ShapeRule, ...] = (
    ShapeRule("posterior", "crush", GENANT_1993),
    ShapeRule("middle", "biconcave", GENANT_1993),
    ShapeRule("anterior", "wedge", GENANT_1993),
)

HeightMm = Annotated[float, Field(ge=MIN_HEIGHT_MM, le=MAX_HEIGHT_MM, allow_inf_nan=False)]
CoordinateMm = Annotated[
    float, Field(ge=-MAX_COORDINATE_MM, le=MAX_COORDINATE_MM, allow_inf_nan=False)
]
PointMm = Annotated[list[CoordinateMm], Field(min_length=2, max_length=2)]


def _field_errors(problems: list[tuple[tuple[str, ...], str]]) -> ValidationError:
    """A validation error that names each field (pydantic prefixes the enclosing path)."""
    return ValidationError.from_exception_data(
        "morphometry",
        [
            InitErrorDetails(
                type=PydanticCustomError("invalid_combination", message),
                loc=location,
                input=None,
            )
            for location, message in problems
        ],
    )


class Heights(BaseModel):
    """Measured vertebral body heights in millimetres."""

    model_config = ConfigDict(strict=True, extra="forbid")

    anterior: HeightMm
    middle: HeightMm
    posterior: HeightMm


class SixPoints(BaseModel):
    """The six morphometry points as [x, y] in millimetres on one lateral image."""

    model_config = ConfigDict(strict=True, extra="forbid")

    anterior_superior: PointMm
    anterior_inferior: PointMm
    middle_superior: PointMm
    middle_inferior: PointMm
    posterior_superior: PointMm
    posterior_inferior: PointMm

    def point(self, name: str) -> tuple[Decimal, Decimal]:
        x, y = getattr(self, name)
        return _exact(x), _exact(y)

    @model_validator(mode="after")
    def _points_are_distinct(self) -> Self:
        floor = _exact(MIN_HEIGHT_MM)
        problems: list[tuple[tuple[str, ...], str]] = []
        for column in COLUMNS:
            superior, inferior = f"{column}_superior", f"{column}_inferior"
            if _distance(self.point(superior), self.point(inferior)) < floor:
                problems.append(
                    (
                        (inferior,),
                        f"is (almost) the same point as {superior}: the {column} height would "
                        f"be under {MIN_HEIGHT_MM} mm",
                    )
                )
        for endplate in ("superior", "inferior"):
            anterior, posterior = f"anterior_{endplate}", f"posterior_{endplate}"
            if _distance(self.point(anterior), self.point(posterior)) < floor:
                problems.append(
                    (
                        (posterior,),
                        f"is (almost) the same point as {anterior}: the {endplate} endplate "
                        "line is undefined",
                    )
                )
        if problems:
            raise _field_errors(problems)
        return self


class MorphometryInput(BaseModel):
    """Give exactly one of ``heights_mm`` and ``points_mm``."""

    model_config = ConfigDict(strict=True, extra="forbid")

    heights_mm: Heights | None = Field(
        default=None, description="Measured anterior, middle and posterior heights (mm)."
    )
    points_mm: SixPoints | None = Field(
        default=None, description="The six morphometry points as [x, y] in mm."
    )
    reference_height_mm: HeightMm | None = Field(
        default=None, description="Height of the nearest normal vertebra (mm), if measured."
    )

    @model_validator(mode="after")
    def _exactly_one_kind(self) -> Self:
        given = (self.heights_mm is not None) + (self.points_mm is not None)
        if given == 0:
            message = "give either heights_mm or points_mm"
        elif given == 2:
            message = "give either heights_mm or points_mm, not both"
        else:
            return self
        raise _field_errors([(("heights_mm",), message), (("points_mm",), message)])


def _exact(value: float) -> Decimal:
    """The number as entered: the shortest decimal that round-trips to this float."""
    return Decimal(repr(value))


def _distance(first: tuple[Decimal, Decimal], second: tuple[Decimal, Decimal]) -> Decimal:
    with localcontext(Context(prec=60)):
        dx = second[0] - first[0]
        dy = second[1] - first[1]
        return (dx * dx + dy * dy).sqrt()


def _wedge_angle_deg(points: SixPoints) -> float:
    """Angle between anterior→posterior superior and inferior endplate lines, 0 to 180°."""
    ax, ay = points.anterior_superior
    px, py = points.posterior_superior
    bx, by = points.anterior_inferior
    qx, qy = points.posterior_inferior
    ux, uy = px - ax, py - ay
    vx, vy = qx - bx, qy - by
    return math.degrees(math.atan2(abs(ux * vy - uy * vx), ux * vx + uy * vy))


def genant_band(loss_percent: Decimal) -> GradeBand:
    for band in GENANT_GRADES:
        if band.contains(loss_percent):
            return band
    raise AssertionError(f"no Genant band holds {loss_percent} %")  # the bands cover all reals


def shape_of(heights: dict[Column, Decimal], grade: int) -> Shape:
    if grade == 0:
        return "none"
    smallest = min(heights.values())
    for rule in SHAPE_RULES:
        if heights[rule.column] == smallest:
            return rule.shape
    raise AssertionError("one column always holds the smallest height")


def _rounded(value: Decimal, places: int) -> float:
    quantum = Decimal(1).scaleb(-places)
    precision = max(28, value.adjusted() + places + 2)
    return float(value.quantize(quantum, rounding=ROUND_HALF_UP, context=Context(prec=precision)))


def compute(data: MorphometryInput) -> dict[str, Any]:
    if data.points_mm is not None:
        points = data.points_mm
        heights: dict[Column, Decimal] = {
            column: _distance(
                points.point(f"{column}_superior"), points.point(f"{column}_inferior")
            )
            for column in COLUMNS
        }
    else:
        assert data.heights_mm is not None  # the model insists on exactly one
        measured = data.heights_mm
        heights = {column: _exact(getattr(measured, column)) for column in COLUMNS}

    candidates = list(heights.values())
    if data.reference_height_mm is not None:
        candidates.append(_exact(data.reference_height_mm))
    with localcontext(Context(prec=60)):
        expected = max(candidates)
        smallest = min(heights.values())
        loss_percent = (expected - smallest) * 100 / expected
        anterior_posterior = heights["anterior"] / heights["posterior"]
        middle_posterior = heights["middle"] / heights["posterior"]

    band = genant_band(loss_percent)
    result: dict[str, Any] = {
        "anterior_mm": _rounded(heights["anterior"], 1),
        "middle_mm": _rounded(heights["middle"], 1),
        "posterior_mm": _rounded(heights["posterior"], 1),
        "anterior_posterior_ratio": _rounded(anterior_posterior, 3),
        "middle_posterior_ratio": _rounded(middle_posterior, 3),
        "expected_height_mm": _rounded(expected, 1),
        "height_loss_percent": _rounded(loss_percent, 1),
        "genant_grade": band.grade,
        "shape": shape_of(heights, band.grade),
    }
    if data.points_mm is not None:
        result["wedge_angle_deg"] = _rounded(_exact(_wedge_angle_deg(data.points_mm)), 1)
    return result


def _formula() -> str:
    grades = "\n".join(
        f"  grade {band.grade} ({band.label}): {band.describe()}" for band in GENANT_GRADES
    )
    ties = ", then ".join(rule.shape for rule in SHAPE_RULES)
    return (
        "Heights: Ha (anterior), Hm (middle), Hp (posterior), in mm. From six points, each "
        "height is the straight-line distance between that column's superior and inferior "
        "point.\n"
        "Ratios: Ha/Hp and Hm/Hp.\n"
        "Expected height = the largest of Ha, Hm, Hp and the reference height (nearest normal "
        "vertebra), when one is given.\n"
        "Height loss % = (expected − smallest of Ha, Hm, Hp) ÷ expected × 100.\n"
        f"Genant grade by height loss:\n{grades}\n"
        "Shape (grades 1–3): crush if Hp is the smallest height, biconcave if Hm, wedge if Ha; "
        f"on a tie {ties}. Grade 0: none.\n"
        "Wedge angle (points only): the angle between the superior endplate line (anterior "
        "superior → posterior superior) and the inferior endplate line (anterior inferior → "
        "posterior inferior), 0–180°.\n"
        "Grade and shape use unrounded values; mm and % are shown to 0.1, ratios to 0.001, "
        "degrees to 0.1."
    )


INSTRUMENT = Instrument(
    name="morphometry",
    title="Vertebral morphometry (six-point) with Genant grade",
    edition="Genant 1993 semiquantitative grades applied to six-point quantitative morphometry",
    source_ids=(GENANT_1993, DIACINTI_2010),
    formula=_formula(),
    input_model=MorphometryInput,
    compute=compute,
    note=(
        "Genant grading is a radiologist's visual judgement; this measurement supports it and "
        "does not tell an osteoporotic fracture from other deformities."
    ),
)
