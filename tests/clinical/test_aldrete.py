"""Modified Aldrete score (Aldrete 1995): five items of 0-2 points, discharge from phase I at ≥ 9.

The scoring it shares with the modified PADSS is tested in test_item_point_scores.py; these
are the checks of its own wording.
"""

from __future__ import annotations

from spinepath.clinical.instruments.aldrete import INSTRUMENT, ITEMS


def test_circulation_is_pinned_to_percent_of_the_pre_anaesthetic_level() -> None:
    # Sources disagree (mmHg or %); the 1970 percent wording, kept in 1995, is pinned.
    circulation = next(item for item in ITEMS if item.field == "circulation")
    assert "±20 % of the pre-anaesthetic level" in circulation.levels[0]
    assert circulation.source_id == "aldrete-kroulik-1970"
    assert "mmHg" in INSTRUMENT.formula  # the other reading is named, not silently dropped


def test_oxygen_saturation_item_is_the_1995_spo2_wording() -> None:
    oxygen = next(item for item in ITEMS if item.field == "oxygen_saturation")
    assert oxygen.levels == (
        "keeps SpO2 above 92 % on room air",
        "needs supplemental oxygen to keep SpO2 above 90 %",
        "SpO2 below 90 % even with supplemental oxygen",
    )
