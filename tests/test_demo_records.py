"""The demo clinic holds the records a clinic would have made by each stage, read over the API.

The demo is loaded into the live server's database (SQLite and PostgreSQL) and read as its
physician. Which patient reaches which stage, and which blood thinner each takes, follow from the
demo's fixed routes, so those expectations are exact.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from spinepath.devdata.clinic import DEMO_CLINIC, load_demo
from tests.support import LiveServer

STAGES = {
    "DEMO-1001": "referral",
    "DEMO-1002": "consultation",
    "DEMO-1003": "conservative_care",
    "DEMO-1004": "imaging",
    "DEMO-1005": "decision",
    "DEMO-1006": "scheduled",
    "DEMO-1007": "prepared",
    "DEMO-1008": "procedure",
    "DEMO-1009": "recovery",
    "DEMO-1010": "discharged",
    "DEMO-1011": "follow_up",
    "DEMO-1012": "closed",
    "DEMO-1013": "treated_conservatively",
    "DEMO-1014": "referred_for_surgery",
    "DEMO-1015": "declined",
    "DEMO-1016": "cancelled",
    "DEMO-1017": "consultation",
    "DEMO-1018": "imaging",
    "DEMO-1019": "recovery",
    "DEMO-1020": "follow_up",
}
DECIDED = ["DEMO-1005", "DEMO-1006", "DEMO-1015"]
PREPARED = ["DEMO-1007", "DEMO-1008", "DEMO-1009", "DEMO-1010", "DEMO-1011", "DEMO-1012"]
PREPARED += ["DEMO-1019", "DEMO-1020"]
# The blood thinner goes round apixaban, warfarin, clopidogrel and none by patient number.
THINNERS = {
    "DEMO-1007": None,
    "DEMO-1008": "Apixaban 5 mg",
    "DEMO-1009": "Warfarin 5 mg",
    "DEMO-1010": "Clopidogrel 75 mg",
    "DEMO-1011": None,
    "DEMO-1012": "Apixaban 5 mg",
    "DEMO-1019": None,
    "DEMO-1020": "Apixaban 5 mg",
}
UNRECOGNISED = {"DEMO-1009", "DEMO-1012"}  # every third patient
UNRECOGNISED_MEDICINES = {"Amlodipine 5 mg", "Lisinopril 10 mg"}
BLOOD_THINNERS = {"Apixaban 5 mg", "Warfarin 5 mg", "Clopidogrel 75 mg"}
PHYSICIAN = "Dr Ana Rivera"
DEMO_ZONE = DEMO_CLINIC.time_zone


@pytest.fixture
def demo(server: LiveServer) -> Iterator[httpx.Client]:
    load_demo(server.session_factory)
    with server.client() as client:
        answer = client.post(
            "/api/v1/auth/token", json={"username": "dr.rivera", "password": "demo-physician"}
        )
    assert answer.status_code == 200, answer.text
    with server.client(answer.json()["access_token"]) as client:
        yield client


def episodes_by_mrn(client: httpx.Client) -> dict[str, dict[str, Any]]:
    answer = client.get("/api/v1/worklist", params={"include_ended": True, "per_page": 100})
    assert answer.status_code == 200, answer.text
    return {item["patient"]["mrn"]: item for item in answer.json()["items"]}


def get(client: httpx.Client, path: str) -> Any:
    answer = client.get(f"/api/v1{path}")
    assert answer.status_code == 200, f"{path}: {answer.text}"
    return answer.json()


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_one_patient_or_more_reaches_each_stage(demo: httpx.Client) -> None:
    found = {mrn: item["stage"] for mrn, item in episodes_by_mrn(demo).items()}
    assert found == STAGES


def test_patients_in_recovery_have_a_procedure_record_and_observations(
    demo: httpx.Client,
) -> None:
    episodes = episodes_by_mrn(demo)
    for mrn in ("DEMO-1009", "DEMO-1019"):
        episode_id = episodes[mrn]["episode_id"]
        levels = [f["level"] for f in get(demo, f"/episodes/{episode_id}")["fractures"]]
        decided = get(demo, f"/episodes/{episode_id}/assessments")[0]["decision"]
        time_out = get(demo, f"/episodes/{episode_id}/time-outs")[0]
        record = get(demo, f"/episodes/{episode_id}/procedure-record")
        assert sorted(level["level"] for level in record["levels"]) == sorted(levels)
        assert sorted(time_out["levels_to_treat"]) == sorted(levels)
        assert {level["technique"] for level in record["levels"]} == {decided["procedure"]}
        started, ended = moment(record["started_at"]), moment(record["ended_at"])
        assert moment(time_out["performed_at"]) < started < ended

        stay = get(demo, f"/episodes/{episode_id}/recovery")
        assert stay["stay"]["status"] == "in_recovery"
        assert ended <= moment(stay["stay"]["started_at"])
        baseline = stay["baseline"]
        assert baseline is not None and moment(baseline["observed_at"]) < started
        in_recovery = [s for s in stay["observations"] if s["kind"] == "recovery"]
        assert len(in_recovery) >= 3
        assert all(ended <= moment(s["observed_at"]) <= datetime.now(UTC) for s in in_recovery)
        assert stay["aldrete"]["total"] == 7  # on arrival: drowsy, on oxygen

    worrying = get(demo, f"/episodes/{episodes['DEMO-1009']['episode_id']}/recovery")
    assert worrying["latest"]["news2"]["total"] == 5
    assert [alert["level"] for alert in worrying["open_alerts"]] == ["urgent"]
    settled = get(demo, f"/episodes/{episodes['DEMO-1019']['episode_id']}/recovery")
    assert settled["latest"]["news2"]["total"] <= 2 and settled["alerts"] == []


def test_discharge_met_every_readiness_item_and_started_follow_up(demo: httpx.Client) -> None:
    episodes = episodes_by_mrn(demo)
    for mrn in ("DEMO-1010", "DEMO-1011", "DEMO-1012", "DEMO-1020"):
        episode_id = episodes[mrn]["episode_id"]
        stay = get(demo, f"/episodes/{episode_id}/recovery")
        assert stay["stay"]["status"] == "discharged"
        assert stay["aldrete"]["total"] >= 9 and stay["padss"]["total"] >= 9
        assert stay["stay"]["escort_confirmed"] and stay["stay"]["follow_up_booked"]
        follow_up = get(demo, f"/episodes/{episode_id}/follow-up")
        discharged = moment(stay["stay"]["discharged_at"]).astimezone(ZoneInfo(DEMO_ZONE))
        assert follow_up["plan"]["kind"] == "post_procedure"
        assert follow_up["plan"]["anchor_date"] == discharged.date().isoformat()
        assert [contact["code"] for contact in follow_up["contacts"]] == [
            "day_1",
            "week_2",
            "month_3",
            "month_12",
        ]
    conservative = get(demo, f"/episodes/{episodes['DEMO-1013']['episode_id']}/follow-up")
    assert conservative["plan"]["kind"] == "conservative"


def test_follow_up_patients_have_improving_outcomes(demo: httpx.Client) -> None:
    episodes = episodes_by_mrn(demo)
    expected = {
        "DEMO-1011": (
            ["baseline", "day_1", "week_2"],
            {"month_3": "planned", "month_12": "planned"},
        ),
        "DEMO-1020": (
            ["baseline", "day_1", "week_2"],
            {"month_3": "planned", "month_12": "planned"},
        ),
        "DEMO-1012": (["baseline", "day_1", "week_2", "month_3"], {"month_12": "cancelled"}),
    }
    for mrn, (time_points, later) in expected.items():
        follow_up = get(demo, f"/episodes/{episodes[mrn]['episode_id']}/follow-up")
        outcomes = sorted(follow_up["trajectory"], key=lambda outcome: outcome["collected_on"])
        assert [outcome["time_point"] for outcome in outcomes] == time_points
        for outcome in outcomes:
            assert outcome["nrs"] is not None
            assert outcome["odi_percent"] is not None
            assert outcome["rmdq_score"] is not None
        pain = [outcome["nrs"] for outcome in outcomes]
        assert pain == sorted(pain, reverse=True) and pain[-1] < pain[0]
        assert all(outcome["nrs_change"] > 0 for outcome in outcomes[1:])  # baseline − now
        contacts = {contact["code"]: contact["status"] for contact in follow_up["contacts"]}
        assert contacts == {**{point: "done" for point in time_points[1:]}, **later}


def test_prepared_patients_have_a_signed_preparation_plan(demo: httpx.Client) -> None:
    episodes = episodes_by_mrn(demo)
    for mrn in PREPARED:
        plan = get(demo, f"/episodes/{episodes[mrn]['episode_id']}/preparation")
        assert plan["status"] == "signed" and plan["signed_by"] == PHYSICIAN
        assert len(plan["signatures"]) == 1
        names = [medicine["name"] for medicine in plan["inputs"]["medications"]]
        expected = THINNERS[mrn]
        assert [name for name in names if name in BLOOD_THINNERS] == (
            [expected] if expected else []
        )
        decided = {m["input"] for m in plan["plan"]["medications"] if m["decision"]}
        unknown = set(names) & UNRECOGNISED_MEDICINES
        assert len(unknown) == (1 if mrn in UNRECOGNISED else 0) and unknown == decided
        assert plan["plan"]["awaiting_decision"] == []
        assert bool(plan["signatures"][0]["note"]) == (
            mrn in UNRECOGNISED or expected == "Warfarin 5 mg"
        )
    ahead = get(demo, f"/episodes/{episodes['DEMO-1007']['episode_id']}/preparation")
    assert moment(ahead["inputs"]["procedure_start"]) > datetime.now(UTC)
    answer = demo.get(f"/api/v1/episodes/{episodes['DEMO-1006']['episode_id']}/preparation")
    assert answer.status_code == 404  # scheduled: the plan is still to be made


def test_decided_patients_have_a_stored_assessment_and_decision(demo: httpx.Client) -> None:
    episodes = episodes_by_mrn(demo)
    for mrn in [*DECIDED, *PREPARED]:
        assessments = get(demo, f"/episodes/{episodes[mrn]['episode_id']}/assessments")
        assert len(assessments) == 1
        assessment = assessments[0]
        assert assessment["action"] == "refer_for_vertebral_augmentation"
        assert assessment["assessment_date_source"] == "facts"
        assert assessment["decision"]["decision"] == "proceed_to_vertebral_augmentation"
        assert assessment["decision"]["decided_by"] == PHYSICIAN
    for mrn in ("DEMO-1001", "DEMO-1002", "DEMO-1004", "DEMO-1013", "DEMO-1014"):
        found = get(demo, f"/episodes/{episodes[mrn]['episode_id']}/assessments")
        if episodes[mrn]["stage"] == "referred_for_surgery":
            # The referral's gate: the physician's recorded decision to refer.
            [referral] = found
            assert referral["decision"]["decision"] == "refer_for_surgical_evaluation"
        else:
            assert found == []


def test_every_demo_episode_exports_fhir(demo: httpx.Client) -> None:
    episodes = episodes_by_mrn(demo)
    assert len(episodes) == len(STAGES)
    for mrn, item in episodes.items():
        answer = demo.get(f"/api/v1/episodes/{item['episode_id']}/fhir")
        assert answer.status_code == 200, f"{mrn}: {answer.text}"
        assert answer.json()["resourceType"] == "Bundle"


def test_the_demo_books_consultations_and_procedures_on_one_schedule(demo: httpx.Client) -> None:
    episodes = episodes_by_mrn(demo)
    referral = get(demo, f"/episodes/{episodes['DEMO-1001']['episode_id']}/appointments")
    assert [a["kind"] for a in referral] == ["consultation"]
    assert moment(referral[0]["starts_at"]) > datetime.now(UTC)  # booked ahead
    for mrn in PREPARED:
        episode_id = episodes[mrn]["episode_id"]
        [procedure] = [
            a for a in get(demo, f"/episodes/{episode_id}/appointments") if a["kind"] == "procedure"
        ]
        plan = get(demo, f"/episodes/{episode_id}/preparation")
        assert moment(procedure["starts_at"]) == moment(plan["inputs"]["procedure_start"])
