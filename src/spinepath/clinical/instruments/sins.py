"""Spinal Instability Neoplastic Score (SINS; Fisher 2010), for spinal lesions in cancer.

The location component is derived from the vertebral level. SINS was built and validated for
neoplastic disease, not for osteoporotic fractures; the result says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

from spinepath.clinical.instruments import Instrument
from spinepath.clinical.levels import LEVELS, levels_between, normalise_level
from spinepath.clinical.sources.fracture_grading import FISHER_2010, FOURNEY_2011

Pain = Literal["mechanical", "occasional", "none"]
Lesion = Literal["lytic", "mixed", "blastic"]
Alignment = Literal["subluxation", "de_novo_deformity", "normal"]
Collapse = Literal["over_50", "under_50", "none_over_50_involved", "none"]
Posterolateral = Literal["bilateral", "unilateral", "none"]
LocationCategory = Literal["junctional", "mobile", "semi_rigid", "rigid"]
Category = Literal["stable", "indeterminate", "unstable"]

NOTE = (
    "SINS is for spinal lesions in neoplastic disease (metastases, myeloma); it was not built "
    "or validated for osteoporotic fractures."
)


@dataclass(frozen=True)
class LocationRow:
    category: LocationCategory
    points: int
    spans: tuple[tuple[str, str], ...]  # inclusive (upper, lower) level ranges
    meaning: str
    source: str

    def levels(self) -> tuple[str, ...]:
        return tuple(level for upper, lower in self.spans for level in levels_between(upper, lower))


@dataclass(frozen=True)
class PointsRow:
    value: str
    points: int
    meaning: str
    source: str


# Fisher 2010, location. Occiput–C2 is entered as C1 or C2 (the occiput is not a level here).
LOCATION: tuple[LocationRow, ...] = (
    LocationRow(
        "junctional",
        3,
        (("C1", "C2"), ("C7", "T2"), ("T11", "L1"), ("L5", "S1")),
        "junctional (occiput–C2, C7–T2, T11–L1, L5–S1)",
        FISHER_2010,
    ),
    LocationRow(
        "mobile", 2, (("C3", "C6"), ("L2", "L4")), "mobile spine (C3–C6, L2–L4)", FISHER_2010
    ),
    LocationRow("semi_rigid", 1, (("T3", "T10"),), "semi-rigid (T3–T10)", FISHER_2010),
    LocationRow("rigid", 0, (("S2", "S5"),), "rigid (S2–S5)", FISHER_2010),
)

PAIN: tuple[PointsRow, ...] = (
    PointsRow(
        "mechanical",
        3,
        "mechanical: relieved by lying down and/or worse with movement or loading of the spine",
        FISHER_2010,
    ),
    PointsRow("occasional", 1, "occasional pain, not mechanical", FISHER_2010),
    PointsRow("none", 0, "pain-free lesion", FISHER_2010),
)

LESION: tuple[PointsRow, ...] = (
    PointsRow("lytic", 2, "lytic", FISHER_2010),
    PointsRow("mixed", 1, "mixed lytic/blastic", FISHER_2010),
    PointsRow("blastic", 0, "blastic", FISHER_2010),
)

ALIGNMENT: tuple[PointsRow, ...] = (
    PointsRow("subluxation", 4, "subluxation or translation present", FISHER_2010),
    PointsRow("de_novo_deformity", 2, "de novo deformity (kyphosis or scoliosis)", FISHER_2010),
    PointsRow("normal", 0, "normal alignment", FISHER_2010),
)

COLLAPSE: tuple[PointsRow, ...] = (
    PointsRow("over_50", 3, "more than 50 % collapse", FISHER_2010),
    PointsRow("under_50", 2, "less than 50 % collapse", FISHER_2010),
    PointsRow(
        "none_over_50_involved", 1, "no collapse, more than 50 % of the body involved", FISHER_2010
    ),
    PointsRow("none", 0, "none of the above", FISHER_2010),
)

POSTEROLATERAL: tuple[PointsRow, ...] = (
    PointsRow(
        "bilateral",
        3,
        "bilateral involvement of facet, pedicle or costovertebral joint (fracture or tumour)",
        FISHER_2010,
    ),
    PointsRow("unilateral", 1, "unilateral involvement", FISHER_2010),
    PointsRow("none", 0, "none of the above", FISHER_2010),
)

COMPONENT_TABLES: dict[str, tuple[PointsRow, ...]] = {
    "pain": PAIN,
    "lesion": LESION,
    "alignment": ALIGNMENT,
    "collapse": COLLAPSE,
    "posterolateral": POSTEROLATERAL,
}


@dataclass(frozen=True)
class CategoryBand:
    category: Category
    lowest: int
    highest: int
    meaning: str
    source: str


CATEGORIES: tuple[CategoryBand, ...] = (
    CategoryBand("stable", 0, 6, "stable", FISHER_2010),
    CategoryBand(
        "indeterminate", 7, 12, "indeterminate (possibly impending) instability", FISHER_2010
    ),
    CategoryBand("unstable", 13, 18, "unstable", FISHER_2010),
)

# Fisher 2010 (and Fourney 2011): a score of 7 to 18 warrants surgical consultation.
SURGICAL_CONSULTATION_FROM = (7, FISHER_2010)

_LOCATION_BY_LEVEL: dict[str, LocationRow] = {
    level: row for row in LOCATION for level in row.levels()
}
if set(_LOCATION_BY_LEVEL) != set(LEVELS):  # pragma: no cover - a table error, caught at import
    raise AssertionError("the SINS location table must place every level from C1 to S5 once")


class SinsInput(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    level: str = Field(description="Vertebral level of the lesion, C1 to S5 (e.g. T12).")
    pain: Pain
    lesion: Lesion
    alignment: Alignment
    collapse: Collapse
    posterolateral: Posterolateral

    @field_validator("level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        return normalise_level(value)


def location_for(level: str) -> LocationRow:
    return _LOCATION_BY_LEVEL[normalise_level(level)]


def category_for(total: int) -> CategoryBand:
    for band in CATEGORIES:
        if band.lowest <= total <= band.highest:
            return band
    raise ValueError(f"SINS total {total} is outside 0–18")


def _points(table: tuple[PointsRow, ...], value: str) -> int:
    for row in table:
        if row.value == value:
            return row.points
    raise AssertionError(f"{value!r} is missing from its SINS table")


def compute(data: SinsInput) -> dict[str, Any]:
    location = location_for(data.level)
    components = {"location": location.points}
    for name, table in COMPONENT_TABLES.items():
        components[name] = _points(table, getattr(data, name))
    total = sum(components.values())
    threshold, _ = SURGICAL_CONSULTATION_FROM
    return {
        "level": data.level,
        "location_category": location.category,
        "total": total,
        "components": components,
        "category": category_for(total).category,
        "surgical_consultation": total >= threshold,
        "note": NOTE,
    }


def _formula() -> str:
    lines = ["SINS = sum of six components (0–18).", "Location (from the level):"]
    lines += [f"  {row.meaning}: {row.points}" for row in LOCATION]
    titles = {
        "pain": "Pain",
        "lesion": "Bone lesion",
        "alignment": "Radiographic spinal alignment",
        "collapse": "Vertebral body collapse",
        "posterolateral": "Posterolateral involvement of spinal elements",
    }
    for name, table in COMPONENT_TABLES.items():
        lines.append(f"{titles[name]}:")
        lines += [f"  {row.meaning}: {row.points}" for row in table]
    lines.append("Category:")
    lines += [f"  {band.lowest}–{band.highest}: {band.meaning}" for band in CATEGORIES]
    lines.append(
        f"Surgical consultation is warranted at a total of {SURGICAL_CONSULTATION_FROM[0]} or more."
    )
    lines.append(NOTE)
    return "\n".join(lines)


# The input enums must name exactly the rows of the tables they score.
for _name, _alias in (
    ("pain", Pain),
    ("lesion", Lesion),
    ("alignment", Alignment),
    ("collapse", Collapse),
    ("posterolateral", Posterolateral),
):
    if {row.value for row in COMPONENT_TABLES[_name]} != set(get_args(_alias)):  # pragma: no cover
        raise AssertionError(f"SINS {_name} table and input choices differ")


INSTRUMENT = Instrument(
    name="sins",
    title="Spinal Instability Neoplastic Score (SINS)",
    edition="Fisher 2010 (Spine Oncology Study Group)",
    source_ids=(FISHER_2010, FOURNEY_2011),
    formula=_formula(),
    input_model=SinsInput,
    compute=compute,
    note=NOTE,
)
