"""The criteria sets, by name.

Each set is one module exposing ``CRITERIA_SET``. A new payer's set is a new module imported
here and added to ``_BUILT_IN`` (or passed to :func:`register`); no other set changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from spinepath.clinical.candidacy import cms_lcd_l38201, nice_ta279
from spinepath.clinical.candidacy.criteria import CriteriaSet
from spinepath.clinical.errors import FieldError, InvalidInput

_BUILT_IN: tuple[CriteriaSet, ...] = (cms_lcd_l38201.CRITERIA_SET, nice_ta279.CRITERIA_SET)

CRITERIA_SETS: dict[str, CriteriaSet] = {criteria.name: criteria for criteria in _BUILT_IN}
DEFAULT_SETS: tuple[str, ...] = tuple(CRITERIA_SETS)


class UnknownCriteriaSet(InvalidInput):
    """An unknown or empty choice of criteria sets, reported as a field error."""


def register(criteria_set: CriteriaSet) -> None:
    """Add a criteria set (for example one kept outside this package)."""
    if criteria_set.name in CRITERIA_SETS:
        raise ValueError(f"a criteria set named {criteria_set.name!r} already exists")
    CRITERIA_SETS[criteria_set.name] = criteria_set


def unregister(name: str) -> None:
    CRITERIA_SETS.pop(name, None)


def resolve(names: Iterable[str] | None) -> tuple[CriteriaSet, ...]:
    """The chosen sets in the order given; None chooses every registered set."""
    if names is None:
        return tuple(CRITERIA_SETS.values())
    if isinstance(names, str):
        names = (names,)
    chosen: Sequence[str] = list(names)
    errors: list[FieldError] = []
    if not chosen:
        errors.append(FieldError("criteria_sets", "choose at least one criteria set"))
    known = ", ".join(sorted(CRITERIA_SETS))
    seen: set[str] = set()
    for index, name in enumerate(chosen):
        if name not in CRITERIA_SETS:
            errors.append(
                FieldError(
                    f"criteria_sets.{index}", f"unknown criteria set {name!r}; known: {known}"
                )
            )
        elif name in seen:
            errors.append(FieldError(f"criteria_sets.{index}", f"{name!r} is chosen twice"))
        seen.add(name)
    if errors:
        raise UnknownCriteriaSet(errors)
    return tuple(CRITERIA_SETS[name] for name in chosen)
