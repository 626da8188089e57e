"""Stage gates: what an episode's records must show before it may enter a stage.

The pathway names the stages; the domain that owns a record supplies the check for it (the
preparation plan is checked by preparation, the time-out by procedures), registered at start-up
through ``spinepath.wiring``. This module knows none of those records, only how to ask.

A requirement that is not met refuses the move and says what is still needed. Only a role with
``OVERRIDE_CLINICAL_GATES`` (physicians) may override a clinical requirement, with a written
reason that is kept on the transition, shown in the timeline and audited.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from spinepath.episodes.models import Episode
from spinepath.episodes.pathway import Stage


@dataclass(frozen=True)
class Requirement:
    code: str  # e.g. "signed_preparation_plan"
    needed: str  # in plain words: "a signed, current preparation plan"
    met: bool
    found: str = ""  # what the records show instead, when it is not met
    clinical: bool = True  # False: a fact of the move itself (a date), never overridden

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "needed": self.needed,
            "met": self.met,
            "found": self.found,
            "clinical": self.clinical,
        }


@dataclass(frozen=True)
class Move:
    """The move being asked for, as far as a gate needs to know it."""

    to_stage: Stage
    event_date: date | None = None


GateCheck = Callable[[Session, Episode, Move], Requirement]


class GateRegistry:
    def __init__(self) -> None:
        self._checks: dict[Stage, list[GateCheck]] = {}

    def require(self, stage: Stage, check: GateCheck) -> None:
        self._checks.setdefault(stage, []).append(check)

    def requirements(self, session: Session, episode: Episode, move: Move) -> list[Requirement]:
        return [check(session, episode, move) for check in self._checks.get(move.to_stage, ())]

    def stages(self) -> set[Stage]:
        return set(self._checks)


def _date_of_death(_session: Session, _episode: Episode, move: Move) -> Requirement:
    return Requirement(
        "date_of_death",
        "the date of death",
        move.event_date is not None,
        "" if move.event_date else "no date given",
        clinical=False,
    )


def subscribe(registry: GateRegistry) -> None:
    """The gates that rest on the move itself rather than on another domain's record."""
    registry.require(Stage.DIED, _date_of_death)


_installed: GateRegistry | None = None


def install(registry: GateRegistry) -> None:
    global _installed
    _installed = registry


def installed_gates() -> GateRegistry:
    if _installed is None:
        # A move whose gates were never asked would skip every clinical check.
        raise RuntimeError("no stage gates are installed: call spinepath.wiring.install()")
    return _installed
