"""Replaying the CDS Hooks requests of the specification, its hook pages and the independent
Inferno test kit against the services over HTTP, and checking the card checker itself against
their example cards.

Fragments from the hook pages carry only a context; they are completed with ``hook`` and a
``hookInstance``. Where a request names an external fhirServer it is replayed twice: as sent
(that server is not one the test client may use, so required data cannot be got: 412), and
with the fhirServer pointed at the loopback FHIR server (everything else as sent).
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from spinepath.cds_hooks.models import CdsFeedback
from tests.cds_hooks.conftest import CdsWorld
from tests.cds_hooks.support import (
    CDS_FIXTURES,
    augmentation_order,
    card_problems,
    cds_fixture,
    patient,
)

VIEW = "spinepath-patient-view"
SELECT = "spinepath-order-select"
SIGN = "spinepath-order-sign"
SERVICE_FOR_HOOK = {"patient-view": VIEW, "order-select": SELECT, "order-sign": SIGN}


def complete(request: dict[str, Any], hook: str) -> dict[str, Any]:
    return {"hook": hook, "hookInstance": str(uuid.uuid4()), **copy.deepcopy(request)}


def hook_of(name: str) -> str:
    stem = Path(name).stem.removesuffix("-context-fragment")
    return stem.rsplit("-", 1)[0]


def cards(answer: httpx.Response) -> list[dict[str, Any]]:
    assert answer.status_code == 200, answer.text
    found = answer.json()["cards"]
    for card in found:
        assert card_problems(card) == []
    return list(found)


@pytest.fixture
def ehr_patient(world: CdsWorld) -> Iterator[None]:
    """The spec examples' patient 1288992 (and Inferno's "example") on the loopback server,
    answering the examples' own access tokens."""
    for pid in ("1288992", "example"):
        world.fhir.add(pid, patient(pid))
    extra = {"some-opaque-fhir-access-token", "SAMPLE_TOKEN"}
    world.fhir.tokens |= extra
    yield
    world.fhir.tokens -= extra


# ---- the specification's examples ------------------------------------------------------------
def test_spec_patient_view_with_prefetch_is_412_as_sent_and_answered_via_a_usable_server(
    world: CdsWorld, ehr_patient: None
) -> None:
    request = cds_fixture("spec-examples/01-hook-request-patient-view-with-prefetch.json")
    as_sent = world.call(VIEW, request)
    assert as_sent.status_code == 412
    assert "fhirServer is not one this client may use" in as_sent.json()["detail"]
    before = len(world.fhir.http.seen)
    local = {**request, "fhirServer": world.fhir.base}
    assert cards(world.call(VIEW, local)) == []
    asked = world.fhir.http.seen[before:]
    assert {s.headers["authorization"] for s in asked} == {"Bearer some-opaque-fhir-access-token"}
    assert sorted(s.path for s in asked) == [
        "/fhir/Condition",
        "/fhir/MedicationRequest",
        "/fhir/Observation",
        "/fhir/Patient/1288992",
    ]


def test_spec_request_with_extension_but_no_patient_is_refused_naming_the_field(
    world: CdsWorld,
) -> None:
    request = cds_fixture("spec-examples/22-hook-request-with-extension.json")
    answer = world.call(VIEW, request)
    assert answer.status_code == 400
    assert [e["field"] for e in answer.json()["errors"]] == ["context.patientId"]


def test_spec_request_extensions_are_accepted_when_the_request_is_otherwise_complete(
    world: CdsWorld, ehr_patient: None
) -> None:
    request = cds_fixture("spec-examples/22-hook-request-with-extension.json")
    request["context"]["patientId"] = "1288992"
    request["fhirServer"] = world.fhir.base
    request["fhirAuthorization"] = {"access_token": "some-opaque-fhir-access-token"}
    assert cards(world.call(VIEW, request)) == []


@pytest.mark.parametrize("name", ["18-feedback-request-18.json", "20-feedback-request-20.json"])
def test_spec_feedback_requests_are_stored(world: CdsWorld, name: str) -> None:
    feedback = cds_fixture(f"spec-examples/{name}")
    url = f"{world.url(VIEW)}/feedback"
    with httpx.Client() as client:
        answer = client.post(
            url, json=feedback, headers={"Authorization": f"Bearer {world.token(VIEW, aud=url)}"}
        )
    assert answer.status_code == 200, answer.text
    sent = feedback["feedback"][0]
    with world.server.session_factory() as session:
        stored = session.scalars(
            select(CdsFeedback)
            .where(CdsFeedback.card_uuid == sent["card"])
            .order_by(CdsFeedback.received_at.desc())
        ).first()
    assert stored is not None
    assert (stored.outcome, stored.card_known) == (sent["outcome"], False)
    if sent["outcome"] == "overridden":
        assert stored.override_reason == sent["overrideReason"]["reason"]
        assert stored.user_comment == sent["overrideReason"]["userComment"]
    else:
        assert stored.accepted_suggestions == sent["acceptedSuggestions"]


# ---- the hook pages' examples ----------------------------------------------------------------
HOOK_EXAMPLES = sorted(p.name for p in (CDS_FIXTURES / "hook-examples").glob("*.json"))
OURS = [n for n in HOOK_EXAMPLES if hook_of(n) in SERVICE_FOR_HOOK]
NOT_OURS = [n for n in HOOK_EXAMPLES if hook_of(n) not in SERVICE_FOR_HOOK]


