"""Bad input never produces a 500 or a half-written record."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spinepath.accounts.roles import Role
from tests.api.helpers import create_patient, open_episode, patient_payload
from tests.support import ClinicUsers


def test_malformed_json_is_a_named_422(clinic: ClinicUsers) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        answer = client.post(
            "/api/v1/patients",
            content=b'{"mrn": "1", ',
            headers={"content-type": "application/json"},
        )
    assert answer.status_code == 422
    assert answer.json()["errors"] == [
        {"field": "(body)", "message": "the request body is not valid JSON"}
    ]


def test_a_json_array_instead_of_an_object_is_a_422(clinic: ClinicUsers) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        answer = client.post("/api/v1/patients", json=[1, 2, 3])
    assert answer.status_code == 422


def test_a_bad_id_in_the_path_is_a_named_422(clinic: ClinicUsers) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        answer = client.get("/api/v1/patients/not-a-uuid")
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "patient_id"


def test_unknown_routes_answer_problem_json(clinic: ClinicUsers) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        answer = client.get("/api/v1/nothing-here")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/problem+json")


_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=8,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(field=st.sampled_from(sorted(patient_payload())), value=_json_values)
def test_any_value_in_any_patient_field_gives_201_or_422(
    clinic: ClinicUsers, field: str, value: Any
) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        answer = client.post("/api/v1/patients", json=patient_payload(**{field: value}))
    assert answer.status_code in (201, 422), answer.text
    if answer.status_code == 422:
        # The field itself, or a part of it (a control character deep inside is named there).
        named = {e["field"] for e in answer.json()["errors"]}
        assert all(name == field or name.startswith(f"{field}.") for name in named), named


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.dictionaries(st.sampled_from(["to_stage", "reason", "version", "x"]), _json_values))
def test_any_transition_body_gives_a_clean_answer(
    clinic: ClinicUsers, body: dict[str, Any]
) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        if not hasattr(clinic, "_episode"):
            clinic._episode = open_episode(client, create_patient(client)["id"])  # type: ignore[attr-defined]
        episode = clinic._episode  # type: ignore[attr-defined]
        answer = client.post(f"/api/v1/episodes/{episode['id']}/transitions", json=body)
    assert answer.status_code in (200, 409, 422, 428), answer.text


def test_simultaneous_edits_of_one_version_let_exactly_one_through(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        patient = create_patient(client)
    url = f"/api/v1/patients/{patient['id']}"
    tokens = [clinic.token(Role.NURSE), clinic.token(Role.COORDINATOR)]

    def edit(index: int) -> int:
        with clinic.server.client(tokens[index % 2]) as client:
            return client.patch(url, json={"given_name": f"Name{index}", "version": 1}).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = list(pool.map(edit, range(6)))
    assert sorted(codes) == [200] + [409] * 5
    with clinic.client(Role.NURSE) as client:
        assert client.get(url).json()["version"] == 2
