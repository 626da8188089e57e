"""Every area's sources, joined. Each area owns one module in this package with a SOURCES list."""

from __future__ import annotations

from spinepath.clinical.sources import (
    Source,
    candidacy,
    exchange_codes,
    follow_up,
    fracture_grading,
    outcome_measures,
    preparation,
    procedure,
    recovery_scores,
)

_AREAS = (
    candidacy,
    exchange_codes,
    follow_up,
    fracture_grading,
    outcome_measures,
    preparation,
    procedure,
    recovery_scores,
)

ALL_SOURCES: list[Source] = [source for area in _AREAS for source in area.SOURCES]
