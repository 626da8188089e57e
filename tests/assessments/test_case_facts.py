"""Consultation facts: kept with the episode, versioned, audited, validated by the core."""

from __future__ import annotations

from spinepath.accounts.roles import Role
from tests.api.helpers import error_fields
from tests.assessments.helpers import (
    audit_events,
    episode_for,
    facts_of,
    put_facts,
    save_facts,
)
from tests.clinical.candidacy.builders import QUALIFYING, case
from tests.support import ClinicUsers

FACTS = facts_of(QUALIFYING)


def test_an_episode_starts_with_every_fact_unknown_at_version_0(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        episode = episode_for(client)
        answer = client.get(f"/api/v1/episodes/{episode['id']}/case-facts")
    assert answer.status_code == 200 and answer.headers["ETag"] == '"v0"'
    body = answer.json()
    assert body["version"] == 0 and body["updated_by"] is None
    facts = body["facts"]
    assert facts["fractures"]["L1"]["mri_edema"] is None
    assert facts["pain"] == {"nrs": None, "trend": None, "severe": None}
    assert facts["screening"]["active_infection"] is None
    assert "birth_date" not in facts["patient"] and "level" not in facts["fractures"]["L1"]


def test_saved_facts_come_back_as_given_with_a_new_version(clinic: ClinicUsers) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        episode = episode_for(client)
        saved = save_facts(client, episode["id"], FACTS, version=0)
        read = client.get(f"/api/v1/episodes/{episode['id']}/case-facts")
    assert saved["version"] == 1 and read.headers["ETag"] == '"v1"'
    assert saved["updated_by"] == f"Physician of {clinic.slug}"
    assert read.json()["facts"] == saved["facts"]
    facts = saved["facts"]
    assert facts["fractures"]["L1"]["mri_edema"] is True
    assert facts["fractures"]["L1"]["height_loss_percent"] == 30
    assert facts["pain"] == FACTS["pain"]
    assert facts["conservative_care"] == FACTS["conservative_care"]
    assert facts["assessment_date"] == "2026-11-20"


def test_facts_can_name_a_fracture_by_its_id_or_by_its_level(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        episode = episode_for(client)
        fracture_id = episode["fractures"][0]["id"]
        by_id = dict(FACTS, fractures={fracture_id: FACTS["fractures"]["L1"]})
        saved = save_facts(client, episode["id"], by_id)
    assert saved["facts"]["fractures"]["L1"]["mri_edema"] is True


def test_each_change_is_audited_with_the_facts_it_changed_and_no_values(
    clinic: ClinicUsers,
) -> None:
    with clinic.client(Role.NURSE) as client:
        episode = episode_for(client)
        save_facts(client, episode["id"], FACTS, version=0)
        changed = case({"pain.nrs": 8, "fractures[0].mri_edema": None})
        save_facts(client, episode["id"], facts_of(changed), version=1)
    with clinic.client(Role.ADMIN) as admin:
        events = [e for e in audit_events(admin) if e["entity_type"] == "case_facts"]
    writes = [e for e in events if e["action"] in ("create", "update")]
    assert [e["action"] for e in writes] == ["update", "create"]  # newest first
    assert writes[0]["detail"] == {
        "version": 2,
        "fields": ["fractures.L1.mri_edema", "pain.nrs"],
    }
    assert writes[0]["entity_id"] == episode["id"]
    assert writes[0]["actor_username"] == clinic.username(Role.NURSE)
    assert "7" not in str(writes[0]["detail"]) and "8" not in str(writes[0]["detail"])


def test_a_stale_edit_is_refused_and_changes_nothing(clinic: ClinicUsers) -> None:
    with clinic.client(Role.PHYSICIAN) as first, clinic.client(Role.NURSE) as second:
        episode = episode_for(first)
        save_facts(first, episode["id"], FACTS, version=0)
        save_facts(first, episode["id"], facts_of(case({"pain.nrs": 8})), version=1)
        stale_body = put_facts(second, episode["id"], facts_of(case({"pain.nrs": 3})), 1)
        stale_header = second.put(
            f"/api/v1/episodes/{episode['id']}/case-facts",
            json={"facts": facts_of(case({"pain.nrs": 3}))},
            headers={"If-Match": '"v1"'},
        )
        first_writer_twice = put_facts(second, episode["id"], FACTS, 0)
        unversioned = put_facts(second, episode["id"], FACTS, None)
        now = second.get(f"/api/v1/episodes/{episode['id']}/case-facts").json()
    assert stale_body.status_code == 409
    assert stale_header.status_code == 412
    assert first_writer_twice.status_code == 409
    assert unversioned.status_code == 428
    assert now["version"] == 2 and now["facts"]["pain"]["nrs"] == 8


def test_invalid_facts_are_each_named_and_nothing_is_saved(clinic: ClinicUsers) -> None:
    bad = facts_of(
        case({"pain.nrs": 11, "assessment_date": "2026-10-01", "conservative_care.started": None})
    )
    bad["fractures"]["L9"] = {"mri_edema": True}
    with clinic.client(Role.PHYSICIAN) as client:
        episode = episode_for(client)  # the L1 fracture's pain began on 2026-10-10
        answer = put_facts(client, episode["id"], bad, 0)
        after = client.get(f"/api/v1/episodes/{episode['id']}/case-facts").json()
    assert answer.status_code == 422
    assert error_fields(answer) == {
        "facts.fractures.L9",
        "facts.pain.nrs",
        "facts.fractures.L1.symptom_onset",
    }
    messages = {e["field"]: e["message"] for e in answer.json()["errors"]}
    assert "not a vertebral level" in messages["facts.fractures.L9"]
    assert "after the assessment date (2026-10-01)" in messages["facts.fractures.L1.symptom_onset"]
    assert after["version"] == 0 and after["facts"]["pain"]["nrs"] is None


def test_what_the_record_holds_cannot_be_given_as_a_fact(clinic: ClinicUsers) -> None:
    bad = facts_of(QUALIFYING)
    bad["patient"]["birth_date"] = "1950-01-01"
    bad["fractures"]["L1"]["symptom_onset"] = "2026-11-01"
    bad["fractures"]["T4"] = {"mri_edema": False}
    bad["mri_oedema"] = True
    bad["pain"]["nsr"] = 7
    bad["fractures"]["L1"]["of_type"] = 6
    with clinic.client(Role.PHYSICIAN) as client:
        episode = episode_for(client)
        answer = put_facts(client, episode["id"], bad, 0)
    assert answer.status_code == 422
    assert error_fields(answer) == {
        "facts.patient.birth_date",
        "facts.fractures.L1.symptom_onset",
        "facts.fractures.T4",
        "facts.mri_oedema",
        "facts.pain.nsr",
        "facts.fractures.L1.of_type",
    }


def test_an_assessment_date_after_today_is_refused(clinic: ClinicUsers) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        episode = episode_for(client)
        answer = put_facts(client, episode["id"], dict(FACTS, assessment_date="2099-01-01"), 0)
    assert answer.status_code == 422 and error_fields(answer) == {"facts.assessment_date"}


def test_a_quality_lead_reads_the_facts_but_cannot_change_them(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as nurse:
        episode = episode_for(nurse)
        save_facts(nurse, episode["id"], FACTS)
    with clinic.client(Role.QUALITY_LEAD) as reviewer:
        read = reviewer.get(f"/api/v1/episodes/{episode['id']}/case-facts")
        write = put_facts(reviewer, episode["id"], FACTS, 1)
    assert read.status_code == 200 and read.json()["version"] == 1
    assert write.status_code == 403
