"""The calculators over HTTP: listing, each instrument computed, errors, 404 and 401.

Each example is worked by hand from the instrument's published table (the working is beside it),
and runs against a live server on SQLite and on PostgreSQL. The API must answer exactly what
``spinepath calc`` prints for the same input; that is checked against the real command.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from spinepath.accounts.roles import Role
from spinepath.clinical.sources import get_source
from tests.support import ClinicUsers, LiveServer

NAMES = [
    "news2",
    "aldrete",
    "padss",
    "odi",
    "rmdq",
    "nrs_change",
    "morphometry",
    "sins",
    "of_score",
]

# name -> (input, fields the result must have with exactly these values)
EXAMPLES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    # Chart 1: RR 22 → 2, SpO2 95 (scale 1) → 1, oxygen → 2, SBP 105 → 1, pulse 112 → 2,
    # alert → 0, 38.5 °C → 1. Total 9 (≥ 7): high risk, emergency response.
    "news2": (
        {
            "respiratory_rate": 22,
            "spo2_percent": 95,
            "on_oxygen": True,
            "systolic_bp_mmhg": 105,
            "pulse_per_min": 112,
            "consciousness": "A",
            "temperature_c": 38.5,
        },
        {
            "total": 9,
            "components": {
                "respiration_rate": 2,
                "spo2": 1,
                "air_or_oxygen": 2,
                "systolic_bp": 1,
                "pulse": 2,
                "consciousness": 0,
                "temperature": 1,
            },
            "single_parameter_3": False,
            "risk": "high",
        },
    ),
    # 2 + 2 + 1 + 2 + 1 = 8: below the discharge score of 9.
    "aldrete": (
        {
            "activity": 2,
            "respiration": 2,
            "circulation": 1,
            "consciousness": 2,
            "oxygen_saturation": 1,
        },
        {"total": 8, "discharge_ready": False},
    ),
    # 2 + 2 + 2 + 1 + 2 = 9: home ready at 9.
    "padss": (
        {
            "vital_signs": 2,
            "ambulation": 2,
            "nausea_vomiting": 2,
            "pain": 1,
            "surgical_bleeding": 2,
        },
        {"total": 9, "home_ready": True},
    ),
    # The ODI form's own example: 16 points, section 8 missed: 16 ÷ 45 × 100 = 35.56 → 35.6 %.
    "odi": (
        {"sections": [3, 2, 2, 2, 2, 1, 1, None, 2, 1]},
        {"score_percent": 35.6, "answered": 9, "band": "moderate", "unanswered_sections": [8]},
    ),
    # Seven of the 24 statements ticked.
    "rmdq": (
        {"items": [True] * 7 + [False] * 17},
        {"score": 7},
    ),
    # 8 → 5: change 3 points, 3 ÷ 8 = 37.5 %: a responder on both criteria.
    "nrs_change": (
        {"baseline": 8, "follow_up": 5},
        {"change": 3, "percent_change": 37.5, "responder": True},
    ),
    # Superior endplate (0, 20) → (30, 25), inferior endplate flat on y = 0: heights 20, 22.5, 25;
    # loss (25 − 20) ÷ 25 = 20 % → grade 1, smallest anterior → wedge; atan(5 / 30) = 9.46°.
    "morphometry": (
        {
            "points_mm": {
                "anterior_superior": [0.0, 20.0],
                "anterior_inferior": [0.0, 0.0],
                "middle_superior": [15.0, 22.5],
                "middle_inferior": [15.0, 0.0],
                "posterior_superior": [30.0, 25.0],
                "posterior_inferior": [30.0, 0.0],
            }
        },
        {
            "anterior_mm": 20.0,
            "middle_mm": 22.5,
            "posterior_mm": 25.0,
            "anterior_posterior_ratio": 0.8,
            "middle_posterior_ratio": 0.9,
            "height_loss_percent": 20.0,
            "genant_grade": 1,
            "shape": "wedge",
            "wedge_angle_deg": 9.5,
        },
    ),
    # T12 junctional 3, mechanical pain 3, lytic 2, normal alignment 0, collapse < 50 % 2,
    # unilateral 1: total 11, indeterminate (7-12), surgical consultation (≥ 7).
    "sins": (
        {
            "level": "T12",
            "pain": "mechanical",
            "lesion": "lytic",
            "alignment": "normal",
            "collapse": "under_50",
            "posterolateral": "unilateral",
        },
        {
            "total": 11,
            "components": {
                "location": 3,
                "pain": 3,
                "lesion": 2,
                "alignment": 0,
                "collapse": 2,
                "posterolateral": 1,
            },
            "category": "indeterminate",
            "surgical_consultation": True,
        },
    ),
    # Pocket card: OF 3 → 6, T-score < −3 +1, no progression −1, VAS ≥ 5 +1, neurology unknown 0,
    # mobilisation possible −1, anticoagulation −1: total 5 → conservative.
    "of_score": (
        {
            "of_type": 3,
            "t_score_below_minus_3": True,
            "deformity_progression": False,
            "pain_vas_5_or_more": True,
            "neurological_deficit": None,
            "mobilisation_possible": True,
            "health_penalties": ["anticoagulation"],
        },
        {"total": 5, "recommendation": "conservative", "unknown_items": ["neurological_deficit"]},
    ),
}


def _post(clinic: ClinicUsers, name: str, body: Any) -> Any:
    with clinic.client(Role.NURSE) as client:
        return client.post(f"/api/v1/calculators/{name}", json=body)


def test_every_instrument_has_a_worked_example() -> None:
    assert sorted(EXAMPLES) == sorted(NAMES)


def test_list_gives_each_instrument_with_title_edition_sources_and_input_schema(
    clinic: ClinicUsers,
) -> None:
    with clinic.client(Role.QUALITY_LEAD) as client:
        answer = client.get("/api/v1/calculators")
    assert answer.status_code == 200
    calculators = answer.json()["calculators"]
    assert [c["name"] for c in calculators] == NAMES
    for calculator in calculators:
        assert calculator["title"] and calculator["edition"] and calculator["formula"]
        assert calculator["sources"], calculator["name"]
        for source in calculator["sources"]:
            assert source == get_source(source["id"]).as_dict()
        schema = calculator["input_schema"]
        assert schema["type"] == "object" and schema["additionalProperties"] is False
        assert set(EXAMPLES[calculator["name"]][0]) <= set(schema["properties"])


def test_one_calculator_is_described_like_its_list_entry(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        listed = client.get("/api/v1/calculators").json()["calculators"]
        one = client.get("/api/v1/calculators/odi")
    assert one.status_code == 200
    assert one.json() == next(c for c in listed if c["name"] == "odi")
    assert one.json()["input_schema"]["properties"]["sections"]["maxItems"] == 10


@pytest.mark.parametrize("name", NAMES)
def test_each_instrument_computes_its_worked_example_over_http(
    clinic: ClinicUsers, name: str
) -> None:
    body, expected = EXAMPLES[name]
    answer = _post(clinic, name, body)
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["instrument"] == name
    for field, value in expected.items():
        assert result[field] == value, field
    with clinic.client(Role.NURSE) as client:
        described = client.get(f"/api/v1/calculators/{name}").json()
    assert result["edition"] == described["edition"]
    assert result["sources"] == [source["id"] for source in described["sources"]]


def test_news2_response_is_the_emergency_response_for_a_total_of_7_or_more(
    clinic: ClinicUsers,
) -> None:
    response = _post(clinic, "news2", EXAMPLES["news2"][0]).json()["response"]
    assert response["monitoring_frequency"] == "continuous monitoring of vital signs"
    assert response["response_level"] == "emergency response"


def test_morphometry_accepts_measured_heights_as_well_as_points(clinic: ClinicUsers) -> None:
    # Ha 18, Hm 24, Hp 25: loss (25 − 18) ÷ 25 = 28 % → grade 2, wedge; no angle without points.
    answer = _post(
        clinic, "morphometry", {"heights_mm": {"anterior": 18, "middle": 24, "posterior": 25}}
    )
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert (result["anterior_posterior_ratio"], result["middle_posterior_ratio"]) == (0.72, 0.96)
    assert (result["height_loss_percent"], result["genant_grade"]) == (28.0, 2)
    assert result["shape"] == "wedge"
    assert "wedge_angle_deg" not in result


def test_the_api_answers_exactly_what_the_command_line_prints(
    clinic: ClinicUsers, tmp_path: Any
) -> None:
    for name, (body, _) in EXAMPLES.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(body))
        printed = subprocess.run(
            [sys.executable, "-m", "spinepath.cli", "calc", name, "--input", str(path)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert printed.returncode == 0, printed.stdout + printed.stderr
        assert _post(clinic, name, body).json() == json.loads(printed.stdout), name


def test_invalid_input_is_422_naming_every_bad_field_as_the_command_line_does(
    clinic: ClinicUsers,
) -> None:
    body = {
        "respiratory_rate": "22",  # wrong type
        "spo2_percent": 150,  # out of range
        "on_oxygen": False,
        "systolic_bp_mmhg": 120,
        "pulse_per_min": 70,
        "consciousness": "X",  # unknown choice
        # temperature_c missing
        "heart_rhythm": "sinus",  # unknown field
    }
    answer = _post(clinic, "news2", body)
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    errors = answer.json()["errors"]
    assert {e["field"] for e in errors} == {
        "respiratory_rate",
        "spo2_percent",
        "consciousness",
        "temperature_c",
        "heart_rhythm",
    }
    assert all(e["message"] for e in errors)
    printed = subprocess.run(
        [sys.executable, "-m", "spinepath.cli", "calc", "news2"],
        input=json.dumps(body),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert printed.returncode == 2
    assert json.loads(printed.stdout) == {"errors": errors}


@pytest.mark.parametrize(
    ("name", "body", "fields"),
    [
        ("odi", {"sections": [0] * 9}, {"sections"}),
        ("odi", {"sections": [0, 1, 2, 3, 4, 6, 0, 0, 0, "5"]}, {"sections.5", "sections.9"}),
        ("rmdq", {"items": [True] * 23 + ["yes"]}, {"items.23"}),
        ("nrs_change", {"baseline": -1, "follow_up": 11}, {"baseline", "follow_up"}),
        ("morphometry", {}, {"heights_mm", "points_mm"}),
        (
            "sins",
            {"level": "T13", "pain": "sharp"},
            {"level", "pain", "lesion", "alignment", "collapse", "posterolateral"},
        ),
        (
            "of_score",
            {"of_type": 6, "t_score_below_minus_3": "yes"},
            {
                "of_type",
                "t_score_below_minus_3",
                "deformity_progression",
                "pain_vas_5_or_more",
                "neurological_deficit",
                "mobilisation_possible",
                "health_penalties",
            },
        ),
        (
            "aldrete",
            {"activity": 3},
            {"activity", "respiration", "circulation", "consciousness", "oxygen_saturation"},
        ),
        ("padss", [2, 2, 2, 2, 2], {"(input)"}),
    ],
)
def test_errors_name_the_fields(
    clinic: ClinicUsers, name: str, body: Any, fields: set[str]
) -> None:
    answer = _post(clinic, name, body)
    assert answer.status_code == 422
    assert {e["field"] for e in answer.json()["errors"]} == fields


def test_malformed_json_is_422_on_the_input(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        answer = client.post(
            "/api/v1/calculators/news2",
            content=b'{"respiratory_rate": 22,',
            headers={"content-type": "application/json"},
        )
        not_a_number = client.post(
            "/api/v1/calculators/nrs_change",
            content=b'{"baseline": NaN, "follow_up": 2}',
            headers={"content-type": "application/json"},
        )
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["(input)"]
    assert "not valid JSON" in answer.json()["errors"][0]["message"]
    assert not_a_number.status_code == 422
    assert [e["field"] for e in not_a_number.json()["errors"]] == ["(input)"]


def test_an_unknown_calculator_is_a_404_problem(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        described = client.get("/api/v1/calculators/apgar")
        run = client.post("/api/v1/calculators/apgar", json={"heart_rate": 120})
        malformed = client.post(
            "/api/v1/calculators/apgar",
            content=b"{",
            headers={"content-type": "application/json"},
        )
    for answer in (described, run, malformed):
        assert answer.status_code == 404
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert "apgar" in answer.json()["detail"]


def test_calculators_need_a_token(server: LiveServer) -> None:
    body = EXAMPLES["nrs_change"][0]
    for token in (None, "not-a-real-token"):
        with server.client(token) as client:
            answers = [
                client.get("/api/v1/calculators"),
                client.get("/api/v1/calculators/nrs_change"),
                client.post("/api/v1/calculators/nrs_change", json=body),
                client.post("/api/v1/calculators/apgar", json=body),
            ]
        for answer in answers:
            assert answer.status_code == 401
            assert answer.headers["www-authenticate"] == "Bearer"
            assert "change" not in answer.json()


def test_calculators_are_in_the_openapi_document(server: LiveServer) -> None:
    with server.client() as client:
        paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"get"} <= set(paths["/api/v1/calculators"])
    assert {"get", "post"} <= set(paths["/api/v1/calculators/{name}"])
    assert "requestBody" in paths["/api/v1/calculators/{name}"]["post"]
