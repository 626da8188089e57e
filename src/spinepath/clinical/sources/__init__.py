"""The registry of published sources that clinical results cite by id.

Each area keeps its own list in a module of this package; this registry joins them so an id can
be resolved anywhere (results, API, docs). Confidence is how sure we are that the encoded fact
matches the source: "P" read in the primary text or its official abstract, "S" from a secondary
copy, "U" not verified (such a rule is shown as not encoded rather than guessed).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Confidence = Literal["P", "S", "U"]


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    citation: str
    edition: str
    confidence: Confidence
    url: str = ""
    note: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def _collect() -> dict[str, Source]:
    from spinepath.clinical.sources import catalogue

    registry: dict[str, Source] = {}
    for source in catalogue.ALL_SOURCES:
        if source.id in registry:
            raise ValueError(f"duplicate source id {source.id}")
        registry[source.id] = source
    return registry


class UnknownSource(KeyError):
    pass


def get_source(source_id: str) -> Source:
    try:
        return _registry()[source_id]
    except KeyError:
        raise UnknownSource(source_id) from None


def all_sources() -> list[Source]:
    return sorted(_registry().values(), key=lambda s: s.id)


_CACHE: dict[str, Source] = {}


def _registry() -> dict[str, Source]:
    if not _CACHE:
        _CACHE.update(_collect())
    return _CACHE
