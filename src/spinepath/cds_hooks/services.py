"""The CDS services spinepath offers, their prefetch templates, and the hook requests they accept.

- ``spinepath-order-select`` (order-select) and ``spinepath-order-sign`` (order-sign): when a
  draft vertebroplasty or kyphoplasty order is selected or signed (a ServiceRequest coded CPT
  22510-22515, or named so in its text), the candidacy criteria and what is missing, the
  contraindications, and the medicine holds for the procedure, with a link into spinepath.
  Other orders get no cards (an empty list) and need no data.
- ``spinepath-patient-view`` (patient-view): a vertebral fragility fracture on record and no
  current osteoporosis medicine gives a fracture-liaison card.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from spinepath.cds_hooks.cards import (
    CardContext,
    Record,
    augmentation_orders,
    candidacy_card,
    fracture_liaison_card,
    holds_card,
)
from spinepath.clinical.errors import FieldError, errors_from_validation
from spinepath.fhir import codes

PATIENT = "Patient/{{context.patientId}}"
CONDITIONS = "Condition?patient={{context.patientId}}"
MEDICATIONS = "MedicationRequest?patient={{context.patientId}}&status=active"
ALLERGIES = "AllergyIntolerance?patient={{context.patientId}}"
ORDER_OBSERVATION_CODES = (
    "72514-3",  # pain score
    "38265-5",  # DXA T-score
    "6301-6",  # INR
    "34714-6",  # INR
    "777-3",  # platelets
    "2164-2",  # creatinine clearance
    "33914-3",  # eGFR
    "62238-1",  # eGFR
    "98979-8",  # eGFR
)


def _observations(loinc_codes: tuple[str, ...]) -> str:
    return "Observation?patient={{context.patientId}}&code=" + ",".join(
        f"{codes.LOINC}|{code}" for code in loinc_codes
    )


class FhirAuthorization(BaseModel):
    model_config = ConfigDict(extra="allow")

    access_token: str = Field(min_length=1)
    token_type: str | None = None
    expires_in: int | None = None
    scope: str | None = None
    subject: str | None = None
    patient: str | None = None


class HookRequest(BaseModel):
    """A CDS Hooks 2.0 service request (unknown fields, such as extensions, are allowed)."""

    model_config = ConfigDict(extra="allow")

    hook: str = Field(min_length=1)
    hookInstance: str = Field(min_length=1, max_length=200)
    fhirServer: str | None = None
    fhirAuthorization: FhirAuthorization | None = None
    context: dict[str, Any]
    prefetch: dict[str, Any] | None = None

    @property
    def patient_id(self) -> str | None:
        value = self.context.get("patientId")
        return value if isinstance(value, str) else None

    @property
    def token(self) -> str | None:
        return self.fhirAuthorization.access_token if self.fhirAuthorization else None


# The context fields each hook must carry (CDS Hooks hook definitions) and their JSON types.
CONTEXT_FIELDS: dict[str, dict[str, type]] = {
    "patient-view": {"userId": str, "patientId": str},
    "order-select": {"userId": str, "patientId": str, "selections": list, "draftOrders": dict},
    "order-sign": {"userId": str, "patientId": str, "draftOrders": dict},
}
_TYPE_NAMES: dict[type, str] = {
    str: "a string",
    list: "an array",
    dict: "an object (a FHIR Bundle)",
}


CardsFunction = Callable[[HookRequest, Record, CardContext, datetime], list[dict[str, Any]]]


@dataclass(frozen=True)
class CdsService:
    id: str
    hook: str
    title: str
    description: str
    prefetch: dict[str, str]
    required: frozenset[str]
    needs_data: Callable[[HookRequest], bool]
    cards: CardsFunction
    usage_requirements: str | None = None

    def discovery(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "hook": self.hook,
            "title": self.title,
            "description": self.description,
            "id": self.id,
            "prefetch": self.prefetch,
        }
        if self.usage_requirements:
            entry["usageRequirements"] = self.usage_requirements
        return entry

    def parse(self, raw: Any) -> HookRequest:
        """The validated request; raises InvalidRequest naming every bad field."""
        if not isinstance(raw, dict):
            raise InvalidRequest([FieldError("(body)", "must be a JSON object")])
        try:
            request = HookRequest.model_validate(raw)
        except ValidationError as error:
            raise InvalidRequest(errors_from_validation(error)) from None
        problems: list[FieldError] = []
        if request.hook != self.hook:
            problems.append(
                FieldError("hook", f"this service answers {self.hook}, not {request.hook}")
            )
        for name, kind in CONTEXT_FIELDS.get(self.hook, {}).items():
            value = request.context.get(name)
            if not isinstance(value, kind) or (kind is str and not value):
                problems.append(
                    FieldError(f"context.{name}", f"is required and must be {_TYPE_NAMES[kind]}")
                )
        if request.fhirServer is not None and not request.fhirServer.startswith(
            ("http://", "https://")
        ):
            problems.append(FieldError("fhirServer", "must be an http(s) URL"))
        if problems:
            raise InvalidRequest(problems)
        return request


class InvalidRequest(Exception):
    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


# ---- order-select / order-sign ---------------------------------------------------------------
def _selections(request: HookRequest) -> list[str] | None:
    if request.hook != "order-select":
        return None
    return [s for s in request.context.get("selections", []) if isinstance(s, str)]


def _orders_need_data(request: HookRequest) -> bool:
    return bool(augmentation_orders(request.context.get("draftOrders"), _selections(request)))


def _order_cards(
    request: HookRequest, record: Record, ctx: CardContext, now: datetime
) -> list[dict[str, Any]]:
    orders = augmentation_orders(request.context.get("draftOrders"), _selections(request))
    if not orders:
        return []
    cards = [candidacy_card(ctx, record, orders, now)]
    holds = holds_card(ctx, record, orders, now)
    if holds is not None:
        cards.append(holds)
    return cards


ORDER_PREFETCH = {
    "patient": PATIENT,
    "conditions": CONDITIONS,
    "medications": MEDICATIONS,
    "observations": _observations(ORDER_OBSERVATION_CODES),
    "allergies": ALLERGIES,
}
_ORDER_REQUIRED = frozenset({"patient", "conditions", "medications"})
_ORDER_DESCRIPTION = (
    "For a draft vertebroplasty or kyphoplasty order (CPT 22510-22515 or named in the order "
    "text): the candidacy criteria (Medicare LCD L38201, NICE TA279) with what is missing, the "
    "contraindications, the medicine holds from the active medication orders and kidney "
    "function, and a link into spinepath. Other orders get no cards."
)
_USAGE = (
    "Needs the prefetched data, or a fhirServer with fhirAuthorization this service may use; "
    "answers 412 when the patient, conditions or medication orders cannot be obtained."
)


# ---- patient-view ----------------------------------------------------------------------------
def _patient_cards(
    request: HookRequest, record: Record, ctx: CardContext, now: datetime
) -> list[dict[str, Any]]:
    card = fracture_liaison_card(ctx, record)
    return [card] if card is not None else []


SERVICES: dict[str, CdsService] = {
    service.id: service
    for service in (
        CdsService(
            id="spinepath-order-select",
            hook="order-select",
            title="spinepath: vertebral augmentation order check",
            description=_ORDER_DESCRIPTION,
            prefetch=ORDER_PREFETCH,
            required=_ORDER_REQUIRED,
            needs_data=_orders_need_data,
            cards=_order_cards,
            usage_requirements=_USAGE,
        ),
        CdsService(
            id="spinepath-order-sign",
            hook="order-sign",
            title="spinepath: vertebral augmentation order check at signing",
            description=_ORDER_DESCRIPTION,
            prefetch=ORDER_PREFETCH,
            required=_ORDER_REQUIRED,
            needs_data=_orders_need_data,
            cards=_order_cards,
            usage_requirements=_USAGE,
        ),
        CdsService(
            id="spinepath-patient-view",
            hook="patient-view",
            title="spinepath: fracture liaison",
            description=(
                "A patient with a vertebral fragility fracture on record and no current "
                "osteoporosis medicine gets a card asking for fracture-liaison referral."
            ),
            prefetch={
                "patient": PATIENT,
                "conditions": CONDITIONS,
                "medications": MEDICATIONS,
                "observations": _observations(("38265-5",)),
            },
            required=frozenset({"conditions", "medications"}),
            needs_data=lambda request: True,
            cards=_patient_cards,
            usage_requirements=(
                "Needs the prefetched conditions and medication orders, or a fhirServer this "
                "service may use; answers 412 otherwise."
            ),
        ),
    )
}


def discovery() -> dict[str, Any]:
    return {"services": [service.discovery() for service in SERVICES.values()]}
