"""SINS and the OF score as the case feeds them; vertebroplasty vs kyphoplasty as information."""

from __future__ import annotations

from typing import Any

from spinepath.clinical.sources import get_source

from .builders import case, fracture, run

LESION = {
    "pain": "mechanical",
    "lesion": "lytic",
    "alignment": "normal",
    "collapse": "under_50",
    "posterolateral": "none",
}


def neoplastic(level: str, sins: dict[str, Any]) -> dict[str, Any]:
    return case(
        {
            "fractures": [
                fracture(level=level, etiology="neoplastic", osteolytic_lesion=True, sins=sins)
            ]
        }
    )


def test_sins_takes_the_fractures_level_when_it_has_none():
    # T12 is junctional (3): 3 + 3 + 2 + 0 + 2 + 0 = 10
    score = run(neoplastic("T12", LESION))["scores"][0]
    assert score["sins"]["level"] == "T12"
    assert score["sins"]["total"] == 10
    assert score["sins"]["instrument"] == "sins"
    assert score["sins_used"] is True


def test_sins_with_the_same_level_given_is_accepted():
    score = run(neoplastic("T8", {**LESION, "level": "t8"}))["scores"][0]
    # T8 is semi-rigid (1): 1 + 3 + 2 + 0 + 2 + 0 = 8
    assert score["sins"]["total"] == 8


def test_the_of_score_is_fed_from_the_case_and_says_what_it_did_not_know():
    raw = case(
        {
            "fractures[0].of_type": 3,
            "fractures[0].height_loss_progression": True,
            "pain.nrs": 4,
            "screening.neurological_deficit": False,
        }
    )
    score = run(raw)["scores"][0]
    assert score["of_input"] == {
        "of_type": 3,
        "t_score_below_minus_3": None,
        "deformity_progression": True,
        "pain_vas_5_or_more": False,
        "neurological_deficit": False,
        "mobilisation_possible": None,
        "health_penalties": None,
    }
    assert score["of_unknown_items"] == [
        "t_score_below_minus_3",
        "mobilisation_possible",
        "health_penalties",
    ]
    # 2 × 3 + 1 (progression) − 1 (pain < 5) = 6: either
    assert score["of_score"]["total"] == 6
    assert score["of_score"]["recommendation"] == "either"
    assert "count 0" in score["of_note"]


def test_the_of_score_is_only_for_osteoporotic_fractures():
    raw = case({"fractures[0].of_type": 3, "fractures[0].etiology": "traumatic"})
    score = run(raw)["scores"][0]
    assert score["of_score"] is None
    assert "osteoporotic" in score["of_note"]


def test_procedure_considerations_are_information_with_sources():
    block = run(case())["procedure_considerations"]
    assert "not a recommendation" in block["note"]
    topics = [item["topic"] for item in block["items"]]
    assert topics == ["same_criteria", "pain_relief", "height_and_kyphosis", "cement_leakage"]
    for item in block["items"]:
        for source in item["sources"]:
            get_source(source)
    assert block["case_facts"]["fractures[0].height_loss_percent"] == 30
    assert block["case_facts"]["fractures[0].kyphotic_deformity"] is True


def test_the_procedure_considerations_never_change_with_the_case():
    # They inform; they do not pick a procedure for this patient.
    a = run(case())["procedure_considerations"]["items"]
    b = run(case({"fractures[0].height_loss_percent": 60}))["procedure_considerations"]["items"]
    assert a == b
