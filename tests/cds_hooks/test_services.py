"""The CDS services over real HTTP: order-select / order-sign for vertebral augmentation orders,
patient-view fracture liaison, full / partial / no prefetch, 412, feedback."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select

from spinepath.accounts import service as accounts
from spinepath.accounts.models import Clinic, User, UserRole
from spinepath.accounts.roles import Role
from spinepath.audit.models import AuditEvent
from spinepath.cds_hooks.models import CdsCard, CdsFeedback
from spinepath.clinical.candidacy.evaluate import evaluate_case
from spinepath.clinical.preparation.plan import make_plan
from spinepath.fhir import importer
from spinepath.fhir.stream import ImportFile
from tests.cds_hooks.conftest import CdsWorld
from tests.cds_hooks.support import (
    allergy,
    augmentation_order,
    card_problems,
    cds_fixture,
    condition,
    draft_orders,
    hook_request,
    medication,
    observation,
    patient,
    searchset,
)

SELECT = "spinepath-order-select"
SIGN = "spinepath-order-sign"
VIEW = "spinepath-patient-view"


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def new_pid() -> str:
    return f"p-{uuid.uuid4().hex[:10]}"


def record(
    pid: str, *, infection: bool = False, cement: bool = False
) -> dict[str, list[dict[str, Any]]]:
    today = now()
    conditions = [
        condition(
            "c-vcf",
            pid,
            "M80.08XA",
            "Age-related osteoporosis with current pathological fracture, vertebra(e)",
            onset=(today - timedelta(days=30)).date().isoformat(),
            level="L1",
        )
    ]
    if infection:
        conditions.append(condition("c-inf", pid, "M46.25", "Osteomyelitis of vertebra"))
    return {
        "patient": [patient(pid)],
        "conditions": conditions,
        "medications": [
            medication("m-warf", pid, "Warfarin Sodium 5 MG Oral Tablet", "855332"),
            medication("m-apix", pid, "apixaban 5 mg"),
            medication("m-unk", pid, "Zyxoral 5 MG Oral Tablet"),
        ],
        "observations": [
            observation("o-crcl", pid, "2164-2", 45, "mL/min", today - timedelta(days=2)),
            observation("o-pain", pid, "72514-3", 8, "{score}", today - timedelta(days=1)),
            observation("o-inr", pid, "6301-6", 2.4, "{INR}", today - timedelta(days=3)),
        ],
        "allergies": [allergy("a-pmma", pid, "Bone cement (polymethylmethacrylate)")]
        if cement
        else [],
    }


def prefetch_of(
    data: dict[str, list[dict[str, Any]]], keys: tuple[str, ...] | None = None
) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, items in data.items():
        if keys is not None and key not in keys:
            continue
        found[key] = items[0] if key == "patient" else searchset(items)
    return found


def order_context(pid: str, *orders: dict[str, Any], hook: str = "order-select") -> dict[str, Any]:
    context: dict[str, Any] = {
        "userId": "Practitioner/1",
        "patientId": pid,
        "draftOrders": draft_orders(*orders),
    }
    if hook == "order-select":
        context["selections"] = [f"ServiceRequest/{orders[0]['id']}"]
    return context


def cards_of(answer: httpx.Response) -> list[dict[str, Any]]:
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"cards"}
    for card in body["cards"]:
        assert card_problems(card) == [], card
    return list(body["cards"])


def test_an_augmentation_order_gets_criteria_and_medicine_hold_cards(world: CdsWorld) -> None:
    pid = new_pid()
    data = record(pid)
    when = now() + timedelta(days=10)
    order = augmentation_order("sr-1", pid, cpt="22514", levels=("L1",), when=when)
    cards = cards_of(
        world.call(
            SELECT,
            hook_request("order-select", order_context(pid, order), prefetch=prefetch_of(data)),
        )
    )
    candidacy, holds = cards
    # What the candidacy core says for the same facts.
    expected = evaluate_case(
        {
            "assessment_date": now().date().isoformat(),
            "patient": {"birth_date": "1941-05-04", "sex": "female"},
            "fractures": [
                {
                    "level": "L1",
                    "etiology": "osteoporotic",
                    "symptom_onset": (now() - timedelta(days=30)).date().isoformat(),
                }
            ],
            "pain": {"nrs": 8},
            "screening": {},
        }
    )
    statuses = {block["status"] for block in expected["criteria_sets"].values()}
    assert candidacy["indicator"] == ("info" if statuses == {"met"} else "warning")
    for block in expected["criteria_sets"].values():
        assert block["title"] in candidacy["detail"]
    assert candidacy["detail"].startswith("**Order**")  # GitHub-flavoured markdown
    assert "\n- " in candidacy["detail"]
    assert "L1" in candidacy["detail"] and "CPT 22514" in candidacy["detail"]
    assert "pain 8/10" in candidacy["detail"]
    assert candidacy["links"][0]["url"].endswith("/patients/new")
    # What the preparation planner says for the same medicines and kidney function.
    plan = make_plan(
        {
            "procedure_start": when.isoformat(),
            "creatinine_clearance_ml_min": 45.0,
            "medications": [
                {"name": "Warfarin Sodium 5 MG Oral Tablet", "rxnorm": "855332"},
                {"name": "apixaban 5 mg"},
                {"name": "Zyxoral 5 MG Oral Tablet"},
            ],
        },
        now=now(),
    )
    actions = {m["input"]: m["action"] for m in plan["medications"]}
    assert actions["Warfarin Sodium 5 MG Oral Tablet"] in ("hold", "review")
    assert actions["Zyxoral 5 MG Oral Tablet"] == "review"
    for name, action in actions.items():
        assert f"({name}): **{action}**" in holds["detail"]
    assert holds["indicator"] == "warning"
    assert "creatinine clearance 45 mL/min" in holds["detail"]
    assert "INR 2.4" in holds["detail"]  # shown, with its date, as on record
    assert "overrideReasons" in holds and all(r["display"] for r in holds["overrideReasons"])


def test_an_absolute_contraindication_makes_the_card_critical(world: CdsWorld) -> None:
    pid = new_pid()
    order = augmentation_order("sr-2", pid, cpt="22511")
    cards = cards_of(
        world.call(
            SIGN,
            hook_request(
                "order-sign",
                order_context(pid, order, hook="order-sign"),
                prefetch=prefetch_of(record(pid, infection=True, cement=True)),
            ),
            token=world.token(SIGN),
        )
    )
    candidacy = cards[0]
    assert candidacy["indicator"] == "critical"
    assert candidacy["summary"].startswith("Vertebroplasty: contraindicated")
    assert "Osteomyelitis of vertebra" in candidacy["detail"]
    assert "cement allergy" in candidacy["detail"]


def test_orders_that_are_not_vertebral_augmentation_get_no_cards_and_no_data_is_fetched(
    world: CdsWorld,
) -> None:
    pid = new_pid()
    other = {
        "resourceType": "ServiceRequest",
        "id": "sr-mri",
        "status": "draft",
        "intent": "order",
        "code": {"text": "MRI lumbar spine"},
        "subject": {"reference": f"Patient/{pid}"},
    }
    augmentation = augmentation_order("sr-aug", pid)
    seen_before = len(world.fhir.http.seen)
    # Only the selected order counts in order-select: the augmentation order is not selected.
    context = order_context(pid, other, augmentation)
    answer = world.call(
        SELECT,
        hook_request(
            "order-select",
            context,
            fhirServer=world.fhir.base,
            fhirAuthorization={
                "access_token": "fhir-token",
                "token_type": "Bearer",
                "expires_in": 300,
                "scope": "user/*.read",
                "subject": "x",
            },
        ),
    )
    assert cards_of(answer) == []
    assert len(world.fhir.http.seen) == seen_before


def test_an_order_named_in_text_is_recognised(world: CdsWorld) -> None:
    pid = new_pid()
    order = augmentation_order(
        "sr-3", pid, cpt=None, text="Balloon kyphoplasty T12", levels=("T12",)
    )
    cards = cards_of(
        world.call(
            SELECT,
            hook_request(
                "order-select", order_context(pid, order), prefetch=prefetch_of(record(pid))
            ),
        )
    )
    assert cards[0]["summary"].startswith("Kyphoplasty")
    assert "(text)" in cards[0]["detail"]


def _authorization() -> dict[str, Any]:
    return {
        "access_token": "fhir-token",
        "token_type": "Bearer",
        "expires_in": 300,
        "scope": "user/Patient.read user/Condition.read",
        "subject": "spinepath",
    }


def test_partial_prefetch_is_completed_from_the_fhir_server_with_the_given_token(
    world: CdsWorld,
) -> None:
    pid = new_pid()
    data = record(pid)
    world.fhir.add(pid, *[r for items in data.values() for r in items])
    order = augmentation_order("sr-4", pid)
    before = len(world.fhir.http.seen)
    answer = world.call(
        SELECT,
        hook_request(
            "order-select",
            order_context(pid, order),
            prefetch=prefetch_of(data, ("patient", "conditions")),
            fhirServer=world.fhir.base,
            fhirAuthorization=_authorization(),
        ),
    )
    cards = cards_of(answer)
    asked = world.fhir.http.seen[before:]
    assert sorted(s.path for s in asked) == [
        "/fhir/AllergyIntolerance",
        "/fhir/MedicationRequest",
        "/fhir/Observation",
    ]
    assert {s.headers["authorization"] for s in asked} == {"Bearer fhir-token"}
    assert {s.query["patient"][0] for s in asked} == {pid}
    assert "warfarin" in cards[1]["summary"]


def test_without_prefetch_everything_comes_from_the_fhir_server(world: CdsWorld) -> None:
    pid = new_pid()
    data = record(pid, cement=True)
    world.fhir.add(pid, *[r for items in data.values() for r in items])
    order = augmentation_order("sr-5", pid)
    cards = cards_of(
        world.call(
            SIGN,
            hook_request(
                "order-sign",
                order_context(pid, order, hook="order-sign"),
                fhirServer=world.fhir.base,
                fhirAuthorization=_authorization(),
            ),
            token=world.token(SIGN),
        )
    )
    assert "cement allergy" in cards[0]["detail"]
    assert cards[0]["indicator"] in ("warning", "critical")


def test_412_when_required_data_cannot_be_obtained(world: CdsWorld) -> None:
    pid = new_pid()
    order = augmentation_order("sr-6", pid)
    context = order_context(pid, order)
    no_server = world.call(SELECT, hook_request("order-select", context))
    closed_port = world.call(
        SELECT,
        hook_request(
            "order-select",
            context,
            fhirServer="http://127.0.0.1:9/fhir",
            fhirAuthorization=_authorization(),
        ),
    )
    not_allowed = world.call(
        SELECT,
        hook_request(
            "order-select",
            context,
            fhirServer="https://example/r4",
            fhirAuthorization=_authorization(),
        ),
    )
    world.fhir.add(pid, patient(pid))
    wrong_token = world.call(
        SELECT,
        hook_request(
            "order-select",
            context,
            fhirServer=world.fhir.base,
            fhirAuthorization={**_authorization(), "access_token": "stolen"},
        ),
    )
    outcome = world.call(
        SELECT,
        hook_request(
            "order-select",
            context,
            prefetch={
                "patient": patient(pid),
                "conditions": searchset([]),
                "medications": {"resourceType": "OperationOutcome", "issue": []},
            },
        ),
    )
    for answer in (no_server, closed_port, not_allowed, wrong_token, outcome):
        assert answer.status_code == 412, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
    assert "no fhirServer" in no_server.json()["detail"]
    assert "answered 401" in wrong_token.json()["detail"]
    assert "medications" in outcome.json()["detail"]


def test_null_prefetch_means_no_data_not_missing_data(world: CdsWorld) -> None:
    pid = new_pid()
    order = augmentation_order("sr-7", pid)
    answer = world.call(
        SELECT,
        hook_request(
            "order-select",
            order_context(pid, order),
            prefetch={
                "patient": None,
                "conditions": None,
                "medications": None,
                "observations": None,
                "allergies": None,
            },
        ),
    )
    cards = cards_of(answer)
    assert len(cards) == 1  # criteria only: no medication orders, no hold card
    assert "Missing" in cards[0]["detail"]


def test_patient_view_suggests_fracture_liaison_only_without_osteoporosis_treatment(
    world: CdsWorld,
) -> None:
    pid = new_pid()
    untreated = record(pid)
    treated = {
        **untreated,
        "medications": [medication("m-aln", pid, "Alendronic acid 10 MG Oral Tablet", "904419")],
    }
    context = {"userId": "Practitioner/1", "patientId": pid}
    first = cards_of(
        world.call(VIEW, hook_request("patient-view", context, prefetch=prefetch_of(untreated)))
    )
    second = cards_of(
        world.call(VIEW, hook_request("patient-view", context, prefetch=prefetch_of(treated)))
    )
    [card] = first
    assert card["indicator"] == "warning"
    assert "fracture liaison" in card["summary"]
    assert "Zyxoral" in card["detail"]  # an unrecognised medicine is named for checking
    assert second == []


def test_the_link_opens_the_patient_in_spinepath_when_imported_from_this_ehr(
    world: CdsWorld,
) -> None:
    pid = new_pid()
    mrn = f"MRN-{uuid.uuid4().hex[:6]}"
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": patient(pid, mrn=mrn)}],
    }
    with world.server.session_factory() as session, session.begin():
        clinic = session.get(Clinic, world.clinic_id)
        assert clinic is not None
        user = User(
            clinic_id=clinic.id,
            username=f"imp.{uuid.uuid4().hex[:6]}",
            full_name="Importer",
            password_hash="x",
            role_rows=[UserRole(role=Role.COORDINATOR.value)],
        )
        session.add(user)
        session.flush()
        actor = accounts.actor_for(user)
        job = importer.submit(session, actor, ["bundle.json"], source=world.fhir.base)
    report = importer.run(
        world.server.session_factory,
        actor,
        job.id,
        [ImportFile("bundle.json", content=json.dumps(bundle).encode())],
        budget_bytes=64 * 1024 * 1024,
    )
    spinepath_id = report["patients"][0]["patient_id"]
    view = {"userId": "Practitioner/1", "patientId": pid}
    labelled = prefetch_of(record(pid))
    labelled["patient"] = patient(pid, mrn=mrn)
    by_identifier = cards_of(
        world.call(VIEW, hook_request("patient-view", view, prefetch=labelled))
    )
    unlabelled = prefetch_of(record(pid))
    unlabelled["patient"] = None
    by_source_id = cards_of(
        world.call(
            VIEW,
            hook_request("patient-view", view, prefetch=unlabelled, fhirServer=world.fhir.base),
        )
    )
    for cards in (by_identifier, by_source_id):
        assert cards[0]["links"][0]["url"].endswith(f"/patients/{spinepath_id}")
    with world.server.session_factory() as session:
        stored = session.scalars(
            select(CdsCard).where(CdsCard.id == uuid.UUID(by_identifier[0]["uuid"]))
        ).one()
        audited = session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.action == "cds_call", AuditEvent.patient_id == uuid.UUID(spinepath_id)
            )
            .order_by(AuditEvent.id)
        ).all()
    assert (stored.clinic_id, str(stored.patient_id), stored.ehr_patient_id) == (
        world.clinic_id,
        spinepath_id,
        pid,
    )
    assert len(audited) == 2
    assert audited[0].detail["cards"] == [by_identifier[0]["uuid"]]


def test_feedback_stores_accepted_and_overridden_cards_with_reasons(world: CdsWorld) -> None:
    pid = new_pid()
    order = augmentation_order("sr-8", pid)
    cards = cards_of(
        world.call(
            SELECT,
            hook_request(
                "order-select", order_context(pid, order), prefetch=prefetch_of(record(pid))
            ),
        )
    )
    reason = cards[0]["overrideReasons"][0]
    feedback = {
        "feedback": [
            {
                "card": cards[0]["uuid"],
                "outcome": "overridden",
                "overrideReason": {"reason": reason, "userComment": "Imaging done elsewhere"},
                "outcomeTimestamp": "2026-11-22T10:05:31Z",
            },
            {
                "card": cards[1]["uuid"],
                "outcome": "accepted",
                "acceptedSuggestions": [],
                "outcomeTimestamp": "2026-11-22T10:06:00Z",
            },
        ]
    }
    url = f"{world.url(SELECT)}/feedback"
    token = world.token(SELECT, aud=url)
    with httpx.Client() as client:
        answer = client.post(url, json=feedback, headers={"Authorization": f"Bearer {token}"})
        no_token = client.post(url, json=feedback)
        bad = client.post(
            url,
            json={
                "feedback": [{"card": "x", "outcome": "ignored", "outcomeTimestamp": "yesterday"}]
            },
            headers={"Authorization": f"Bearer {world.token(SELECT, aud=url)}"},
        )
    assert answer.status_code == 200, answer.text
    assert no_token.status_code == 401 and no_token.content == b""
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} == {
        "feedback.0.outcome",
        "feedback.0.outcomeTimestamp",
    }
    with world.server.session_factory() as session:
        rows = session.scalars(
            select(CdsFeedback).where(CdsFeedback.card_uuid.in_([c["uuid"] for c in cards]))
        ).all()
    stored = {row.card_uuid: row for row in rows}
    overridden = stored[cards[0]["uuid"]]
    assert (overridden.outcome, overridden.card_known, overridden.user_comment) == (
        "overridden",
        True,
        "Imaging done elsewhere",
    )
    assert overridden.override_reason == reason
    assert overridden.outcome_timestamp == datetime(2026, 11, 22, 10, 5, 31, tzinfo=UTC)
    assert (stored[cards[1]["uuid"]].outcome, stored[cards[1]["uuid"]].clinic_id) == (
        "accepted",
        world.clinic_id,
    )


def test_requests_that_break_the_hook_contract_are_400_naming_each_field(world: CdsWorld) -> None:
    wrong_hook = world.call(SELECT, hook_request("order-sign", {"userId": "x", "patientId": "p"}))
    missing = world.call(SELECT, hook_request("order-select", {"userId": "x"}))
    not_json = world.call(SELECT, b"{nope")
    unknown = world.call("no-such-service", hook_request("patient-view", {}))
    assert wrong_hook.status_code == 400
    assert {e["field"] for e in wrong_hook.json()["errors"]} >= {"hook"}
    assert {e["field"] for e in missing.json()["errors"]} == {
        "context.patientId",
        "context.selections",
        "context.draftOrders",
    }
    assert not_json.status_code == 400
    assert unknown.status_code == 404


def test_resources_in_older_or_odd_shapes_are_read_without_failing(world: CdsWorld) -> None:
    """Prefetch holding STU3-shaped and unusual resources (the hook pages' examples, wrong
    JSON types) still gets cards: what cannot be read is left out, never a 500."""
    pid = new_pid()
    odd: list[dict[str, Any]] = []
    for name in (
        "problem-list-item-create-0",
        "problem-list-item-create-1",
        "problem-list-item-create-2",
        "medication-prescribe-0",
        "medication-refill-0",
        "allergyintolerance-create-2",
    ):
        context = cds_fixture(f"hook-examples/{name}.json")["context"]
        for value in context.values():
            if isinstance(value, dict) and value.get("resourceType") == "Bundle":
                odd += [entry["resource"] for entry in value["entry"]]
    odd += [
        {"resourceType": "Condition", "id": "w1", "code": "osteoporosis"},
        {"resourceType": "Observation", "id": "w2", "code": {"coding": "72514-3"}},
        {"resourceType": "MedicationRequest", "id": "w3", "status": 7},
        {
            "resourceType": "Observation",
            "id": "w4",
            "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "72514-3"}]},
            "effectiveDateTime": "soon",
            "valueQuantity": {"value": "8"},
        },
    ]
    order = augmentation_order("sr-odd", pid)
    answer = world.call(
        SELECT,
        hook_request(
            "order-select",
            order_context(pid, order),
            prefetch={
                "patient": patient(pid),
                "conditions": searchset(odd),
                "medications": searchset(odd),
                "observations": searchset(odd),
                "allergies": searchset(odd),
            },
        ),
    )
    cards = cards_of(answer)
    assert cards[0]["summary"].startswith("Kyphoplasty")
