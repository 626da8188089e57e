"""Change from baseline and responder status by minimal clinically important difference (MCID).

One row per measure, each with its source. Change is baseline minus follow-up, so a positive
change is an improvement on all three measures (less pain, less disability).

- NRS pain: responder when the reduction is ≥ 2 points or ≥ 30 % of baseline (Farrar 2001;
  Ostelo 2008), computed by the ``nrs_change`` instrument itself.
- ODI: responder when the index falls by ≥ 10 points (Ostelo 2008).
- RMDQ: responder when the score falls by ≥ 5 points (Ostelo 2008).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from spinepath.clinical.instruments import nrs_change, odi, rmdq
from spinepath.clinical.instruments.registry import get_instrument

Measure = Literal["nrs", "odi", "rmdq"]


@dataclass(frozen=True)
class Mcid:
    measure: Measure
    points: int  # minimal important reduction, in the measure's own points
    percent: int | None  # or this reduction relative to baseline (None: not used)
    source_ids: tuple[str, ...]


MCIDS: dict[Measure, Mcid] = {
    "nrs": Mcid(
        "nrs",
        nrs_change.RESPONDER_POINTS,
        nrs_change.RESPONDER_PERCENT,
        nrs_change.RESPONDER_SOURCES,
    ),
    "odi": Mcid("odi", odi.MCID_CHANGE_POINTS, None, (odi.MCID_SOURCE,)),
    "rmdq": Mcid("rmdq", rmdq.MCID_CHANGE_POINTS, None, (rmdq.MCID_SOURCE,)),
}


@dataclass(frozen=True)
class Scores:
    """One set of answers. ODI is kept in tenths of a percent (35.6 % → 356) so that changes and
    medians are exact."""

    nrs: int | None = None
    odi_tenths: int | None = None
    rmdq: int | None = None


@dataclass(frozen=True)
class Change:
    measure: Measure
    baseline: int
    follow_up: int
    change: int  # baseline − follow-up, in the measure's unit (ODI: tenths of a percent)
    responder: bool
    source_ids: tuple[str, ...]


def nrs_comparison(baseline: int, follow_up: int) -> Change:
    result = get_instrument("nrs_change").run({"baseline": baseline, "follow_up": follow_up})
    return Change(
        "nrs",
        baseline,
        follow_up,
        int(result["change"]),
        bool(result["responder"]),
        MCIDS["nrs"].source_ids,
    )


def odi_comparison(baseline_tenths: int, follow_up_tenths: int) -> Change:
    change = baseline_tenths - follow_up_tenths
    mcid = MCIDS["odi"]
    responder = change >= mcid.points * 10  # the MCID is in index points; change in tenths
    return Change("odi", baseline_tenths, follow_up_tenths, change, responder, mcid.source_ids)


def rmdq_comparison(baseline: int, follow_up: int) -> Change:
    change = baseline - follow_up
    mcid = MCIDS["rmdq"]
    return Change("rmdq", baseline, follow_up, change, change >= mcid.points, mcid.source_ids)


def compare(baseline: Scores, follow_up: Scores) -> dict[Measure, Change]:
    """Every measure answered at both times, compared."""
    found: dict[Measure, Change] = {}
    if baseline.nrs is not None and follow_up.nrs is not None:
        found["nrs"] = nrs_comparison(baseline.nrs, follow_up.nrs)
    if baseline.odi_tenths is not None and follow_up.odi_tenths is not None:
        found["odi"] = odi_comparison(baseline.odi_tenths, follow_up.odi_tenths)
    if baseline.rmdq is not None and follow_up.rmdq is not None:
        found["rmdq"] = rmdq_comparison(baseline.rmdq, follow_up.rmdq)
    return found


def odi_tenths_from_percent(score_percent: float) -> int:
    """The ODI instrument's one-decimal percent as whole tenths (35.6 → 356)."""
    return round(score_percent * 10)
