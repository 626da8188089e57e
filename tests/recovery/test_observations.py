"""Recovery observations over HTTP: time-stamped, with units, codes and who recorded them; live
NEWS2; implausible readings named; FHIR vital-signs export."""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

from spinepath.accounts.roles import Role
from tests.api.helpers import error_fields
from tests.procedures.builders import (
    in_recovery,
    iso,
    minutes_ago,
    prepared_episode,
    record_vitals,
    vitals,
)
from tests.support import ClinicUsers

FHIR_SCHEMA = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "fixtures"
    / "fhir-r4-schema"
    / "fhir.schema.r4-4.0.json.gz"
)


def _observe(client: Any, episode_id: str, payload: dict[str, Any]) -> Any:
    return client.post(f"/api/v1/episodes/{episode_id}/observations", json=payload)


def test_a_set_is_stored_with_time_units_codes_recorder_and_news2(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        episode_id = in_recovery(client)["episode_id"]
        observed = iso(minutes_ago(5))
        answer = _observe(client, episode_id, {"observed_at": observed, **vitals()})
        listed = client.get(f"/api/v1/episodes/{episode_id}/observations").json()
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["kind"] == "recovery"
    assert body["observed_at"].replace("Z", "+00:00")[:19] == observed[:19]
    assert body["recorded_by_name"] == f"Nurse of {clinic.slug}"
    assert body["news2"]["total"] == 0 and body["colour"] == "green"
    assert body["alert"] is None
    rows = {row["parameter"]: row for row in body["observations"]}
    assert rows["pulse_per_min"]["value"] == 72
    assert rows["pulse_per_min"]["unit"] == "/min"
    assert rows["pulse_per_min"]["codings"][0]["code"] == "8867-4"
    assert rows["systolic_bp_mmhg"]["unit"] == "mm[Hg]"
    assert rows["temperature_c"]["value"] == 36.8
    assert [s["kind"] for s in listed] == ["recovery", "baseline"]


def test_spo2_140_a_negative_pulse_and_text_are_named_and_nothing_is_stored(
    clinic: ClinicUsers,
) -> None:
    with clinic.client(Role.NURSE) as client:
        episode_id = in_recovery(client)["episode_id"]
        before = client.get(f"/api/v1/episodes/{episode_id}/observations").json()
        answer = _observe(
            client,
            episode_id,
            vitals(spo2_percent=140, pulse_per_min=-5, respiratory_rate="sixteen"),
        )
        after = client.get(f"/api/v1/episodes/{episode_id}/observations").json()
    assert answer.status_code == 422
    assert error_fields(answer) == {"spo2_percent", "pulse_per_min", "respiratory_rate"}
    messages = {e["field"]: e["message"] for e in answer.json()["errors"]}
    assert "140% is outside the plausible range 0–100%" in messages["spo2_percent"]
    assert "-5 beats/min" in messages["pulse_per_min"]
    assert after == before


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"kind": "post-op"}, {"kind"}),
        ({"observed_at": "yesterday"}, {"observed_at"}),
        ({"kind": "post-op", "temperature_c": 98.6}, {"kind", "temperature_c"}),
    ],
)
def test_envelope_and_readings_are_named_together(
    clinic: ClinicUsers, payload: dict[str, Any], fields: set[str]
) -> None:
    with clinic.client(Role.NURSE) as client:
        episode_id = in_recovery(client)["episode_id"]
        answer = _observe(client, episode_id, {**vitals(), **payload})
    assert answer.status_code == 422
    assert error_fields(answer) == fields


