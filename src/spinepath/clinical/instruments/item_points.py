"""Scores made of items worth 0, 1 or 2 points each (modified Aldrete, PADSS).

Each item names what 2, 1 and 0 points mean, with its source; the clinician enters the points.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field


@dataclass(frozen=True)
class Item:
    field: str
    label: str
    levels: tuple[str, str, str]  # what 2, 1 and 0 points mean
    source_id: str

    def description(self) -> str:
        two, one, zero = self.levels
        return f"{self.label}: 2 = {two}; 1 = {one}; 0 = {zero}."


def points_field(items: Sequence[Item], name: str) -> Any:
    """A pydantic field for one item: 0 to 2 points, described by the item's levels."""
    item = next(item for item in items if item.field == name)
    return Field(ge=0, le=2, description=item.description())


def score_items(data: BaseModel, items: Sequence[Item]) -> tuple[dict[str, int], int]:
    """Each item's points and their total."""
    components = {item.field: int(getattr(data, item.field)) for item in items}
    return components, sum(components.values())


def items_formula(items: Sequence[Item]) -> str:
    return "\n".join(f"  {item.description()}" for item in items)
