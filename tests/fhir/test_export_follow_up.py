"""Follow-up in the FHIR export over real HTTP: ODI answers as a QuestionnaireResponse, the ODI,
pain and RMDQ scores as Observations, and the follow-up schedule as a CarePlan."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx

from spinepath.accounts.roles import Role
from tests.fhir.conftest import R4Schema
from tests.fhir.test_export import assert_valid, export, resources
from tests.follow_up.helpers import (
    conservative_episode,
    contact,
    discharged_episode,
    follow_up,
    odi,
    token_of,
)
from tests.support import ClinicUsers

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
# The ODI form's worked examples: 16 points of 50 is 32 %; 16 of 45 (one unanswered) is 35.6 %.
ALL_ANSWERED_ODI = odi(2, 1, 3, 2, 1, 2, 1, 1, 1, 2)
ONE_UNANSWERED_ODI = odi(2, 1, 3, 2, 1, 2, 1, None, 2, 2)
ODI_HEADINGS = [
    "Pain intensity",
    "Personal care",
    "Lifting",
    "Walking",
    "Sitting",
    "Standing",
    "Sleeping",
    "Sex life",
    "Social life",
    "Travelling",
]
PATHWAY_TITLE = "Vertebral compression fracture care pathway"


def _record(client: httpx.Client, episode_id: str, **body: Any) -> dict[str, Any]:
    answer = client.post(f"/api/v1/episodes/{episode_id}/outcomes", json=body)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def _set_status(client: httpx.Client, found: dict[str, Any], status: str) -> None:
    answer = client.patch(
        f"/api/v1/follow-up/contacts/{found['id']}",
        json={"status": status, "version": found["version"]},
    )
    assert answer.status_code == 200, answer.text


def _by_url(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["fullUrl"]: entry["resource"] for entry in bundle["entry"]}


def _url_of(bundle: dict[str, Any], resource: dict[str, Any]) -> str:
    return next(e["fullUrl"] for e in bundle["entry"] if e["resource"] is resource)


def _coded(kind: str, code: str, bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        r
        for r in resources(bundle, kind)
        if any(c["code"] == code for c in r["code"].get("coding", []))
    ]


def _record_urls(bundle: dict[str, Any]) -> list[str]:
    """Every entry but the AuditEvents (each export audits itself anew)."""
    return [e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] != "AuditEvent"]


def _plans(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {plan["title"]: plan for plan in resources(bundle, "CarePlan")}


def _expected_items(sections: list[int | None]) -> list[dict[str, Any]]:
    return [
        {"linkId": f"odi-{number}", "text": heading, "answer": [{"valueInteger": points}]}
        for number, (heading, points) in enumerate(
            zip(ODI_HEADINGS, sections, strict=True), start=1
        )
        if points is not None
    ]


def test_outcomes_export_as_questionnaire_responses_and_scores(
    clinic: ClinicUsers, r4_schema: R4Schema
) -> None:
    episode = discharged_episode(clinic)
    with clinic.client(Role.NURSE) as client:
        baseline = _record(
            client,
            episode["id"],
            time_point="baseline",
            method="visit",
            nrs=8,
            odi_sections=ALL_ANSWERED_ODI,
            rmdq_items=[True] * 15 + [False] * 9,
        )
        week_2 = _record(
            client,
            episode["id"],
            time_point="week_2",
            method="phone",
            nrs=4,
            odi_sections=ONE_UNANSWERED_ODI,
        )
        bundle = export(client, episode["id"])
        again = export(client, episode["id"])
    assert_valid(bundle, r4_schema)
    patient_url = _url_of(bundle, resources(bundle, "Patient")[0])
    by_url = _by_url(bundle)

    scores = sorted(
        _coded("Observation", "97909-6", bundle), key=lambda o: o["valueQuantity"]["value"]
    )
    assert [(o["valueQuantity"], o["effectiveDateTime"]) for o in scores] == [
        ({"value": 32.0, "unit": "%", "system": UCUM, "code": "%"}, baseline["collected_on"]),
        ({"value": 35.6, "unit": "%", "system": UCUM, "code": "%"}, week_2["collected_on"]),
    ]
    assert scores[0]["code"]["coding"] == [
        {"system": LOINC, "code": "97909-6", "display": "Oswestry disability index score ODI"}
    ]
    assert [o["category"][0]["coding"][0]["code"] for o in scores] == ["survey", "survey"]
    assert [o["interpretation"][0]["text"] for o in scores] == [
        f"ODI band: {baseline['odi_band']}",
        f"ODI band: {week_2['odi_band']}",
    ]
    assert "note" not in scores[0]
    assert scores[1]["note"] == [
        {"text": "Section 8 (sex life) unanswered: scored over the 9 sections answered."}
    ]
    [baseline_response] = [by_url[ref["reference"]] for ref in scores[0]["derivedFrom"]]
    [week_2_response] = [by_url[ref["reference"]] for ref in scores[1]["derivedFrom"]]
    assert baseline_response["resourceType"] == "QuestionnaireResponse"
    assert baseline_response["status"] == "completed"
    assert baseline_response["subject"] == {"reference": patient_url}
    assert baseline_response["authored"] == baseline["collected_on"]
    assert baseline_response["item"] == _expected_items(ALL_ANSWERED_ODI)
    assert week_2_response["item"] == _expected_items(ONE_UNANSWERED_ODI)
    assert "odi-8" not in {item["linkId"] for item in week_2_response["item"]}
    assert baseline_response["author"] == {"display": f"Nurse of {clinic.slug}"}
    assert "source" not in baseline_response  # entered by staff
    assert len(resources(bundle, "QuestionnaireResponse")) == 2

    pain = _coded("Observation", "72514-3", bundle)
    assert sorted((o["effectiveDateTime"], o["valueInteger"]) for o in pain) == sorted(
        [(baseline["collected_on"], 8), (week_2["collected_on"], 4)]
    )
    [rmdq] = [
        o
        for o in resources(bundle, "Observation")
        if o["code"].get("text") == "Roland-Morris Disability Questionnaire score"
    ]
    assert rmdq["code"] == {"text": "Roland-Morris Disability Questionnaire score"}
    assert rmdq["valueInteger"] == baseline["rmdq_score"] == 15
    assert rmdq["note"] == [{"text": "Statements ticked of the 24 (RMDQ-24)."}]

    assert _record_urls(again) == _record_urls(bundle)  # the same ids on every export


def test_the_follow_up_schedule_is_a_care_plan_within_the_pathway(
    clinic: ClinicUsers, r4_schema: R4Schema
) -> None:
    episode = discharged_episode(clinic)
    with clinic.client(Role.NURSE) as client:
        view = follow_up(client, episode["id"])
        _set_status(client, contact(view, "day_1"), "missed")
        _set_status(client, contact(view, "month_12"), "cancelled")
        month_3 = contact(view, "month_3")
        moved_to = (date.fromisoformat(month_3["due_date"]) + timedelta(days=7)).isoformat()
        moved = client.post(
            f"/api/v1/follow-up/contacts/{month_3['id']}/reschedule",
            json={"due_date": moved_to, "reason": "patient away", "version": month_3["version"]},
        )
        assert moved.status_code == 200, moved.text
        _record(client, episode["id"], time_point="week_2", nrs=3, odi_sections=ALL_ANSWERED_ODI)
        view = follow_up(client, episode["id"])
        bundle = export(client, episode["id"])
    assert_valid(bundle, r4_schema)
    plans = _plans(bundle)
    schedule, pathway = plans["Follow-up schedule"], plans[PATHWAY_TITLE]
    assert schedule["id"] == view["plan"]["id"]
    assert schedule["status"] == "active" and schedule["intent"] == "plan"
    assert schedule["partOf"] == [{"reference": _url_of(bundle, pathway)}]
    assert schedule["subject"] == pathway["subject"]
    assert schedule["period"] == {"start": view["plan"]["anchor_date"]}
    activities = [
        (
            a["detail"]["code"]["text"],
            a["detail"]["kind"],
            a["detail"]["status"],
            a["detail"]["scheduledPeriod"],
        )
        for a in schedule["activity"]
    ]
    status = {"day_1": "cancelled", "week_2": "completed", "month_3": "scheduled"}
    status["month_12"] = "cancelled"
    assert activities == [
        (
            c["label"],
            "Appointment",
            status[c["code"]],
            {"start": c["due_date"], "end": c["window_end"]},
        )
        for c in view["contacts"]
    ]
    details = {a["detail"]["code"]["text"]: a for a in schedule["activity"]}
    day_1, week_2 = contact(view, "day_1"), contact(view, "week_2")
    assert details[day_1["label"]]["detail"]["statusReason"] == {
        "text": "Missed: the contact did not take place"
    }
    assert details[day_1["label"]]["detail"]["description"] == "By phone."
    assert details[week_2["label"]]["detail"]["description"] == "At a clinic visit."
    assert details[month_3["label"]]["detail"]["scheduledPeriod"]["start"] == moved_to
    assert details[month_3["label"]]["detail"]["description"] == (
        f"At a clinic visit. Moved from {month_3['due_date']}: patient away."
    )
    outcome_urls = {_url_of(bundle, r) for r in resources(bundle, "QuestionnaireResponse")} | {
        _url_of(bundle, r)
        for code in ("72514-3", "97909-6")
        for r in _coded("Observation", code, bundle)
    }
    assert len(outcome_urls) == 3  # the answers, the ODI score, the pain score
    assert {ref["reference"] for ref in details[week_2["label"]]["outcomeReference"]} == (
        outcome_urls
    )
    assert "outcomeReference" not in details[day_1["label"]]


def test_answers_sent_through_the_personal_link_name_the_patient_as_source(
    clinic: ClinicUsers, r4_schema: R4Schema
) -> None:
    episode = discharged_episode(clinic)
    with clinic.client(Role.NURSE) as client:
        made = client.post(
            f"/api/v1/episodes/{episode['id']}/outcome-links", json={"time_point": "week_2"}
        )
        assert made.status_code == 201, made.text
    with clinic.server.client() as anonymous:
        sent = anonymous.post(
            f"/api/v1/questionnaires/{token_of(made.json()['url'])}",
            json={"odi_sections": ONE_UNANSWERED_ODI},
        )
        assert sent.status_code == 201, sent.text
    with clinic.client(Role.COORDINATOR) as client:
        bundle = export(client, episode["id"])
    assert_valid(bundle, r4_schema)
    patient = {"reference": _url_of(bundle, resources(bundle, "Patient")[0])}
    [response] = resources(bundle, "QuestionnaireResponse")
    assert response["source"] == patient and response["author"] == patient
    [score] = _coded("Observation", "97909-6", bundle)
    assert score["valueQuantity"]["value"] == 35.6
    assert score["method"] == {"text": "Answered by the patient through a personal link"}
    assert _coded("Observation", "72514-3", bundle) == []


def test_a_schedule_whose_contacts_are_all_done_is_completed(
    clinic: ClinicUsers, r4_schema: R4Schema
) -> None:
    episode = conservative_episode(clinic)
    with clinic.client(Role.NURSE) as client:
        (visit,) = follow_up(client, episode["id"])["contacts"]
        _record(client, episode["id"], time_point=visit["code"], method="visit", nrs=2)
        bundle = export(client, episode["id"])
    assert_valid(bundle, r4_schema)
    schedule = _plans(bundle)["Follow-up schedule"]
    assert schedule["status"] == "completed"
    [activity] = schedule["activity"]
    assert activity["detail"]["status"] == "completed"
    assert activity["detail"]["scheduledPeriod"] == {
        "start": visit["due_date"],
        "end": visit["window_end"],
    }
    [pain] = resources(bundle, "Observation")  # pain only: no questionnaire, no ODI score
    assert pain["valueInteger"] == 2
    assert resources(bundle, "QuestionnaireResponse") == []
    assert activity["outcomeReference"] == [{"reference": _url_of(bundle, pain)}]


def test_an_episode_without_follow_up_exports_no_follow_up_resources(
    clinic: ClinicUsers, r4_schema: R4Schema
) -> None:
    from tests.api.helpers import create_patient, open_episode

    with clinic.client(Role.COORDINATOR) as client:
        episode = open_episode(client, create_patient(client)["id"])
        bundle = export(client, episode["id"])
    assert_valid(bundle, r4_schema)
    assert list(_plans(bundle)) == [PATHWAY_TITLE]
    assert resources(bundle, "Observation") == resources(bundle, "QuestionnaireResponse") == []
