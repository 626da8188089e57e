"""The alert history in the episode export: one DetectedIssue per NEWS2 alert, schema-valid, with
the NEWS2 total it was raised from as evidence, the acknowledgement (action taken, who, when) as
its mitigation, and a resolution by a lower score in its detail."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from spinepath.accounts.roles import Role
from tests.fhir.conftest import R4Schema
from tests.fhir.test_export import assert_valid, export, resources
from tests.procedures.builders import in_recovery, record_vitals
from tests.support import ClinicUsers

TOTAL_7 = {"respiratory_rate": 26, "pulse_per_min": 115, "temperature_c": 39.5}
SINGLE_3 = {"respiratory_rate": 26}


def _by_id(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {issue["id"]: issue for issue in resources(bundle, "DetectedIssue")}


def test_the_alert_history_is_in_the_fhir_export_and_schema_valid(
    clinic: ClinicUsers, r4_schema: R4Schema
) -> None:
    with clinic.client(Role.NURSE) as nurse:
        episode_id = in_recovery(nurse)["episode_id"]
        emergency = record_vitals(nurse, episode_id, **TOTAL_7)["alert"]
    with clinic.client(Role.PHYSICIAN) as physician:
        answer = physician.post(
            f"/api/v1/alerts/{emergency['id']}/acknowledge",
            json={
                "action_taken": "Crash call; outreach team gave fluids",
                "responder_arrived_at": datetime.now(UTC).isoformat(),
                "version": emergency["version"],
            },
        )
        assert answer.status_code == 200, answer.text
        single = record_vitals(physician, episode_id, **SINGLE_3)["alert"]
        record_vitals(physician, episode_id)  # NEWS2 0 resolves the single-parameter alert
        bundle = export(physician, episode_id)
    assert_valid(bundle, r4_schema)
    issues = _by_id(bundle)
    assert set(issues) == {emergency["id"], single["id"]}
    full_urls = {entry["fullUrl"] for entry in bundle["entry"]}

    acknowledged = issues[emergency["id"]]
    assert acknowledged["severity"] == "high"
    assert acknowledged["code"]["text"] == "NEWS2 alert: NEWS2 7 or more: emergency response"
    assert acknowledged["patient"]["reference"] in full_urls
    [evidence] = acknowledged["evidence"][0]["detail"]
    assert evidence["reference"] in full_urls  # the NEWS2 total Observation of the set
    [mitigation] = acknowledged["mitigation"]
    assert mitigation["action"]["text"] == "Crash call; outreach team gave fluids"
    assert mitigation["author"]["display"] == f"Physician of {clinic.slug}"
    assert "Responder arrived" in acknowledged["detail"]

    resolved = issues[single["id"]]
    assert resolved["severity"] == "low"
    assert "mitigation" not in resolved
    assert "a later set scored NEWS2 0" in resolved["detail"]
