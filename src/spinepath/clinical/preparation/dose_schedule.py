"""Dosing frequency, dose counts in hours, and the patient's usual dose times on the clock.

All arithmetic on moments is done in UTC: a rule of 48 hours means 48 elapsed hours, also across
a daylight-saving change. Usual dose times ("08:00") are wall-clock times in the plan's time
zone. A wall-clock time that happens twice (the autumn change) or not at all (the spring change)
is resolved to the interpretation that keeps the patient safe: the later moment when checking
that a last dose is early enough, the earlier moment when checking that a restart is late enough.

(Python compares and subtracts two datetimes that share a tzinfo by their wall clocks, ignoring
the offset; that is why every comparison here goes through UTC.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Frequency:
    """A parsed dosing frequency. ``doses_per_day`` is 1/7 for weekly medicines."""

    doses_per_day: float | None
    weekly: bool = False
    as_needed: bool = False

    @property
    def interval_hours(self) -> float | None:
        """Hours between two scheduled doses (24 for once daily, 12 for twice daily)."""
        if self.doses_per_day is None:
            return None
        return 24 / self.doses_per_day

    @property
    def label(self) -> str:
        if self.doses_per_day is None:
            return "as needed" if self.as_needed else "unknown"
        if self.weekly:
            return "weekly"
        names = {1: "once daily", 2: "twice daily", 3: "three times daily", 4: "four times daily"}
        base = names.get(int(self.doses_per_day), f"every {self.interval_hours:g} hours")
        return f"{base}, as needed" if self.as_needed else base


_EVERY_HOURS = re.compile(r"\b(?:every|q)\s*(\d+)\s*(?:h|hr|hrs|hour|hours)\b")
_PATTERNS: tuple[tuple[re.Pattern[str], float], ...] = (
    (re.compile(r"\b(four times|4 times|4x|qid)\b"), 4),
    (re.compile(r"\b(three times|3 times|3x|thrice|tid)\b"), 3),
    (re.compile(r"\b(twice|two times|2 times|2x|bid)\b"), 2),
    (
        re.compile(
            r"\b(once daily|once a day|1 time|daily|every day|each day|per day|a day|qd|od|"
            r"nightly|at night|at bedtime|qhs|qam|qpm|every morning|every evening|"
            r"every night|in the morning|in the evening)\b"
        ),
        1,
    ),
)
_WEEKLY = re.compile(r"\b(weekly|once a week|every week|a week|per week|every 7 days|qweek|qwk)\b")
_AS_NEEDED = re.compile(r"\b(prn|as needed|when needed|if needed)\b")


def parse_frequency(text: str | None) -> Frequency | None:
    """Understand common English and Latin dosing phrases; None when nothing is understood."""
    if not text:
        return None
    phrase = " " + re.sub(r"\s+", " ", text.lower().replace(".", "").replace("-", " ")) + " "
    as_needed = _AS_NEEDED.search(phrase) is not None
    if _WEEKLY.search(phrase):
        if any(pattern.search(phrase) for pattern, per_day in _PATTERNS if per_day > 1):
            return None  # "twice weekly": not a schedule this planner counts doses for
        return Frequency(1 / 7, weekly=True, as_needed=as_needed)
    every = _EVERY_HOURS.search(phrase)
    if every is not None and int(every.group(1)) > 0:
        return Frequency(24 / int(every.group(1)), as_needed=as_needed)
    for pattern, per_day in _PATTERNS:
        if pattern.search(phrase):
            return Frequency(per_day, as_needed=as_needed)
    if as_needed:
        return Frequency(None, as_needed=True)
    return None


def doses_to_hours(doses: float, frequency: Frequency) -> float | None:
    """``doses`` scheduled doses in elapsed hours (apixaban 4 doses twice daily = 48 h)."""
    interval = frequency.interval_hours
    if interval is None or frequency.as_needed:
        return None
    return doses * interval


def parse_clock_time(text: str) -> time:
    """``"08:00"`` or ``"8:30"`` (24-hour clock) → time; ValueError otherwise ("25:00")."""
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a time of day on the 24-hour clock (HH:MM, 00:00-23:59)")
    return time(int(match.group(1)), int(match.group(2)))


def _instants(day: date, clock: time, zone: tzinfo) -> tuple[datetime, datetime]:
    """The UTC moments a wall-clock time can mean (two differ only at a DST change)."""
    first = datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)
    second = datetime.combine(day, clock, tzinfo=zone).replace(fold=1).astimezone(UTC)
    return (min(first, second), max(first, second))


def local_instant(day: date, clock: time, zone: tzinfo, *, latest: bool) -> datetime:
    """The wall-clock time on ``day`` as an aware datetime in ``zone`` (latest or earliest)."""
    early, late = _instants(day, clock, zone)
    return (late if latest else early).astimezone(zone)


def start_of_day(day: date, zone: tzinfo) -> datetime:
    """Local midnight at the start of ``day`` (the earliest moment of that calendar day)."""
    return local_instant(day, time(0, 0), zone, latest=False)


def shift_hours(moment: datetime, hours: float, zone: tzinfo) -> datetime:
    """``moment`` moved by elapsed hours (negative: earlier), shown in ``zone``."""
    return (moment.astimezone(UTC) + timedelta(hours=hours)).astimezone(zone)


def hours_between(earlier: datetime, later: datetime) -> float:
    return (later.astimezone(UTC) - earlier.astimezone(UTC)).total_seconds() / 3600


def last_usual_dose_at_or_before(
    deadline: datetime,
    zone: tzinfo,
    dose_times: tuple[time, ...],
    weekday: int | None = None,
) -> datetime | None:
    """The latest usual dose time (in ``zone``) whose moment is at or before ``deadline``.

    ``weekday`` (0 = Monday) restricts the search to one day of the week, for weekly medicines.
    """
    if not dose_times:
        return None
    limit = deadline.astimezone(UTC)
    day = deadline.astimezone(zone).date() + timedelta(days=1)
    for _ in range(16):
        if weekday is None or day.weekday() == weekday:
            for clock in sorted(dose_times, reverse=True):
                _, late = _instants(day, clock, zone)
                if late <= limit:
                    return late.astimezone(zone)
        day -= timedelta(days=1)
    return None


def first_usual_dose_at_or_after(
    moment: datetime,
    zone: tzinfo,
    dose_times: tuple[time, ...],
    weekday: int | None = None,
) -> datetime | None:
    """The earliest usual dose time (in ``zone``) whose moment is at or after ``moment``."""
    if not dose_times:
        return None
    limit = moment.astimezone(UTC)
    day = moment.astimezone(zone).date() - timedelta(days=1)
    for _ in range(16):
        if weekday is None or day.weekday() == weekday:
            for clock in sorted(dose_times):
                early, _ = _instants(day, clock, zone)
                if early >= limit:
                    return early.astimezone(zone)
        day += timedelta(days=1)
    return None
