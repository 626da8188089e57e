"""Candidacy for vertebral augmentation: named criteria sets applied to the recorded facts.

``evaluate_case(raw, criteria_sets=None)`` is the entry point; ``CRITERIA_SETS`` names the sets a
clinic can choose from (each with title, edition and source ids). See ``evaluate`` for the result.
"""

from __future__ import annotations

from spinepath.clinical.candidacy.evaluate import evaluate_case
from spinepath.clinical.candidacy.registry import (
    CRITERIA_SETS,
    DEFAULT_SETS,
    UnknownCriteriaSet,
    register,
)

__all__ = ["CRITERIA_SETS", "DEFAULT_SETS", "UnknownCriteriaSet", "evaluate_case", "register"]
