"""Vertebroplasty or kyphoplasty: what the sources say, as information, never as a choice.

The criteria sets do not choose between the two procedures: NICE TA279 recommends both (balloon
kyphoplasty without stenting) under the same criteria, and LCD L38201 covers both. The case facts
the considerations touch on are shown beside them without judgement.
"""

from __future__ import annotations

from typing import Any

from spinepath.clinical.candidacy.context import CaseContext
from spinepath.clinical.sources.candidacy import (
    CMS_LCD_L38201,
    NICE_TA279,
    PAPANASTASSIOU_2012,
)

CONSIDERATIONS: tuple[dict[str, Any], ...] = (
    {
        "topic": "same_criteria",
        "text": (
            "The criteria do not choose: NICE TA279 recommends vertebroplasty and balloon "
            "kyphoplasty without stenting as options under the same conditions, and LCD L38201 "
            "covers both."
        ),
        "sources": [NICE_TA279, CMS_LCD_L38201],
    },
    {
        "topic": "pain_relief",
        "text": (
            "Pain relief: a systematic review of controlled studies found no difference in pain "
            "reduction between balloon kyphoplasty and vertebroplasty."
        ),
        "sources": [PAPANASTASSIOU_2012],
    },
    {
        "topic": "height_and_kyphosis",
        "text": (
            "Height and kyphosis: kyphoplasty inflates a balloon in the vertebral body before the "
            "cement and may restore some height; the same review found greater kyphosis "
            "reduction with kyphoplasty (4.8° against 1.7°)."
        ),
        "sources": [PAPANASTASSIOU_2012],
    },
    {
        "topic": "cement_leakage",
        "text": "Cement leakage was less frequent with kyphoplasty in the same review.",
        "sources": [PAPANASTASSIOU_2012],
    },
)


def considerations(ctx: CaseContext) -> dict[str, Any]:
    return {
        "note": "Information from the sources, not a recommendation: the physician chooses.",
        "items": [dict(item) for item in CONSIDERATIONS],
        "case_facts": {
            path: value
            for f in ctx.fractures
            for path, value in (
                (f.at("level"), f.fracture.level),
                (f.at("height_loss_percent"), f.fracture.height_loss_percent),
                (f.at("kyphotic_deformity"), f.fracture.kyphotic_deformity),
            )
        },
    }
