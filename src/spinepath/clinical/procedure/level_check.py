"""The time-out level check: are the levels about to be treated the planned levels?

Treating the wrong vertebral level is a never-event in spine care. Any difference (a level added,
a planned level left out) is a mismatch, and the time-out must not be recorded until someone
gives an explicit reason for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from spinepath.clinical.levels import level_index, normalise_level


@dataclass(frozen=True)
class LevelCheck:
    planned: tuple[str, ...]
    to_treat: tuple[str, ...]
    not_planned: tuple[str, ...]  # about to be treated, but not in the plan
    not_treated: tuple[str, ...]  # planned, but not about to be treated

    @property
    def matches(self) -> bool:
        return not self.not_planned and not self.not_treated

    def describe(self) -> str:
        if self.matches:
            return f"the levels to treat ({', '.join(self.to_treat)}) are the planned levels"
        parts = []
        if self.not_planned:
            parts.append(f"{', '.join(self.not_planned)} not planned")
        if self.not_treated:
            parts.append(f"planned {', '.join(self.not_treated)} not included")
        return (
            f"the levels to treat ({', '.join(self.to_treat)}) differ from the planned levels "
            f"({', '.join(self.planned)}): {'; '.join(parts)}"
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "matches": self.matches,
            "planned": list(self.planned),
            "to_treat": list(self.to_treat),
            "not_planned": list(self.not_planned),
            "not_treated": list(self.not_treated),
            "summary": self.describe(),
        }


def _ordered(levels: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({normalise_level(level) for level in levels}, key=level_index))


def check_levels(planned: Iterable[str], to_treat: Iterable[str]) -> LevelCheck:
    planned_set = _ordered(planned)
    treat_set = _ordered(to_treat)
    return LevelCheck(
        planned=planned_set,
        to_treat=treat_set,
        not_planned=tuple(level for level in treat_set if level not in planned_set),
        not_treated=tuple(level for level in planned_set if level not in treat_set),
    )
