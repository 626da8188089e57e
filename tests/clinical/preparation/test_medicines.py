"""Recognising medicines by generic name, brand name and verified RxNorm code."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from spinepath.clinical.preparation.medicines import BY_ID, MEDICINES, RXNORM, recognise

SYNTHEA = Path(__file__).resolve().parents[3].parent / "shared" / "fixtures" / "synthea"

BRANDS = [
    ("Eliquis", "apixaban"),
    ("Xarelto", "rivaroxaban"),
    ("Pradaxa", "dabigatran"),
    ("Savaysa", "edoxaban"),
    ("Lixiana", "edoxaban"),
    ("Coumadin", "warfarin"),
    ("Jantoven", "warfarin"),
    ("Plavix", "clopidogrel"),
    ("Effient", "prasugrel"),
    ("Brilinta", "ticagrelor"),
    ("Lovenox", "enoxaparin"),
    ("Fragmin", "dalteparin"),
    ("Arixtra", "fondaparinux"),
    ("Pletal", "cilostazol"),
    ("Aggrenox", "aspirin_dipyridamole"),
    ("Advil", "ibuprofen"),
    ("Motrin", "ibuprofen"),
    ("Aleve", "naproxen"),
    ("Naprosyn", "naproxen"),
    ("Celebrex", "celecoxib"),
    ("Mobic", "meloxicam"),
    ("Voltaren", "diclofenac"),
    ("Toradol", "ketorolac"),
    ("Ozempic", "semaglutide"),
    ("Mounjaro", "tirzepatide"),
    ("Fosamax", "alendronate"),
    ("Synthroid", "levothyroxine"),
]


@pytest.mark.parametrize(("brand", "expected"), BRANDS)
def test_common_brands_are_recognised(brand: str, expected: str) -> None:
    found = recognise(brand)
    assert found.medicine is not None
    assert found.medicine.id == expected
    assert found.matched_by == "brand"


@pytest.mark.parametrize(
    "text",
    [
        "Eliquis 5 mg tablet",
        "ELIQUIS",
        "eliquis 2.5mg BID",
        "apixaban (Eliquis) 5 mg twice daily",
        "Apixaban 5 MG Oral Tablet",
        "  eliquis  ",
    ],
)
def test_case_and_strength_text_do_not_matter(text: str) -> None:
    found = recognise(text)
    assert found.medicine is not None and found.medicine.id == "apixaban"
    assert found.unknown_words == ()


def test_every_table_name_and_brand_recognises_its_own_medicine() -> None:
    for medicine in MEDICINES:
        for phrase in (*medicine.names, *medicine.brands):
            found = recognise(phrase)
            assert found.medicine is not None, phrase
            assert found.medicine.id == medicine.id, phrase


def test_salt_names_belong_to_the_medicine_before_them() -> None:
    assert recognise("Warfarin Sodium 5 MG Oral Tablet").medicine == BY_ID["warfarin"]
    statin = recognise("atorvastatin calcium 20 mg")
    assert statin.medicine == BY_ID["atorvastatin"] and statin.components == ()


def test_a_name_with_words_the_planner_does_not_know_reports_them() -> None:
    found = recognise("Tylenol PM")
    assert found.medicine == BY_ID["acetaminophen"]
    assert found.unknown_words == ("pm",)
    combo = recognise("Acetaminophen 21.7 MG/ML / Dextromethorphan 1 MG/ML Oral Solution")
    assert combo.medicine == BY_ID["acetaminophen"]
    assert "dextromethorphan" in combo.unknown_words


def test_a_known_combination_is_recognised_in_either_order() -> None:
    for text in (
        "Acetaminophen 325 MG / HYDROcodone Bitartrate 7.5 MG Oral Tablet",
        "hydrocodone/acetaminophen 5/325",
        "Norco 5/325",
    ):
        found = recognise(text)
        assert found.medicine == BY_ID["hydrocodone_acetaminophen"], text
        assert found.unknown_words == (), text


def test_two_medicines_in_one_line_are_a_combination_not_one_of_them() -> None:
    found = recognise("aspirin 325 mg / acetaminophen 250 mg")
    assert found.medicine is None
    assert set(found.components) == {"aspirin", "acetaminophen"}


def test_the_known_combination_aspirin_with_dipyridamole() -> None:
    assert recognise("aspirin/dipyridamole 25/200 mg").medicine == BY_ID["aspirin_dipyridamole"]


def test_unknown_text_is_not_recognised() -> None:
    found = recognise("Zyxoral 10 mg")
    assert found.medicine is None and found.unknown_words == ("zyxoral",)


def test_rxnorm_code_is_used_when_the_name_is_not_recognised() -> None:
    found = recognise("Coumadn 5", "855332")
    assert found.medicine == BY_ID["warfarin"]
    assert found.matched_by == "rxnorm"


def test_the_name_wins_over_a_disagreeing_code() -> None:
    found = recognise("Xarelto 20 mg", "855332")
    assert found.medicine == BY_ID["rivaroxaban"]
    assert any("the name was used" in note for note in found.notes)


def test_an_unverified_code_is_ignored_with_a_note() -> None:
    found = recognise("", "1364445")
    assert found.medicine is None
    assert any("not in the planner's verified code list" in note for note in found.notes)


def _synthea_codings() -> dict[str, str]:
    codings: dict[str, str] = {}
    for bundle_path in sorted(SYNTHEA.glob("*.json.gz")):
        bundle: dict[str, Any] = json.loads(gzip.decompress(bundle_path.read_bytes()))
        for entry in bundle["entry"]:
            concept = entry["resource"].get("medicationCodeableConcept") or {}
            for coding in concept.get("coding", []):
                if "rxnorm" in coding.get("system", ""):
                    codings[coding["code"]] = coding["display"]
    return codings


@pytest.mark.skipif(not SYNTHEA.is_dir(), reason="shared Synthea fixtures not present")
def test_every_rxnorm_code_in_the_table_is_verified_in_the_synthea_fixtures() -> None:
    fixture = _synthea_codings()
    assert RXNORM, "the table lists no codes"
    for code, (_, display) in RXNORM.items():
        assert fixture.get(code) == display, code


@pytest.mark.skipif(not SYNTHEA.is_dir(), reason="shared Synthea fixtures not present")
def test_synthea_medicine_codings_are_recognised_or_left_for_review() -> None:
    fixture = _synthea_codings()
    assert recognise(fixture["855332"], "855332").medicine == BY_ID["warfarin"]
    assert recognise(fixture["904419"], "904419").medicine == BY_ID["alendronate"]
    assert recognise(fixture["849574"], "849574").medicine == BY_ID["naproxen"]
    # Verapamil, digoxin and meperidine are recognised by name (their codes are not listed).
    named = (("897718", "verapamil"), ("197604", "digoxin"), ("861467", "meperidine"))
    for code, medicine in named:
        found = recognise(fixture[code], code)
        assert found.medicine == BY_ID[medicine]
        assert found.matched_by == "name"
