"""Another clinic's episode, facts, assessments and decisions are not found."""

from __future__ import annotations

from spinepath.accounts.roles import Role
from tests.assessments.helpers import assessed, facts_of, put_facts
from tests.clinical.candidacy.builders import QUALIFYING
from tests.support import ClinicUsers


def test_another_clinics_assessment_records_are_404(
    clinic: ClinicUsers, other_clinic: ClinicUsers
) -> None:
    with other_clinic.client(Role.PHYSICIAN) as theirs:
        episode, assessment = assessed(theirs)
    eid, aid = episode["id"], assessment["id"]
    with clinic.client(Role.PHYSICIAN) as ours:
        answers = {
            "read facts": ours.get(f"/api/v1/episodes/{eid}/case-facts"),
            "write facts": put_facts(ours, eid, facts_of(QUALIFYING), 1),
            "evaluate": ours.post(f"/api/v1/episodes/{eid}/assessments"),
            "list": ours.get(f"/api/v1/episodes/{eid}/assessments"),
            "read": ours.get(f"/api/v1/assessments/{aid}"),
            "decide": ours.post(
                f"/api/v1/assessments/{aid}/decision",
                json={"decision": "decline", "rationale": "not ours"},
            ),
        }
    assert {name: a.status_code for name, a in answers.items()} == dict.fromkeys(answers, 404)
    with other_clinic.client(Role.PHYSICIAN) as theirs:
        facts = theirs.get(f"/api/v1/episodes/{eid}/case-facts").json()
        listed = theirs.get(f"/api/v1/episodes/{eid}/assessments").json()
    assert facts["version"] == 1
    assert len(listed) == 1 and listed[0]["decision"] is None
