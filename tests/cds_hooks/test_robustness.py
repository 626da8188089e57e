"""Random input never produces a 500: hook requests with arbitrary prefetched resources, and
arbitrary imports (refused whole, or imported)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spinepath.accounts.roles import Role
from tests.cds_hooks.conftest import CdsWorld
from tests.cds_hooks.support import augmentation_order, draft_orders, hook_request, searchset
from tests.support import ClinicUsers

_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**6), max_value=10**6)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(["2026-11-01", "2026-11-01T10:00:00Z", "active", "L1", "72514-3"]),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["coding", "code", "system", "text", "value", "unit", "reference"]),
            children,
            max_size=3,
        )
    ),
    max_leaves=10,
)

_resources = st.fixed_dictionaries(
    {
        "resourceType": st.sampled_from(
            ["Condition", "Observation", "MedicationRequest", "AllergyIntolerance", "Patient"]
        ),
        "id": st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True),
    },
    optional={
        name: _values
        for name in (
            "status",
            "code",
            "clinicalStatus",
            "verificationStatus",
            "valueQuantity",
            "valueCodeableConcept",
            "effectiveDateTime",
            "onsetDateTime",
            "bodySite",
            "component",
            "medicationCodeableConcept",
            "birthDate",
            "gender",
            "identifier",
            "subject",
        )
    },
)

_quick = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@_quick
@given(
    resources=st.lists(_resources, max_size=6), key=st.sampled_from(["conditions", "medications"])
)
def test_arbitrary_prefetched_resources_never_cause_a_500(
    world: CdsWorld, resources: list[dict[str, Any]], key: str
) -> None:
    order = augmentation_order("sr-fuzz", "fuzz")
    prefetch: dict[str, Any] = {
        "patient": None,
        "conditions": None,
        "medications": None,
        "observations": searchset(resources),
        "allergies": searchset(resources),
    }
    prefetch[key] = searchset(resources)
    context = {
        "userId": "Practitioner/1",
        "patientId": "fuzz",
        "selections": ["ServiceRequest/sr-fuzz"],
        "draftOrders": draft_orders(order),
    }
    answer = world.call(
        "spinepath-order-select", hook_request("order-select", context, prefetch=prefetch)
    )
    assert answer.status_code == 200, answer.text


@_quick
@given(body=_values)
def test_arbitrary_hook_bodies_are_refused_not_failed(world: CdsWorld, body: Any) -> None:
    answer = world.call("spinepath-patient-view", json.dumps(body).encode())
    assert answer.status_code in (400, 412), answer.text


@_quick
@given(entries=st.lists(_resources, max_size=5))
def test_arbitrary_bundles_are_imported_or_refused_whole(
    clinic: ClinicUsers, entries: list[dict[str, Any]]
) -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in entries],
    }
    with clinic.client(Role.COORDINATOR) as client:
        answer = client.post(
            "/api/v1/fhir/import",
            content=json.dumps(bundle),
            headers={"Content-Type": "application/fhir+json"},
        )
    assert answer.status_code in (200, 422), answer.text
