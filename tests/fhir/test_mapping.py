"""Reading FHIR resources into facts, without a server: codes, text, units, levels, statuses."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest

from spinepath.clinical.errors import InvalidInput
from spinepath.fhir import codes
from spinepath.fhir.mapping import map_resource
from spinepath.fhir.reading import Problems, parse_when
from spinepath.fhir.stream import Budget, ImportFile, is_ndjson, read_lines

ICD = codes.ICD10CM
SNOMED = codes.SNOMED


@pytest.mark.parametrize(
    ("coding", "text", "category", "etiology"),
    [
        ((ICD, "M80.08XA"), "", "vertebral_fracture", "osteoporotic"),
        ((ICD, "M80.88XD"), "", "vertebral_fracture", "osteoporotic"),
        ((ICD, "M80.051A"), "", "osteoporotic_fracture", "osteoporotic"),
        ((ICD, "M81.0"), "", "osteoporosis", None),
        ((ICD, "M48.56XA"), "", "vertebral_fracture", "unknown"),
        ((ICD, "M84.58XA"), "", "neoplastic_fracture", "neoplastic"),
        ((ICD, "S32.010A"), "", "vertebral_fracture", "traumatic"),
        ((ICD, "M46.25"), "", "infection", None),
        ((ICD, "C90.00"), "", "malignancy", None),
        ((SNOMED, "64859006"), "", "osteoporosis", None),
        ((SNOMED, "443165006"), "", "osteoporotic_fracture", "osteoporotic"),
        ((SNOMED, "65966004"), "Fracture of forearm", None, None),
        (
            None,
            "Osteoporotic compression fracture of L1 vertebra",
            "vertebral_fracture",
            "osteoporotic",
        ),
        (None, "Vertebral fracture, metastatic breast cancer", "vertebral_fracture", "neoplastic"),
        (None, "Discitis L4-L5", "infection", None),
        (None, "Hyperlipidemia", None, None),
    ],
)
def test_conditions_are_classified_by_code_then_text(
    coding: tuple[str, str] | None, text: str, category: str | None, etiology: str | None
) -> None:
    codings = [(coding[0], coding[1], "")] if coding else []
    found = codes.classify_condition(codings, text)
    assert (found.category if found else None, found.etiology if found else None) == (
        category,
        etiology,
    )


def test_a_level_is_read_only_when_exactly_one_is_named() -> None:
    assert codes.level_in_text("L1 vertebra") == "L1"
    assert codes.level_in_text("fracture of t 12") == "T12"
    assert codes.level_in_text("L1", "L1 vertebral body") == "L1"
    assert codes.level_in_text("L1 and L2") is None
    assert codes.level_in_text("L9") is None
    assert codes.level_in_text("lumbar spine") is None


@pytest.mark.parametrize(
    ("name", "value", "unit", "expected"),
    [
        ("temperature_c", 98.6, "[degF]", 37.0),
        ("temperature_c", 37.2, "Cel", 37.2),
        ("body_weight_kg", 154.0, "[lb_av]", 69.853225),
        ("platelets_10e9_per_l", 169.2, "10*3/uL", 169.2),
        ("creatinine_mg_dl", 88.4, "umol/L", 1.0),
        ("inr", 2.1, "{INR}", 2.1),
        ("spo2_percent", 0.95, "1", None),
    ],
)
def test_units_are_converted_to_the_canonical_unit_or_refused(
    name: str, value: float, unit: str, expected: float | None
) -> None:
    found = codes.to_canonical(codes.OBSERVATION_BY_NAME[name], value, unit)
    assert (round(found, 6) if found is not None else None) == expected


def _map(resource: dict[str, Any]) -> tuple[list[Any], list[Any], Problems]:
    problems = Problems()
    mapped = map_resource(resource, str(resource.get("id", "x")), "r", problems)
    return mapped.facts, mapped.skipped, problems


def test_a_blood_pressure_panel_gives_one_fact_per_known_component() -> None:
    panel = {
        "resourceType": "Observation",
        "id": "bp",
        "status": "final",
        "code": {"coding": [{"system": codes.LOINC, "code": "85354-9"}]},
        "effectiveDateTime": "2026-11-01T08:00:00Z",
        "component": [
            {
                "code": {"coding": [{"system": codes.LOINC, "code": code}]},
                "valueQuantity": {"value": value, "unit": "mm[Hg]", "code": "mm[Hg]"},
            }
            for code, value in (("8480-6", 132), ("8462-4", 84))
        ],
    }
    facts, skipped, problems = _map(panel)
    assert [(f.part, f.value_num, f.details["concept"]) for f in facts] == [
        ("8480-6", 132, "systolic_bp_mmhg"),
        ("8462-4", 84, "diastolic_bp_mmhg"),
    ]
    assert skipped == [] and not problems


def test_statuses_that_mean_a_mistake_are_skipped_with_the_reason() -> None:
    facts, skipped, _ = _map(
        {
            "resourceType": "MedicationRequest",
            "id": "m",
            "status": "entered-in-error",
            "intent": "order",
            "medicationCodeableConcept": {"text": "warfarin 5 mg"},
        }
    )
    assert facts == [] and skipped[0].reason == "status is entered-in-error"
    facts, skipped, _ = _map(
        {
            "resourceType": "Condition",
            "id": "c",
            "verificationStatus": {"coding": [{"code": "refuted"}]},
            "code": {"text": "osteoporosis"},
        }
    )
    assert facts == [] and skipped[0].reason == "verification status is refuted"


def test_a_medication_reference_is_resolved_inside_the_resource_or_the_import() -> None:
    contained = {
        "resourceType": "MedicationRequest",
        "id": "m",
        "status": "active",
        "intent": "order",
        "contained": [
            {"resourceType": "Medication", "id": "med", "code": {"text": "Eliquis 5 mg"}}
        ],
        "medicationReference": {"reference": "#med"},
    }
    facts, _, _ = _map(contained)
    assert (facts[0].details["recognised_as"], facts[0].details["matched_by"]) == (
        "apixaban",
        "brand",
    )


def test_malformed_elements_spinepath_reads_are_named() -> None:
    _, _, problems = _map(
        {
            "resourceType": "Observation",
            "id": "o",
            "status": "final",
            "code": {"coding": [{"system": codes.LOINC, "code": "72514-3"}]},
            "effectiveDateTime": "last tuesday",
            "valueQuantity": {"value": "7"},
        }
    )
    assert [p.field for p in problems.items] == ["r.effectiveDateTime", "r.valueQuantity.value"]


def test_fhir_dates_and_date_times() -> None:
    assert parse_when("2026") is not None and parse_when("2026").precision == "year"  # type: ignore[union-attr]
    assert parse_when("2026-02-30") is None
    assert parse_when("2026-11-01T10:00:00") is None  # a time needs a zone
    moment = parse_when("2026-11-01T10:00:00+02:00")
    assert moment is not None and moment.at.isoformat() == "2026-11-01T08:00:00+00:00"


def _read(data: bytes) -> tuple[list[str], list[Any]]:
    """What a file is (its kinds) and its resources, read as an import reads them."""
    file = ImportFile("(body)", content=data)
    kinds: list[str] = []
    lines = list(read_lines(file, Budget(1 << 26), is_ndjson(file), kinds))
    return kinds, [line.resource() for line in lines]


def test_input_format_is_recognised_from_the_content() -> None:
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": []}
    assert _read(json.dumps(bundle).encode())[0] == ["bundle:collection"]
    assert _read(gzip.compress(json.dumps(bundle).encode()))[0] == ["bundle:collection"]
    lines = '{"resourceType": "Patient", "id": "a"}\n{"resourceType": "Patient", "id": "b"}\n'
    assert [r["id"] for r in _read(lines.encode())[1]] == ["a", "b"]
    with pytest.raises(InvalidInput) as refused:
        _read(b'{"resourceType": "Patient"}\n{oops}\n')
    assert [e.field for e in refused.value.errors] == ["line 2"]
    with pytest.raises(InvalidInput):
        _read(b"\x1f\x8b not really gzip")
