"""Criteria sets are named, versioned and chosen by the clinic; a new set adds without edits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from spinepath.clinical.candidacy import (
    CRITERIA_SETS,
    DEFAULT_SETS,
    UnknownCriteriaSet,
    evaluate_case,
    register,
)
from spinepath.clinical.candidacy.context import CaseContext
from spinepath.clinical.candidacy.contraindications import LCD_L38201
from spinepath.clinical.candidacy.criteria import (
    Classification,
    CriteriaSet,
    SetResult,
    Threshold,
    criterion,
    fact,
    known,
    set_result,
)
from spinepath.clinical.candidacy.registry import unregister
from spinepath.clinical.errors import InvalidInput
from spinepath.clinical.sources import get_source

from .builders import case, run


def test_the_two_sets_of_issue_4_are_registered_with_title_edition_and_sources():
    assert list(CRITERIA_SETS) == ["cms_lcd_l38201", "nice_ta279"]
    for criteria_set in CRITERIA_SETS.values():
        assert criteria_set.title and criteria_set.edition
        for source in criteria_set.source_ids:
            get_source(source)
        described = criteria_set.describe()
        assert described["name"] == criteria_set.name
        for threshold in described["thresholds"]:
            get_source(threshold["source"])


def test_by_default_every_registered_set_is_applied():
    assert list(run(case())["criteria_sets"]) == list(DEFAULT_SETS)


def test_a_clinic_chooses_which_sets_to_apply_and_their_order():
    assert list(run(case(), ("nice_ta279",))["criteria_sets"]) == ["nice_ta279"]
    both = run(case(), ("nice_ta279", "cms_lcd_l38201"))
    assert list(both["criteria_sets"]) == ["nice_ta279", "cms_lcd_l38201"]


def test_an_unknown_set_is_a_named_error():
    with pytest.raises(UnknownCriteriaSet) as caught:
        evaluate_case(case(), criteria_sets=("cms_lcd_l38201", "bcbs_2024"))
    assert isinstance(caught.value, InvalidInput)
    assert [e.field for e in caught.value.errors] == ["criteria_sets.1"]
    assert "bcbs_2024" in caught.value.errors[0].message


def test_no_set_and_a_set_twice_are_errors():
    with pytest.raises(UnknownCriteriaSet):
        evaluate_case(case(), criteria_sets=())
    with pytest.raises(UnknownCriteriaSet):
        evaluate_case(case(), criteria_sets=("nice_ta279", "nice_ta279"))


def test_a_single_name_is_taken_as_one_set():
    assert list(evaluate_case(case(), criteria_sets="nice_ta279")["criteria_sets"]) == [
        "nice_ta279"
    ]


# A made-up payer rule for this test only: "VAS ≥ 7" (as some commercial payers write), pain
# scored on the NRS here. It shows the shape of a new set, not a clinical rule.
TOY_VAS = Threshold("toy_vas", 7, ">=", "toy payer: pain ≥ 7", "cms-lcd-l38201", "U")


def _toy_evaluate(ctx: CaseContext) -> SetResult:
    nrs = ctx.case.pain.nrs
    finding = fact("pain.nrs", None) if nrs is None else known(TOY_VAS.holds(nrs))
    return set_result(
        [criterion("pain", "pain ≥ 7", finding, "toy", {"pain.nrs": nrs}, "cms-lcd-l38201")],
        applies=True,
        scope="any",
    )


TOY = CriteriaSet(
    name="toy_payer",
    title="A toy payer's set (test only)",
    edition="test",
    source_ids=("cms-lcd-l38201",),
    evaluate=_toy_evaluate,
    contraindications={
        **LCD_L38201,
        "pregnancy": Classification("relative", ("cms-lcd-l38213",), "pregnancy"),
    },
    thresholds=(TOY_VAS,),
)


@pytest.fixture
def toy() -> Iterator[CriteriaSet]:
    register(TOY)
    try:
        yield TOY
    finally:
        unregister(TOY.name)


def test_a_new_payer_set_is_added_without_touching_the_others(toy: CriteriaSet):
    raw = case({"patient.pregnant": True})
    before = run(raw, ("cms_lcd_l38201", "nice_ta279"))
    with_toy = run(raw, ("cms_lcd_l38201", "nice_ta279", "toy_payer"))
    for name in ("cms_lcd_l38201", "nice_ta279"):
        assert with_toy["criteria_sets"][name] == before["criteria_sets"][name]
    assert with_toy["criteria_sets"]["toy_payer"]["status"] == "met"
    # the toy set keeps its own classification of pregnancy, with its source
    assert with_toy["criteria_sets"]["toy_payer"]["contraindications"]["relative"] == ["pregnancy"]
    alone = run(raw, ("toy_payer",))
    assert alone["contraindications"]["relative"] == ["pregnancy"]
    assert alone["recommendation"]["action"] == "refer_for_vertebral_augmentation"


def test_a_name_cannot_be_registered_twice(toy: CriteriaSet):
    with pytest.raises(ValueError, match="already exists"):
        register(toy)


def test_every_source_the_result_cites_is_registered():
    sins: dict[str, Any] = {
        "pain": "mechanical",
        "lesion": "lytic",
        "alignment": "normal",
        "collapse": "none",
        "posterolateral": "none",
    }
    for raw in (
        case(),
        case({"fractures[0].of_type": 3}),
        case({"fractures[0].etiology": "neoplastic", "fractures[0].sins": sins}),
    ):
        result = run(raw)
        assert result["sources"]
        for source in result["sources"]:
            get_source(source)
