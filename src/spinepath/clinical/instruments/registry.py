"""The list of instruments, by name."""

from __future__ import annotations

import importlib

from spinepath.clinical.instruments import Instrument

INSTRUMENT_MODULES = (
    "news2",
    "aldrete",
    "padss",
    "odi",
    "rmdq",
    "nrs_change",
    "morphometry",
    "sins",
    "of_score",
)


class UnknownInstrument(KeyError):
    pass


def _load() -> dict[str, Instrument]:
    loaded: dict[str, Instrument] = {}
    for module_name in INSTRUMENT_MODULES:
        try:
            module = importlib.import_module(f"spinepath.clinical.instruments.{module_name}")
        except ModuleNotFoundError:
            continue  # not written yet
        instrument: Instrument = module.INSTRUMENT
        loaded[instrument.name] = instrument
    return loaded


INSTRUMENTS: dict[str, Instrument] = _load()


def get_instrument(name: str) -> Instrument:
    try:
        return INSTRUMENTS[name]
    except KeyError:
        raise UnknownInstrument(name) from None
