"""Summary statistics for outcome reports: median and quartiles from a frequency table.

Reports aggregate in the database: for each time point they fetch how many patients had each
value (a frequency table), never the patients' rows. Quartiles use Hyndman & Fan definition 7
(linear interpolation between order statistics; R's default, numpy's default, and Python's
``statistics.quantiles(method="inclusive")``): for n sorted values x[0..n-1] the p-quantile is
x[h] + (h − ⌊h⌋)(x[⌊h⌋+1] − x[⌊h⌋]) with h = (n − 1)p.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from spinepath.clinical.sources.follow_up import HYNDMAN_FAN_1996

METHOD = "Hyndman & Fan definition 7 (linear interpolation)"
METHOD_SOURCE = HYNDMAN_FAN_1996


@dataclass(frozen=True)
class Summary:
    n: int
    median: Fraction | None
    q1: Fraction | None
    q3: Fraction | None
    minimum: Fraction | None
    maximum: Fraction | None

    @property
    def iqr(self) -> Fraction | None:
        return None if self.q1 is None or self.q3 is None else self.q3 - self.q1


EMPTY = Summary(0, None, None, None, None, None)


def _value_at(ordered: list[tuple[Fraction, int]], index: int) -> Fraction:
    """The value at 0-based position ``index`` of the expanded sorted sequence."""
    seen = 0
    for value, count in ordered:
        seen += count
        if index < seen:
            return value
    raise IndexError(index)


def quantile(ordered: list[tuple[Fraction, int]], n: int, p: Fraction) -> Fraction:
    h = (n - 1) * p
    low = int(h)  # h ≥ 0, so int() is the floor
    fraction = h - low
    lower = _value_at(ordered, low)
    if fraction == 0:
        return lower
    return lower + fraction * (_value_at(ordered, low + 1) - lower)


def summarise_counts(counts: Mapping[int, int] | Iterable[tuple[int, int]]) -> Summary:
    """Median, quartiles and range of the values in a frequency table ``{value: count}``."""
    pairs = counts.items() if isinstance(counts, Mapping) else counts
    ordered = sorted((Fraction(value), int(count)) for value, count in pairs if count > 0)
    n = sum(count for _, count in ordered)
    if n == 0:
        return EMPTY
    return Summary(
        n=n,
        median=quantile(ordered, n, Fraction(1, 2)),
        q1=quantile(ordered, n, Fraction(1, 4)),
        q3=quantile(ordered, n, Fraction(3, 4)),
        minimum=ordered[0][0],
        maximum=ordered[-1][0],
    )


def summarise(values: Iterable[int]) -> Summary:
    counts: dict[int, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return summarise_counts(counts)


def scaled(value: Fraction | None, divisor: int = 1, places: int = 1) -> float | None:
    """A value for display, divided (ODI tenths → percent) and rounded half away from zero."""
    if value is None:
        return None
    exact = value / divisor
    step = Fraction(1, 10**places)
    units = exact / step
    rounded = int(units + Fraction(1, 2)) if units >= 0 else -int(-units + Fraction(1, 2))
    return float(rounded * step)


def percent(numerator: int, denominator: int) -> float | None:
    """numerator / denominator as a percentage to one decimal; None without a denominator."""
    if denominator <= 0:
        return None
    return scaled(Fraction(numerator * 100, denominator))