def test_the_hook_examples_are_all_replayed() -> None:
    assert len(HOOK_EXAMPLES) == 22
    assert {hook_of(n) for n in OURS} == {"patient-view", "order-select", "order-sign"}


@pytest.mark.parametrize("name", OURS)
def test_hook_examples_for_our_hooks_are_answered(
    world: CdsWorld, ehr_patient: None, name: str
) -> None:
    hook = hook_of(name)
    request = complete(cds_fixture(f"hook-examples/{name}"), hook)
    request["fhirServer"] = world.fhir.base
    request["fhirAuthorization"] = {
        "access_token": "some-opaque-fhir-access-token",
        "token_type": "Bearer",
        "expires_in": 300,
        "scope": "user/*.read",
        "subject": "spinepath",
    }
    service = SERVICE_FOR_HOOK[hook]
    # The examples order diets and medicines, not vertebral augmentation: no cards.
    assert cards(world.call(service, request, token=world.token(service))) == []


@pytest.mark.parametrize("name", ["order-select-0.json", "order-sign-1.json"])
def test_hook_examples_with_a_vertebroplasty_order_added_get_cards(
    world: CdsWorld, ehr_patient: None, name: str
) -> None:
    hook = hook_of(name)
    request = complete(cds_fixture(f"hook-examples/{name}"), hook)
    order = augmentation_order("vp-1", "1288992", cpt="22510", levels=("T7",))
    request["context"]["draftOrders"]["entry"].append({"resource": order})
    if hook == "order-select":
        request["context"]["selections"].append("ServiceRequest/vp-1")
    request["fhirServer"] = world.fhir.base
    request["fhirAuthorization"] = {"access_token": "some-opaque-fhir-access-token"}
    service = SERVICE_FOR_HOOK[hook]
    found = cards(world.call(service, request, token=world.token(service)))
    assert found[0]["summary"].startswith("Vertebroplasty")
    assert "T7" in found[0]["detail"]


@pytest.mark.parametrize("name", NOT_OURS)
def test_hook_examples_for_hooks_we_do_not_serve_are_refused_clearly(
    world: CdsWorld, name: str
) -> None:
    hook = hook_of(name)
    request = complete(cds_fixture(f"hook-examples/{name}"), hook)
    answer = world.call(VIEW, request)
    assert answer.status_code == 400
    assert answer.json()["errors"][0] == {
        "field": "hook",
        "message": f"this service answers patient-view, not {hook}",
    }


# ---- the Inferno test kit's requests ---------------------------------------------------------
@pytest.mark.parametrize("name", ["order_select_hook_request.json", "order_sign_hook_request.json"])
def test_inferno_order_requests_get_no_cards_and_no_fetch(world: CdsWorld, name: str) -> None:
    request = cds_fixture(f"inferno-crd-fixtures/{name}")
    service = SERVICE_FOR_HOOK[request["hook"]]
    before = len(world.fhir.http.seen)
    assert cards(world.call(service, request, token=world.token(service))) == []
    assert len(world.fhir.http.seen) == before


@pytest.mark.parametrize(
    "name",
    [
        "appointment_book_hook_request.json",
        "encounter_start_hook_request.json",
        "encounter_discharge_hook_request.json",
        "order_dispatch_hook_request.json",
    ],
)
def test_inferno_requests_for_other_hooks_are_refused_clearly(world: CdsWorld, name: str) -> None:
    request = cds_fixture(f"inferno-crd-fixtures/{name}")
    for service in SERVICE_FOR_HOOK.values():
        answer = world.call(service, request, token=world.token(service))
        assert answer.status_code == 400
        assert answer.json()["errors"][0]["field"] == "hook"


# ---- the card checker against independent example cards --------------------------------------
def test_the_card_checker_accepts_the_spec_and_inferno_cards_and_catches_broken_ones() -> None:
    examples = [
        *cds_fixture("spec-examples/16-response-cards-example-2.json")["cards"],
        *cds_fixture("inferno-crd-fixtures/crd_authorization_hook_response.json")["cards"],
        *json.loads((CDS_FIXTURES / "inferno-crd-fixtures" / "valid_cards.json").read_text()),
    ]
    assert len(examples) >= 10
    for card in examples:
        assert card_problems(card) == [], card
    # The specification's third example omits indicator, which the card definition requires.
    [lung] = cds_fixture("spec-examples/17-response-cards-example-3.json")["cards"]
    assert card_problems(lung) == ["indicator must be info, warning or critical"]
    good = examples[0]
    broken = [
        {**good, "summary": "x" * 140},
        {**good, "indicator": "urgent"},
        {**good, "source": {"url": "https://example.com"}},
        {**good, "links": [{"label": "L", "url": "/relative", "type": "absolute"}]},
        {
            **good,
            "links": [
                {"label": "L", "url": "https://a.example", "type": "absolute", "appContext": "{}"}
            ],
        },
        {**good, "overrideReasons": [{"code": "c", "system": "https://s.example"}]},
        {**good, "suggestions": [{"label": "S", "actions": []}]},
        {**good, "detail": ""},
    ]
    for card in broken:
        assert card_problems(card) != [], card
