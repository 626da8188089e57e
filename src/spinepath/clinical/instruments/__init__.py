"""Clinical instruments: published scores and measurements, each exact to its source.

Each instrument is one module exposing ``INSTRUMENT``: an :class:`Instrument` with its name,
title, edition, source ids, a formula text for display, an input model (pydantic, extra fields
forbidden) and a pure ``compute`` returning a JSON-ready dict. Every result carries
``instrument``, ``edition`` and ``sources`` beside its own fields.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from spinepath.clinical.errors import parse_input


@dataclass(frozen=True)
class Instrument:
    name: str
    title: str
    edition: str
    source_ids: tuple[str, ...]
    formula: str
    input_model: type[BaseModel]
    compute: Callable[[Any], dict[str, Any]]
    note: str = ""

    def run(self, raw: Mapping[str, Any] | Any) -> dict[str, Any]:
        """Validate ``raw`` (raises InvalidInput naming every bad field) and compute."""
        parsed = parse_input(self.input_model, raw)
        result = self.compute(parsed)
        return {
            "instrument": self.name,
            "edition": self.edition,
            "sources": list(self.source_ids),
            **result,
        }

    def input_schema(self) -> dict[str, Any]:
        return self.input_model.model_json_schema()
