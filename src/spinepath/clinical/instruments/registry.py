"""The list of instruments, by name."""

from __future__ import annotations

from spinepath.clinical.instruments import (
    Instrument,
    aldrete,
    morphometry,
    news2,
    nrs_change,
    odi,
    of_score,
    padss,
    rmdq,
    sins,
)

# Plain imports: a missing instrument module fails at start-up, it never silently vanishes.
_ALL: tuple[Instrument, ...] = (
    news2.INSTRUMENT,
    aldrete.INSTRUMENT,
    padss.INSTRUMENT,
    odi.INSTRUMENT,
    rmdq.INSTRUMENT,
    nrs_change.INSTRUMENT,
    morphometry.INSTRUMENT,
    sins.INSTRUMENT,
    of_score.INSTRUMENT,
)


class UnknownInstrument(KeyError):
    pass


INSTRUMENTS: dict[str, Instrument] = {instrument.name: instrument for instrument in _ALL}


def get_instrument(name: str) -> Instrument:
    try:
        return INSTRUMENTS[name]
    except KeyError:
        raise UnknownInstrument(name) from None