def test_the_body_must_be_an_object(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        episode_id = in_recovery(client)["episode_id"]
        answer = client.post(f"/api/v1/episodes/{episode_id}/observations", json=[1, 2])
    assert answer.status_code == 422


def test_times_must_be_real(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        episode_id = in_recovery(client)["episode_id"]
        future = _observe(client, episode_id, {"observed_at": iso(minutes_ago(-10)), **vitals()})
        before_procedure = _observe(
            client, episode_id, {"observed_at": iso(minutes_ago(300)), **vitals()}
        )
    assert (future.status_code, before_procedure.status_code) == (422, 422)
    assert error_fields(future) == error_fields(before_procedure) == {"observed_at"}


def test_recovery_sets_need_the_patient_in_recovery_and_baselines_come_before(
    clinic: ClinicUsers,
) -> None:
    with clinic.client(Role.NURSE) as client:
        episode = prepared_episode(client)
        early = _observe(client, episode["id"], {"kind": "recovery", **vitals()})
        baseline = _observe(client, episode["id"], {"kind": "baseline", **vitals()})
        recovering = in_recovery(client)["episode_id"]
        late_baseline = _observe(client, recovering, {"kind": "baseline", **vitals()})
    assert early.status_code == 409
    assert baseline.status_code == 201
    assert baseline.json()["alert"] is None
    assert late_baseline.status_code == 409


@cache
def _validator() -> Any:
    with gzip.open(FHIR_SCHEMA) as handle:
        schema = json.load(handle)
    return jsonschema_rs.validator_for(schema)


def test_observations_export_as_valid_fhir_vital_signs(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        episode_id = in_recovery(client)["episode_id"]
        record_vitals(client, episode_id, respiratory_rate=22, diastolic_bp_mmhg=...)
        bundle = client.get(f"/api/v1/episodes/{episode_id}/observations/fhir").json()
    validator = _validator()
    errors = [str(e) for e in validator.iter_errors(bundle)]
    assert errors == []
    resources = [entry["resource"] for entry in bundle["entry"]]
    codes = [r["code"]["coding"][0]["code"] for r in resources]
    # baseline then recovery: panel, RR, SpO2, HR, temperature, BP, NEWS2 total each
    assert codes.count("85353-1") == 2
    assert codes.count("1104051000000101") == 2
    assert {"9279-1", "2708-6", "8867-4", "8310-5", "85354-9"} <= set(codes)
    pressures = [r for r in resources if r["code"]["coding"][0]["code"] == "85354-9"]
    assert [len(p["component"]) for p in pressures] == [2, 1]  # recovery set had no diastolic
    news2 = [r for r in resources if r["code"]["coding"][0]["code"] == "1104051000000101"]
    assert [n["valueQuantity"]["value"] for n in news2] == [0, 2]
    rate = next(r for r in resources if r["code"]["coding"][0]["code"] == "9279-1")
    assert rate["valueQuantity"]["code"] == "/min"
    assert rate["performer"][0]["display"] == f"Nurse of {clinic.slug}"
    referenced = {m["reference"] for r in resources for m in r.get("hasMember", [])}
    assert referenced <= {entry["fullUrl"] for entry in bundle["entry"]}


def test_a_missing_consciousness_or_oxygen_is_refused_naming_the_field(
    clinic: ClinicUsers,
) -> None:
    with clinic.client(Role.NURSE) as client:
        episode_id = in_recovery(client)["episode_id"]
        no_acvpu = _observe(client, episode_id, vitals(consciousness=...))
        no_oxygen = _observe(client, episode_id, vitals(on_oxygen=...))
        neither = _observe(client, episode_id, vitals(consciousness=..., on_oxygen=...))
        stored = client.get(f"/api/v1/episodes/{episode_id}/observations").json()
    assert (no_acvpu.status_code, no_oxygen.status_code) == (422, 422)
    assert error_fields(no_acvpu) == {"consciousness"}
    assert error_fields(no_oxygen) == {"on_oxygen"}
    assert error_fields(neither) == {"consciousness", "on_oxygen"}
    assert [s["kind"] for s in stored] == ["baseline"]


def test_a_diastolic_pressure_not_below_the_systolic_is_refused_with_a_clear_message(
    clinic: ClinicUsers,
) -> None:
    with clinic.client(Role.NURSE) as client:
        episode_id = in_recovery(client)["episode_id"]
        answer = _observe(client, episode_id, vitals(systolic_bp_mmhg=90, diastolic_bp_mmhg=120))
    assert answer.status_code == 422
    [error] = answer.json()["errors"]
    assert error["field"] == "diastolic_bp_mmhg"
    assert "not below systolic 90 mmHg" in error["message"]
