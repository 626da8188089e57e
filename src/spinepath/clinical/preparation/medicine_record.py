"""One medicine the planner knows: its names, its class and, when no rule applies, why.

Shared by ``medicines.py`` (the blood-thinner, NSAID, supplement and GLP-1 rows and recognition)
and ``common_medicines.py`` (the table of medicines an older patient commonly takes).
"""

from __future__ import annotations

from dataclasses import dataclass

NO_RULE_SOURCES = "SIR 2019, ASRA 2018, ASA fasting"


@dataclass(frozen=True)
class Medicine:
    id: str
    display: str
    medicine_class: str
    names: tuple[str, ...]
    brands: tuple[str, ...] = ()
    rxnorm: tuple[tuple[str, str], ...] = ()  # (code, display text as verified)
    continue_reason: str = ""
    components: tuple[str, ...] = ()  # for fixed combinations, the component ids
    # Recognised, but a rule in a source could not be verified: clinician review, with the reason.
    review_reason: str = ""
    # Where the medicine's row was read (the list it comes from, the rule's source).
    source_ids: tuple[str, ...] = ()


def no_rule_continue(why: str) -> str:
    """The reason shown for a medicine with no periprocedural rule in the cited sources."""
    return (
        f"{why}. No periprocedural rule in the cited sources ({NO_RULE_SOURCES}): continue, "
        "keep taking it as usual."
    )


def not_verified(why: str) -> str:
    """The reason shown for a recognised medicine whose possible rule could not be verified."""
    return f"not encoded: could not be verified. {why}: clinician to decide"
