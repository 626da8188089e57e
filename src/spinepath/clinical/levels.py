"""Vertebral levels C1 to S5, in craniocaudal order."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

_REGION_SIZES = (("C", 7), ("T", 12), ("L", 5), ("S", 5))

LEVELS: tuple[str, ...] = tuple(
    f"{region}{number}" for region, size in _REGION_SIZES for number in range(1, size + 1)
)
_INDEX = {level: index for index, level in enumerate(LEVELS)}

# The levels as the OpenAPI document states them (lower case and surrounding spaces are also
# read, and normalised): a JSON Schema fragment for a level, and for a list of distinct levels.
LEVEL_PATTERN = "^(C[1-7]|T[1-9]|T1[0-2]|L[1-5]|S[1-5])$"
LEVEL_SCHEMA: dict[str, Any] = {"pattern": LEVEL_PATTERN}
LEVELS_SCHEMA: dict[str, Any] = {
    "items": {"type": "string", "pattern": LEVEL_PATTERN},
    "uniqueItems": True,
}


class Region(StrEnum):
    CERVICAL = "cervical"
    THORACIC = "thoracic"
    LUMBAR = "lumbar"
    SACRAL = "sacral"


_REGION_BY_LETTER = {
    "C": Region.CERVICAL,
    "T": Region.THORACIC,
    "L": Region.LUMBAR,
    "S": Region.SACRAL,
}


def normalise_level(text: str) -> str:
    """``" t12 "`` → ``"T12"``; raises ValueError naming the valid range otherwise."""
    level = text.strip().upper()
    if level not in _INDEX:
        raise ValueError(f"{text!r} is not a vertebral level (C1–C7, T1–T12, L1–L5, S1–S5)")
    return level


def level_index(level: str) -> int:
    """Position from the top of the spine: C1 is 0, S5 is 28."""
    return _INDEX[normalise_level(level)]


def region_of(level: str) -> Region:
    return _REGION_BY_LETTER[normalise_level(level)[0]]


def levels_between(upper: str, lower: str) -> tuple[str, ...]:
    """Inclusive range of levels from ``upper`` to ``lower``."""
    start, end = level_index(upper), level_index(lower)
    return LEVELS[min(start, end) : max(start, end) + 1]


def are_adjacent(first: str, second: str) -> bool:
    return abs(level_index(first) - level_index(second)) == 1
