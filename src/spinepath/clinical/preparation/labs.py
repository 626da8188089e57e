"""Pre-procedure labs for a high bleeding-risk procedure (SIR 2019 Part II).

INR and platelet count are checked routinely. INR must be at or below the clinic's threshold
(1.8 by default, 1.5 selectable: SIR gives "correct to within 1.5-1.8"); platelets at or above
50 x 10^9/L (SIR: transfuse below 50). With chronic liver disease SIR gives its own thresholds:
INR below 2.5, platelets above 30 x 10^9/L, fibrinogen above 100 mg/dL. A missing value is
flagged, never assumed normal. SIR also recommends a haemoglobin, with no threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from spinepath.clinical.sources.preparation import SIR_2019

INR_THRESHOLDS = (1.8, 1.5)  # SIR 2019: "correct to within 1.5-1.8"; 1.8 is the default
DEFAULT_INR_THRESHOLD = 1.8
PLATELETS_MIN_10E9_PER_L = 50.0
LIVER_INR_BELOW = 2.5
LIVER_PLATELETS_ABOVE_10E9_PER_L = 30.0
LIVER_FIBRINOGEN_ABOVE_MG_DL = 100.0

Comparison = Literal["<=", ">=", "<", ">"]


@dataclass(frozen=True)
class LabRule:
    test: str
    comparison: Comparison
    limit: float
    unit: str
    row: str

    def passes(self, value: float) -> bool:
        if self.comparison == "<=":
            return value <= self.limit
        if self.comparison == ">=":
            return value >= self.limit
        if self.comparison == "<":
            return value < self.limit
        return value > self.limit

    @property
    def threshold(self) -> str:
        return f"{self.comparison} {self.limit:g}"


def lab_rules(inr_threshold: float, chronic_liver_disease: bool) -> tuple[LabRule, ...]:
    if chronic_liver_disease:
        row = "SIR 2019 Part II, high bleeding risk, chronic liver disease"
        return (
            LabRule("inr", "<", LIVER_INR_BELOW, "", row),
            LabRule("platelets", ">", LIVER_PLATELETS_ABOVE_10E9_PER_L, "10^9/L", row),
            LabRule("fibrinogen", ">", LIVER_FIBRINOGEN_ABOVE_MG_DL, "mg/dL", row),
        )
    row = "SIR 2019 Part II, high bleeding risk"
    return (
        LabRule("inr", "<=", inr_threshold, "", row),
        LabRule("platelets", ">=", PLATELETS_MIN_10E9_PER_L, "10^9/L", row),
    )


def check_labs(
    values: dict[str, float | None], *, inr_threshold: float, chronic_liver_disease: bool
) -> list[dict[str, Any]]:
    """One entry per required test: value, threshold, status ok / out_of_range / missing."""
    results: list[dict[str, Any]] = []
    for rule in lab_rules(inr_threshold, chronic_liver_disease):
        value = values.get(rule.test)
        status = "missing" if value is None else "ok" if rule.passes(value) else "out_of_range"
        results.append(
            {
                "test": rule.test,
                "value": value,
                "threshold": rule.threshold,
                "unit": rule.unit,
                "status": status,
                "flagged": status != "ok",
                "rule": rule.row,
                "source": SIR_2019,
            }
        )
    return results
