"""From FHIR R4 resources to the facts spinepath uses, and the reasons for what it does not use.

One function per resource type returns :class:`Fact` values (or :class:`Skip` with a reason).
The same mapping serves the importer (facts stored per patient) and the CDS Hooks services
(facts read from prefetched resources), so both see a record the same way. Facts are never
invented: an element that is absent stays absent, and a medicine that is not recognised is kept
and flagged for review.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from spinepath.clinical.preparation.medicines import recognise
from spinepath.fhir import codes
from spinepath.fhir.reading import (
    Coding,
    Problems,
    Reader,
    When,
    best_display,
    codeable_of,
    first_code,
    parse_when,
    status_code,
)

USED_TYPES = (
    "Patient",
    "Condition",
    "MedicationRequest",
    "MedicationStatement",
    "Observation",
    "Procedure",
    "AllergyIntolerance",
)
# Read only to resolve a MedicationRequest's medicationReference.
SUPPORTING_TYPES = ("Medication",)

# Statuses that mean the record is a mistake or never happened: such resources are skipped.
_VOID_STATUSES = {"entered-in-error", "refuted", "cancelled", "not-done", "not-taken"}
# A medicine is current (for the planner) in these statuses.
CURRENT_MEDICATION_STATUSES = {"active", "on-hold", "intended"}
INACTIVE_CONDITION_STATUSES = {"inactive", "resolved", "remission"}


@dataclass(frozen=True)
class Fact:
    resource_type: str
    resource_id: str
    part: str
    kind: str  # condition, medication, observation, procedure, allergy
    category: str
    code_system: str | None
    code: str | None
    display: str
    status: str | None
    effective: str | None
    effective_at: datetime | None
    value_num: float | None = None
    value_unit: str | None = None
    value_text: str | None = None
    review: bool = False
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.resource_type, self.resource_id, self.part)

    @property
    def reference(self) -> str:
        return f"{self.resource_type}/{self.resource_id}"

    def content(self) -> dict[str, Any]:
        """Everything that, when it changes, makes a new version of the fact."""
        return {
            "kind": self.kind,
            "category": self.category,
            "code_system": self.code_system,
            "code": self.code,
            "display": self.display,
            "status": self.status,
            "effective": self.effective,
            "value_num": self.value_num,
            "value_unit": self.value_unit,
            "value_text": self.value_text,
            "review": self.review,
            "details": self.details,
        }

    def encoded_content(self) -> str:
        """The content as canonical JSON text: what ``content_hash`` digests."""
        return json.dumps(self.content(), sort_keys=True, separators=(",", ":"), default=str)

    def content_hash(self) -> str:
        return content_digest(self.encoded_content())


def content_digest(encoded_content: str) -> str:
    return hashlib.sha256(encoded_content.encode()).hexdigest()


@dataclass(frozen=True)
class Skip:
    resource: str
    reason: str


Resolver = Callable[[str | None], dict[str, Any] | None]


def _no_resolver(_: str | None) -> dict[str, Any] | None:
    return None


@dataclass
class Mapped:
    facts: list[Fact] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)


def map_resource(
    resource: dict[str, Any],
    resource_id: str,
    path: str,
    problems: Problems,
    resolve: Resolver = _no_resolver,
) -> Mapped:
    """The facts in one (non-Patient) resource; malformed elements are added to ``problems``."""
    reader = Reader(resource, path, problems)
    kind = resource.get("resourceType")
    ref = f"{kind}/{resource_id}"
    mapper = _MAPPERS.get(str(kind))
    if mapper is None:
        return Mapped(skipped=[Skip(ref, f"{kind} resources are not used by spinepath")])
    return mapper(reader, resource_id, resolve)


def _void(status: str | None) -> bool:
    return status is not None and status in _VOID_STATUSES


def _effective(reader: Reader, *names: str) -> When | None:
    for name in names:
        if reader.raw(name) is None:
            continue
        if name.endswith("Period"):
            period = reader.child(name)
            if period is not None:
                return period.when("start") or period.when("end")
            continue
        return reader.when(name)
    return None


# ---- Condition -----------------------------------------------------------------------------
def _condition(reader: Reader, resource_id: str, _: Resolver) -> Mapped:
    ref = f"Condition/{resource_id}"
    clinical = status_code(reader, "clinicalStatus")
    verification = status_code(reader, "verificationStatus")
    codings, text = reader.codeable("code")
    body_sites = reader.codeables("bodySite")
    onset = _effective(reader, "onsetDateTime", "onsetPeriod", "recordedDate")
    if _void(verification):
        return Mapped(skipped=[Skip(ref, f"verification status is {verification}")])
    found = codes.classify_condition(codings, text)
    display = best_display(codings, text)
    if found is None:
        return Mapped(
            skipped=[
                Skip(
                    ref,
                    "not a condition spinepath uses (osteoporosis, fractures, infection, "
                    "malignancy)",
                )
            ]
        )
    site_texts = [best_display(c, t) for c, t in body_sites]
    details: dict[str, Any] = {"matched_by": found.matched_by}
    if found.etiology:
        details["etiology"] = found.etiology
    if found.region:
        details["region"] = found.region
    if verification:
        details["verification_status"] = verification
    if found.category in {"vertebral_fracture", "neoplastic_fracture", "osteoporotic_fracture"}:
        level = codes.level_in_text(*site_texts, text, display)
        if level is not None:
            details["level"] = level
        if site_texts:
            details["body_site"] = "; ".join(s for s in site_texts if s)
    system, code = _main_code(codings)
    return Mapped(
        facts=[
            Fact(
                "Condition",
                resource_id,
                "",
                "condition",
                found.category,
                system,
                code,
                display,
                clinical,
                onset.text if onset else None,
                onset.at if onset else None,
                details=details,
            )
        ]
    )


def _main_code(codings: list[Coding]) -> tuple[str | None, str | None]:
    for preferred in (codes.ICD10CM, codes.SNOMED, codes.LOINC, codes.RXNORM, codes.CPT):
        code = first_code(codings, preferred)
        if code:
            return preferred, code
    for system, code, _ in codings:
        if code:
            return system or None, code
    return None, None


# ---- Medications ---------------------------------------------------------------------------
def _medication_concept(reader: Reader, resolve: Resolver) -> tuple[list[Coding], str, str | None]:
    """(codings, text, where it came from) of medicationCodeableConcept / medicationReference."""
    if reader.raw("medicationCodeableConcept") is not None:
        codings, text = reader.codeable("medicationCodeableConcept")
        return codings, text, None
    ref = reader.child("medicationReference")
    if ref is None:
        return [], "", None
    target = ref.string("reference")
    display = ref.string("display") or ""
    medication = _contained(reader, target) if target and target.startswith("#") else None
    if medication is None:
        medication = resolve(target)
    if medication is not None and medication.get("resourceType") == "Medication":
        med_path = f"{reader.path}.medicationReference(resolved)"
        med_reader = Reader(medication, med_path, reader.problems)
        codings, text = med_reader.codeable("code")
        return codings, text or display, target
    return [], display, target


def _contained(reader: Reader, target: str) -> dict[str, Any] | None:
    contained = reader.raw("contained")
    if not isinstance(contained, list):
        return None
    for item in contained:
        if isinstance(item, dict) and f"#{item.get('id')}" == target:
            return item
    return None


def _medication(reader: Reader, resource_id: str, resolve: Resolver) -> Mapped:
    kind = str(reader.raw("resourceType"))
    ref = f"{kind}/{resource_id}"
    status = reader.string("status")
    if _void(status):
        return Mapped(skipped=[Skip(ref, f"status is {status}")])
    codings, text, via = _medication_concept(reader, resolve)
    name = best_display(codings, text)
    if not name:
        return Mapped(skipped=[Skip(ref, "the medicine is not named or coded")])
    rxnorm = first_code(codings, codes.RXNORM)
    if rxnorm is not None and not rxnorm.isdigit():
        rxnorm = None
    recognition = recognise(name, rxnorm)
    medicine = recognition.medicine
    when = (
        _effective(reader, "authoredOn")
        if kind == "MedicationRequest"
        else _effective(reader, "effectiveDateTime", "effectivePeriod", "dateAsserted")
    )
    dosage_element = "dosageInstruction" if kind == "MedicationRequest" else "dosage"
    dosage = [d.string("text") for d in reader.children(dosage_element)]
    details: dict[str, Any] = {
        "name": name,
        "rxnorm": rxnorm,
        "recognised_as": medicine.id if medicine else None,
        "medicine_class": medicine.medicine_class if medicine else None,
        "matched_by": recognition.matched_by,
        "current": status in CURRENT_MEDICATION_STATUSES,
    }
    if recognition.components:
        details["components"] = list(recognition.components)
    if recognition.unknown_words:
        details["unknown_words"] = list(recognition.unknown_words)
    if recognition.notes:
        details["notes"] = list(recognition.notes)
    dosage_texts = [d for d in dosage if d]
    if dosage_texts:
        details["dosage"] = dosage_texts
    if via:
        details["medication_reference"] = via
    if kind == "MedicationRequest":
        details["intent"] = reader.string("intent")
    review = medicine is None or bool(recognition.unknown_words)
    if medicine is None:
        details["review_reason"] = (
            "not recognised by the preparation planner: a clinician must review it"
        )
    elif recognition.unknown_words:
        details["review_reason"] = (
            f"recognised as {medicine.id}, but these words were not understood: "
            f"{' '.join(recognition.unknown_words)} (a combination product?): a clinician must "
            "review it"
        )
    system, code = (codes.RXNORM, rxnorm) if rxnorm else _main_code(codings)
    category = (
        "osteoporosis_treatment"
        if medicine is not None and medicine.medicine_class in codes.OSTEOPOROSIS_TREATMENT_CLASSES
        else "medicine"
    )
    return Mapped(
        facts=[
            Fact(
                kind,
                resource_id,
                "",
                "medication",
                category,
                system,
                code,
                name,
                status,
                when.text if when else None,
                when.at if when else None,
                review=review,
                details=details,
            )
        ]
    )


# ---- Observation ---------------------------------------------------------------------------
def _observation(reader: Reader, resource_id: str, _: Resolver) -> Mapped:
    ref = f"Observation/{resource_id}"
    status = reader.string("status")
    codings, text = reader.codeable("code")
    when = _effective(reader, "effectiveDateTime", "effectivePeriod", "effectiveInstant", "issued")
    if _void(status):
        return Mapped(skipped=[Skip(ref, f"status is {status}")])
    if status == "registered":
        return Mapped(skipped=[Skip(ref, "status is registered: no result yet")])
    result = Mapped()
    main = _observation_part(reader, "", codings, text, status, when, resource_id)
    if main is not None:
        result.facts.append(main)
    for index, component in enumerate(reader.children("component")):
        comp_codings, comp_text = component.codeable("code")
        part = first_code(comp_codings, codes.LOINC) or f"component{index}"
        fact = _observation_part(
            component, part, comp_codings, comp_text, status, when, resource_id
        )
        if fact is not None:
            result.facts.append(fact)
    if not result.facts:
        loinc = first_code(codings, codes.LOINC)
        label = f"LOINC {loinc}" if loinc else (best_display(codings, text) or "uncoded")
        result.skipped.append(Skip(ref, f"not an observation spinepath uses ({label})"))
    return result


def _observation_part(
    reader: Reader,
    part: str,
    codings: list[Coding],
    text: str,
    status: str | None,
    when: When | None,
    resource_id: str,
) -> Fact | None:
    loinc = first_code(codings, codes.LOINC)
    concept = codes.OBSERVATION_BY_LOINC.get(loinc or "")
    if concept is None:
        return None
    display = best_display(codings, text) or concept.label
    details: dict[str, Any] = {"concept": concept.name}
    value_num: float | None = None
    value_unit: str | None = None
    value_text: str | None = None
    quantity = reader.child("valueQuantity")
    if quantity is not None:
        value_num = quantity.number("value")
        value_unit = quantity.string("code") or quantity.string("unit")
    elif reader.raw("valueInteger") is not None:
        value_num = reader.number("valueInteger")
    elif reader.raw("valueString") is not None:
        value_text = reader.string("valueString")
    elif reader.raw("valueCodeableConcept") is not None:
        value_codings, value_cc_text = reader.codeable("valueCodeableConcept")
        value_text = best_display(value_codings, value_cc_text)
        details["value_codes"] = [f"{s}|{c}" for s, c, _ in value_codings if c]
    if concept.numeric:
        if value_num is None:
            details["unusable"] = "no numeric value"
        else:
            canonical = codes.to_canonical(concept, value_num, value_unit)
            if canonical is None:
                details["unusable"] = f"unit {value_unit!r} is not understood for {concept.label}"
            else:
                details["canonical_value"] = round(canonical, 6)
                details["canonical_unit"] = concept.unit
    else:
        acvpu = _acvpu(value_text, details.get("value_codes", []))
        if acvpu is None:
            details["unusable"] = "the value is not one of A, C, V, P, U"
        else:
            details["acvpu"] = acvpu
    return Fact(
        "Observation",
        resource_id,
        part,
        "observation",
        concept.group,
        codes.LOINC,
        loinc,
        display,
        status,
        when.text if when else None,
        when.at if when else None,
        value_num,
        value_unit,
        value_text,
        details=details,
    )


_ACVPU_WORDS = {
    "a": "A",
    "alert": "A",
    "c": "C",
    "confusion": "C",
    "confused": "C",
    "new confusion": "C",
    "v": "V",
    "voice": "V",
    "verbal": "V",
    "responds to voice": "V",
    "p": "P",
    "pain": "P",
    "responds to pain": "P",
    "u": "U",
    "unresponsive": "U",
}


def _acvpu(text: str | None, _codes: list[str]) -> str | None:
    if not text:
        return None
    return _ACVPU_WORDS.get(text.strip().lower().rstrip("."))


# ---- Procedure -----------------------------------------------------------------------------
def _procedure(reader: Reader, resource_id: str, _: Resolver) -> Mapped:
    ref = f"Procedure/{resource_id}"
    status = reader.string("status")
    codings, text = reader.codeable("code")
    when = _effective(reader, "performedDateTime", "performedPeriod")
    body_sites = reader.codeables("bodySite")
    if _void(status):
        return Mapped(skipped=[Skip(ref, f"status is {status}")])
    display = best_display(codings, text)
    augmentation = codes.classify_vertebral_augmentation(codings, text)
    details: dict[str, Any] = {}
    if augmentation is not None:
        category = "vertebral_augmentation"
        details["procedure"] = augmentation[0]
        details["matched_by"] = augmentation[1]
        site_texts = [best_display(c, t) for c, t in body_sites]
        level = codes.level_in_text(*site_texts, text, display)
        if level:
            details["level"] = level
    elif codes.is_bone_density_scan(codings, text):
        category = "bone_density_scan"
    else:
        return Mapped(
            skipped=[
                Skip(ref, "not a procedure spinepath uses (vertebral augmentation, bone density)")
            ]
        )
    system, code = (
        (codes.CPT, first_code(codings, codes.CPT))
        if first_code(codings, codes.CPT)
        else _main_code(codings)
    )
    return Mapped(
        facts=[
            Fact(
                "Procedure",
                resource_id,
                "",
                "procedure",
                category,
                system,
                code,
                display,
                status,
                when.text if when else None,
                when.at if when else None,
                details=details,
            )
        ]
    )


# ---- AllergyIntolerance --------------------------------------------------------------------
def _allergy(reader: Reader, resource_id: str, _: Resolver) -> Mapped:
    ref = f"AllergyIntolerance/{resource_id}"
    clinical = status_code(reader, "clinicalStatus")
    verification = status_code(reader, "verificationStatus")
    codings, text = reader.codeable("code")
    if not codings and not text and reader.raw("substance") is not None:
        codings, text = reader.codeable("substance")  # older (STU3) shape
    when = _effective(reader, "recordedDate", "onsetDateTime")
    if _void(verification):
        return Mapped(skipped=[Skip(ref, f"verification status is {verification}")])
    display = best_display(codings, text)
    reactions = [
        best_display(*codeable_of(m))
        for reaction in reader.children("reaction")
        for m in reaction.children("manifestation")
    ]
    if not display:
        return Mapped(skipped=[Skip(ref, "the allergy names no substance")])
    category = codes.classify_allergy(" ".join([display, *(d for _, _, d in codings)]))
    details: dict[str, Any] = {"criticality": reader.string("criticality")}
    if verification:
        details["verification_status"] = verification
    if reactions:
        details["reactions"] = [r for r in reactions if r]
    system, code = _main_code(codings)
    return Mapped(
        facts=[
            Fact(
                "AllergyIntolerance",
                resource_id,
                "",
                "allergy",
                category,
                system,
                code,
                display,
                clinical,
                when.text if when else None,
                when.at if when else None,
                details=details,
            )
        ]
    )


_MAPPERS: dict[str, Callable[[Reader, str, Resolver], Mapped]] = {
    "Condition": _condition,
    "MedicationRequest": _medication,
    "MedicationStatement": _medication,
    "Observation": _observation,
    "Procedure": _procedure,
    "AllergyIntolerance": _allergy,
}


# ---- Patient -------------------------------------------------------------------------------
@dataclass(frozen=True)
class PatientFacts:
    identifiers: list[tuple[str, str, bool]]  # (system, value, is the medical record number)
    family_name: str | None
    given_name: str | None
    birth_date: date | None
    sex: str | None
    phone: str | None
    email: str | None

    @property
    def mrn(self) -> str | None:
        for _, value, is_mr in self.identifiers:
            if is_mr:
                return value
        return self.identifiers[0][1] if self.identifiers else None


_SEX = {"female": "female", "male": "male", "other": "other", "unknown": "unknown"}


def read_patient(resource: dict[str, Any], path: str, problems: Problems) -> PatientFacts:
    reader = Reader(resource, path, problems)
    identifiers: list[tuple[str, str, bool]] = []
    for item in reader.children("identifier"):
        value = item.string("value")
        system = item.string("system") or ""
        type_codings, _ = item.codeable("type")
        is_mr = any(code == "MR" for _, code, _ in type_codings)
        if value and value.strip():
            identifiers.append((system, value.strip(), is_mr))
    names = reader.children("name")
    chosen = next((n for n in names if n.string("use") == "official"), names[0] if names else None)
    family = chosen.string("family") if chosen else None
    givens = chosen.strings("given") if chosen else []
    birth = reader.when("birthDate")
    birth_date = birth.at.date() if birth and birth.precision == "day" else None
    # A partial birth date (year or month only) is kept as unknown, not refused.
    gender = reader.string("gender")
    if gender is not None and gender not in _SEX:
        problems.add(reader.at("gender"), "must be male, female, other or unknown")
    phone: str | None = None
    email: str | None = None
    for telecom in reader.children("telecom"):
        telecom_system = telecom.string("system")
        value = telecom.string("value")
        if telecom_system == "phone" and phone is None and value:
            phone = value
        if telecom_system == "email" and email is None and value:
            email = value
    return PatientFacts(
        identifiers,
        family.strip() if family else None,
        " ".join(g.strip() for g in givens if g.strip()) or None,
        birth_date,
        _SEX.get(gender or ""),
        phone,
        email,
    )


def subject_reference(resource: dict[str, Any]) -> str | None:
    """The patient a clinical resource is about (``subject`` or ``patient``)."""
    for name in ("subject", "patient"):
        value = resource.get(name)
        if isinstance(value, dict) and isinstance(value.get("reference"), str):
            return str(value["reference"])
    return None


def when_of(text: str | None) -> When | None:
    return parse_when(text) if text else None
