"""Calculator use cases: list the instruments, describe one, run one on raw JSON input.

Nothing here touches a patient record, so nothing is audited: the input arrives, the pure
instrument computes, the result goes back. Every adapter (API, command line, web) calls these
functions, so all three give the same result and the same field errors for the same input.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from spinepath import jsonread
from spinepath.clinical.instruments import Instrument, of_score, sins
from spinepath.clinical.instruments.registry import INSTRUMENTS, UnknownInstrument, get_instrument
from spinepath.clinical.sources import get_source
from spinepath.errors import DomainError

INPUT_FIELD = "(input)"


class UnknownCalculator(DomainError):
    """No instrument has this name (a 404 on the API; exit 2 on the command line)."""

    status = 404
    title = "Not found"

    def __init__(self, name: str) -> None:
        super().__init__(f"no calculator {name!r}; known calculators: {', '.join(names())}")
        self.name = name


def names() -> list[str]:
    """The instrument names, in the registry's order."""
    return list(INSTRUMENTS)


def _instrument(name: str) -> Instrument:
    try:
        return get_instrument(name)
    except UnknownInstrument:
        raise UnknownCalculator(name) from None


def describe(instrument: Instrument) -> dict[str, Any]:
    return {
        "name": instrument.name,
        "title": instrument.title,
        "edition": instrument.edition,
        "sources": [get_source(source_id).as_dict() for source_id in instrument.source_ids],
        "formula": instrument.formula,
        "note": instrument.note,
        "input_schema": instrument.input_schema(),
    }


def list_calculators() -> list[dict[str, Any]]:
    """Every instrument with its title, edition, resolved sources, formula, note and schema."""
    return [describe(instrument) for instrument in INSTRUMENTS.values()]


def get_calculator(name: str) -> dict[str, Any]:
    """One instrument's description; raises :class:`UnknownCalculator`."""
    return describe(_instrument(name))


def choice_meanings(name: str) -> dict[str, dict[str, tuple[str, str]]]:
    """What the coded answers of an instrument's input mean, and the points each scores.

    Field → answer → (meaning, signed points or ""), read from the instruments' own tables for
    the inputs whose schema gives only codes (SINS components, OF score health penalties).
    """
    _instrument(name)
    if name == sins.INSTRUMENT.name:
        return {
            field: {row.value: (row.meaning, _signed(row.points)) for row in table}
            for field, table in sins.COMPONENT_TABLES.items()
        }
    if name == of_score.INSTRUMENT.name:
        meanings = of_score.HEALTH_PENALTY_MEANINGS
        return {"health_penalties": {value: (text, "") for value, text in meanings.items()}}
    return {}


def _signed(points: int) -> str:
    return f"{points:+d}".replace("-", "−") if points else "0"


def run_calculator(name: str, raw: Mapping[str, Any] | Any) -> dict[str, Any]:
    """The instrument's result for ``raw`` (parsed JSON).

    Raises :class:`UnknownCalculator`, or ``InvalidInput`` naming every invalid field.
    """
    return _instrument(name).run(raw)


def run_calculator_json(name: str, text: str | bytes) -> dict[str, Any]:
    """As :func:`run_calculator`, on a JSON document: the name is checked before the JSON."""
    instrument = _instrument(name)
    return instrument.run(parse_json(text))


def parse_json(text: str | bytes) -> Any:
    """Decode a JSON document; malformed JSON is an ``InvalidInput`` on ``(input)``."""
    return jsonread.loads(text, field=INPUT_FIELD, max_bytes=None)
