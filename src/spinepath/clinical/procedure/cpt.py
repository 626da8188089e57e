"""CPT codes derived from the treated levels: 22510-22515 by technique, region and count.

Vertebroplasty: 22510 for a cervicothoracic body (C1-T12), 22511 for a lumbosacral body (L1-S5),
+22512 for each additional body. Vertebral augmentation (kyphoplasty): 22513 for a thoracic body,
22514 for a lumbar body, +22515 for each additional body. One primary code per technique and
session, contiguous or not, with an add-on unit for every further level.

Where the codes leave a choice or have no row, the derivation says so instead of guessing:
- levels of one technique in both regions: one primary code is reported, but which one is a
  coding choice, so the primary line lists both codes and goes to review;
- augmentation of a cervical or sacral body has no code in 22513-22515 (sacral augmentation is
  sacroplasty, reported with other codes): those levels go to review uncoded.

Codes only: CPT descriptors are copyrighted by the AMA and are not shipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from spinepath.clinical.errors import parse_input
from spinepath.clinical.levels import Region, level_index, normalise_level, region_of
from spinepath.clinical.procedure import EDITION
from spinepath.clinical.procedure.record import Technique
from spinepath.clinical.sources.procedure import (
    AAPC_ADD_ON_CODING,
    AMA_CPT_VERTEBRAL_AUGMENTATION,
    BECKERS_2015_CODE_CHANGES,
)


@dataclass(frozen=True)
class CodeRow:
    """One primary code: the technique, the regions it covers and its add-on code."""

    technique: str
    regions: frozenset[Region]
    group: str
    primary: str
    add_on: str
    source_id: str


CODE_TABLE: tuple[CodeRow, ...] = (
    CodeRow(
        "vertebroplasty",
        frozenset({Region.CERVICAL, Region.THORACIC}),
        "cervicothoracic",
        "22510",
        "22512",
        AMA_CPT_VERTEBRAL_AUGMENTATION,
    ),
    CodeRow(
        "vertebroplasty",
        frozenset({Region.LUMBAR, Region.SACRAL}),
        "lumbosacral",
        "22511",
        "22512",
        AMA_CPT_VERTEBRAL_AUGMENTATION,
    ),
    CodeRow(
        "kyphoplasty",
        frozenset({Region.THORACIC}),
        "thoracic",
        "22513",
        "22515",
        AMA_CPT_VERTEBRAL_AUGMENTATION,
    ),
    CodeRow(
        "kyphoplasty",
        frozenset({Region.LUMBAR}),
        "lumbar",
        "22514",
        "22515",
        AMA_CPT_VERTEBRAL_AUGMENTATION,
    ),
)

# Technique and region with no row in the table, and why (shown to the coder).
NOT_CODED: dict[tuple[str, Region], tuple[str, str]] = {
    ("kyphoplasty", Region.CERVICAL): (
        "22513-22515 cover thoracic and lumbar bodies only; a cervical augmentation needs "
        "another code",
        AMA_CPT_VERTEBRAL_AUGMENTATION,
    ),
    ("kyphoplasty", Region.SACRAL): (
        "sacral augmentation (sacroplasty) is reported with its own codes, outside 22513-22515",
        BECKERS_2015_CODE_CHANGES,
    ),
}

ONE_PRIMARY_PER_SESSION_SOURCE = AAPC_ADD_ON_CODING
SOURCE_IDS = (AMA_CPT_VERTEBRAL_AUGMENTATION, AAPC_ADD_ON_CODING, BECKERS_2015_CODE_CHANGES)


class TreatedLevel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    level: str = Field(description="Vertebral level treated, C1-S5")
    technique: Technique

    @field_validator("level")
    @classmethod
    def _level(cls, value: str) -> str:
        return normalise_level(value)


class CptInput(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    levels: list[TreatedLevel] = Field(min_length=1, max_length=29)

    @field_validator("levels")
    @classmethod
    def _distinct(cls, value: list[TreatedLevel]) -> list[TreatedLevel]:
        names = [item.level for item in value]
        if len(set(names)) != len(names):
            raise ValueError("each vertebral level can be treated once in a session")
        return value


def row_for(technique: str, region: Region) -> CodeRow | None:
    for row in CODE_TABLE:
        if row.technique == technique and region in row.regions:
            return row
    return None


def derive(data: CptInput) -> dict[str, Any]:
    """Code lines for one session. ``codes`` lists every determined code once per unit."""
    lines: list[dict[str, Any]] = []
    review: list[dict[str, Any]] = []
    used_sources: set[str] = set()
    ordered = sorted(data.levels, key=lambda item: level_index(item.level))
    for technique in ("vertebroplasty", "kyphoplasty"):
        coded: list[tuple[str, CodeRow]] = []
        for item in (i for i in ordered if i.technique == technique):
            region = region_of(item.level)
            row = row_for(technique, region)
            if row is None:
                reason, source_id = NOT_CODED[(technique, region)]
                review.append({"levels": [item.level], "technique": technique, "reason": reason})
                used_sources.add(source_id)
                continue
            coded.append((item.level, row))
        if not coded:
            continue
        rows = {row.primary: row for _, row in coded}
        used_sources.update(row.source_id for row in rows.values())
        used_sources.add(ONE_PRIMARY_PER_SESSION_SOURCE)
        levels = [level for level, _ in coded]
        add_on = coded[0][1].add_on
        if len(rows) == 1:
            first_level, first_row = coded[0]
            lines.append(_line(first_row.primary, 1, "primary", technique, [first_level]))
        else:
            groups = " and ".join(row.group for row in rows.values())
            lines.append(
                {
                    **_line(None, 1, "primary", technique, levels),
                    "alternatives": sorted(rows),
                }
            )
            review.append(
                {
                    "levels": levels,
                    "technique": technique,
                    "reason": (
                        f"the levels are {groups}: one primary code ({' or '.join(sorted(rows))})"
                        " is reported for the session with an add-on for every other level; "
                        "which primary is a coding choice"
                    ),
                }
            )
        if len(coded) > 1:
            extra = levels[1:] if len(rows) == 1 else levels
            lines.append(_line(add_on, len(coded) - 1, "add-on", technique, extra))
    codes = [line["code"] for line in lines if line["code"] for _ in range(line["units"])]
    return {
        "lines": lines,
        "codes": codes,
        "review": review,
        "complete": not review,
        "edition": EDITION,
        "sources": sorted(used_sources) or list(SOURCE_IDS[:1]),
        "note": "Codes only; the code descriptors are the AMA's and are not reproduced.",
    }


def _line(
    code: str | None, units: int, kind: str, technique: str, levels: list[str]
) -> dict[str, Any]:
    return {"code": code, "units": units, "kind": kind, "technique": technique, "levels": levels}


def derive_codes(raw: Mapping[str, Any] | Any) -> dict[str, Any]:
    """Validate (InvalidInput names every bad field) and derive."""
    return derive(parse_input(CptInput, raw))
