"""Modified PADSS (Marshall & Chung 1999): five items of 0-2 points, home-ready at ≥ 9.

The scoring it shares with the modified Aldrete score is tested in test_item_point_scores.py;
these are the checks of its own wording.
"""

from __future__ import annotations

from spinepath.clinical.instruments.padss import INSTRUMENT, ITEMS


def test_home_readiness_names_the_responsible_adult_escort() -> None:
    assert "responsible adult" in INSTRUMENT.formula
    assert "responsible adult" in INSTRUMENT.note


def test_pain_item_uses_the_nrs_bands_and_names_the_yes_no_variant() -> None:
    pain = next(item for item in ITEMS if item.field == "pain")
    assert [level.split("(")[-1] for level in pain.levels] == ["NRS 0-3)", "NRS 4-6)", "NRS 7-10)"]
    assert "acceptable to the patient (2) or not (1)" in INSTRUMENT.formula
