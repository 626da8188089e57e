"""CDS Hooks discovery: the services, their hooks and prefetch templates."""

from __future__ import annotations

import re

import httpx

from spinepath.cds_hooks.prefetch import fill
from tests.cds_hooks.conftest import CdsWorld
from tests.cds_hooks.support import cds_fixture, empties, hook_request

TOKEN = re.compile(r"\{\{(.*?)\}\}")
FIELDS = {"hook", "title", "description", "id", "prefetch", "usageRequirements", "extension"}


def test_discovery_lists_each_service_with_its_hook_and_prefetch(world: CdsWorld) -> None:
    with httpx.Client() as client:
        answer = client.get(f"{world.server.base_url}/cds-services")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    services = answer.json()["services"]
    assert empties(answer.json()) == []  # no null or empty JSON elements
    assert {(s["id"], s["hook"]) for s in services} == {
        ("spinepath-order-select", "order-select"),
        ("spinepath-order-sign", "order-sign"),
        ("spinepath-patient-view", "patient-view"),
    }
    for service in services:
        assert set(service) <= FIELDS
        for name in ("hook", "title", "description", "id"):
            assert isinstance(service[name], str) and service[name]
        for key, template in service["prefetch"].items():
            tokens = TOKEN.findall(template)
            assert tokens, (key, template)
            # Only root-level primitive context fields, named context.<field>.
            assert set(tokens) == {"context.patientId"}, template
        # {baseUrl}/cds-services/{id} is the service's endpoint.
        call = world.call(
            service["id"],
            hook_request(service["hook"], {"userId": "Practitioner/1", "patientId": "p"}),
        )
        assert call.status_code in (200, 400, 412), call.text


def test_our_discovery_has_the_shape_of_the_specification_example(world: CdsWorld) -> None:
    example = cds_fixture("spec-examples/00-discovery-response.json")
    with httpx.Client() as client:
        ours = client.get(f"{world.server.base_url}/cds-services").json()
    assert set(ours) == set(example) == {"services"}
    assert {key for s in example["services"] for key in s} <= FIELDS


def test_prefetch_templates_fill_only_from_primitive_context_fields() -> None:
    template = "Observation?patient={{context.patientId}}&code=http://loinc.org|2164-2"
    assert fill(template, {"patientId": "123"}) == (
        "Observation?patient=123&code=http://loinc.org|2164-2"
    )
    assert fill(template, {}) is None
    assert fill(template, {"patientId": {"reference": "Patient/1"}}) is None
    assert fill("Patient/{{userPractitionerId}}", {"patientId": "1"}) is None
