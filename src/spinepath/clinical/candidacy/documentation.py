"""Documentation gaps: what a payer will ask for that the case does not yet show.

Each criteria set may keep a checklist (the LCD does: its documentation requirements); the gaps
are the items missing or not met, in the order of the applied sets. An unmet criterion C (the
osteoporosis continuum of care) is always among them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from spinepath.clinical.candidacy.criteria import CriteriaSet, SetResult


def gaps(applied: Sequence[CriteriaSet], results: Mapping[str, SetResult]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for criteria_set in applied:
        for item in results[criteria_set.name].checklist:
            if item.status in ("missing", "not_met"):
                found.append({"criteria_set": criteria_set.name, **item.as_dict()})
    return found
