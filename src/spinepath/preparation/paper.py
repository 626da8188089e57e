"""The paper size of the printed plan: US Letter where Letter is the usual size, else A4.

The clinic's locale (BCP 47, e.g. ``en-US``) names the region; without one, the region of the
clinic's time zone is read from the time-zone table (``zone.tab``) of the system or of the
``tzdata`` package, when one is there; otherwise A4.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

# Regions where Letter is the usual office paper.
LETTER_REGIONS = frozenset({"US", "CA", "MX", "PH", "CL", "CO", "VE", "PR"})
def _zone_tables() -> tuple[Path, ...]:
    tables = [Path("/usr/share/zoneinfo/zone.tab"), Path("/usr/share/zoneinfo/zone1970.tab")]
    try:
        import tzdata  # shipped with zoneinfo's fallback data on many installs
    except ImportError:
        return tuple(tables)
    return (*tables, Path(tzdata.__file__).parent / "zoneinfo" / "zone.tab")


def region_of_locale(locale: str | None) -> str | None:
    """ "en-US" → "US"; "fr_CA" → "CA"; "en" → None."""
    if not locale:
        return None
    for part in locale.replace("_", "-").split("-")[1:]:
        if len(part) == 2 and part.isalpha():
            return part.upper()
    return None


@cache
def _zone_regions() -> dict[str, str]:
    regions: dict[str, str] = {}
    for table in _zone_tables():
        if not table.is_file():
            continue
        for line in table.read_text(encoding="utf-8").splitlines():
            if line.startswith("#") or not line.strip():
                continue
            fields = line.split("\t")
            if len(fields) >= 3:
                regions.setdefault(fields[2], fields[0].split(",")[0])
    return regions


def paper_size(locale: str | None, time_zone: str) -> str:
    """ "Letter" or "A4" for the clinic."""
    region = region_of_locale(locale) or _zone_regions().get(time_zone)
    return "Letter" if region in LETTER_REGIONS else "A4"
