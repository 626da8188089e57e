"""How often to observe: the RCP NEWS2 minimum monitoring frequency for the current score, beside
the clinic's own interval after a procedure, and the stricter of the two.

RCP NEWS2 (2017) Chart 4, "Clinical response to the NEWS trigger thresholds":

| NEWS2                     | minimum frequency of monitoring      |
|---------------------------|--------------------------------------|
| total 0                   | 12-hourly                            |
| total 1-4                 | 4-6-hourly (the stricter end: 4 h)   |
| 3 in a single parameter   | hourly                               |
| total 5-6 (5 or more)     | hourly                               |
| total 7 or more           | continuous monitoring of vital signs |

In recovery after a procedure the clinic's interval (default every 15 minutes) is usually the
shorter; the schedule shows the stricter, and says when NEWS2 asks for continuous monitoring.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from spinepath.clinical.instruments import news2
from spinepath.clinical.sources.recovery_scores import RCP_NEWS2_2017


@dataclass(frozen=True)
class MonitoringRow:
    trigger: str
    minimum_total: int | None  # the row applies from this total; None: only on a single 3
    single_parameter_3: bool
    interval_minutes: int | None  # None: continuous monitoring
    label: str
    source_id: str


# Most demanding first: the first row that applies is the frequency.
MONITORING: tuple[MonitoringRow, ...] = (
    MonitoringRow(
        "total 7 or more",
        news2.HIGH_FROM_TOTAL,
        False,
        None,
        "continuous monitoring of vital signs",
        RCP_NEWS2_2017,
    ),
    MonitoringRow(
        "total 5 or more", news2.MEDIUM_FROM_TOTAL, False, 60, "at least hourly", RCP_NEWS2_2017
    ),
    MonitoringRow("3 in a single parameter", None, True, 60, "at least hourly", RCP_NEWS2_2017),
    MonitoringRow("total 1-4", 1, False, 4 * 60, "at least every 4-6 hours", RCP_NEWS2_2017),
    MonitoringRow("total 0", 0, False, 12 * 60, "at least every 12 hours", RCP_NEWS2_2017),
)


def rcp_row(news2_result: Mapping[str, Any]) -> MonitoringRow:
    total = int(news2_result["total"])
    single = bool(news2_result["single_parameter_3"])
    for row in MONITORING:
        if row.minimum_total is not None and total >= row.minimum_total:
            return row
        if row.single_parameter_3 and single:
            return row
    raise AssertionError("the total-0 row applies to every score")


def schedule(
    news2_result: Mapping[str, Any] | None, clinic_interval_minutes: int
) -> dict[str, Any]:
    """The interval to observe at: the stricter of the RCP frequency and the clinic's interval.

    Without a recovery set yet, the clinic's interval applies."""
    if news2_result is None:
        return {
            "interval_minutes": clinic_interval_minutes,
            "continuous": False,
            "rcp": None,
            "rcp_interval_minutes": None,
            "clinic_interval_minutes": clinic_interval_minutes,
            "stricter": "clinic",
            "sources": [],
        }
    row = rcp_row(news2_result)
    continuous = row.interval_minutes is None
    if row.interval_minutes is not None and row.interval_minutes < clinic_interval_minutes:
        interval, stricter = row.interval_minutes, "rcp"
    else:
        interval, stricter = clinic_interval_minutes, "rcp" if continuous else "clinic"
    return {
        "interval_minutes": interval,
        "continuous": continuous,
        "rcp": f"NEWS2 {row.trigger}: {row.label}",
        "rcp_interval_minutes": row.interval_minutes,
        "clinic_interval_minutes": clinic_interval_minutes,
        "stricter": stricter,
        "sources": [row.source_id],
    }
