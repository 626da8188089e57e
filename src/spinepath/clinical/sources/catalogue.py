"""Every area's sources, joined. Each area owns one module in this package with a SOURCES list."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from spinepath.clinical.sources import Source

_HERE = Path(__file__).parent
_AREA_MODULES = sorted(
    info.name for info in pkgutil.iter_modules([str(_HERE)]) if info.name != "catalogue"
)


def _load() -> list[Source]:
    found: list[Source] = []
    for name in _AREA_MODULES:
        module = importlib.import_module(f"spinepath.clinical.sources.{name}")
        found.extend(getattr(module, "SOURCES", ()))
    return found


ALL_SOURCES: list[Source] = _load()
