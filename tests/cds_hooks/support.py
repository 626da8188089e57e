"""Test support for the CDS Hooks tests: signing keys and JWTs, loopback HTTP servers (a JWK Set
host and a small FHIR server), FHIR builders, and a checker for CDS Hooks 2.0 cards."""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

REPO_ROOT = Path(__file__).resolve().parents[2]
CDS_FIXTURES = REPO_ROOT.parent / "shared" / "fixtures" / "cds-hooks"


def cds_fixture(relative: str) -> dict[str, Any]:
    path = CDS_FIXTURES / relative
    if not path.exists():
        raise AssertionError(f"shared fixture missing: {path}")
    return dict(json.loads(path.read_text()))


# ---- keys and tokens -------------------------------------------------------------------------
@dataclass
class SigningKey:
    kid: str
    alg: str
    private: Any

    @property
    def public_jwk(self) -> dict[str, Any]:
        algorithm = jwt.get_algorithm_by_name(self.alg)
        jwk = json.loads(algorithm.to_jwk(self.private.public_key()))
        return {**jwk, "kid": self.kid, "alg": self.alg, "use": "sig"}


def ec_key(kid: str) -> SigningKey:
    return SigningKey(kid, "ES384", ec.generate_private_key(ec.SECP384R1()))


def rsa_key(kid: str) -> SigningKey:
    return SigningKey(kid, "RS384", rsa.generate_private_key(public_exponent=65537, key_size=2048))


def jwks(*keys: SigningKey) -> dict[str, Any]:
    return {"keys": [key.public_jwk for key in keys]}


def make_token(
    key: SigningKey,
    *,
    iss: str,
    aud: str | list[str],
    lifetime: timedelta = timedelta(minutes=5),
    headers: dict[str, Any] | None = None,
    drop: tuple[str, ...] = (),
    **claims: Any,
) -> str:
    now = datetime.now(UTC)
    payload: dict[str, Any] = {
        "iss": iss,
        "aud": aud,
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
        "jti": str(uuid.uuid4()),
        **claims,
    }
    for name in drop:
        payload.pop(name, None)
    header = {"kid": key.kid, "typ": "JWT", **(headers or {})}
    return jwt.encode(payload, key.private, algorithm=key.alg, headers=header)


# ---- loopback HTTP ---------------------------------------------------------------------------
@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


Route = Callable[[str, dict[str, list[str]], dict[str, str]], tuple[int, Any]]


@dataclass
class LoopbackHttp:
    """A real HTTP server on a loopback port, answering JSON from ``routes``."""

    routes: dict[str, Route] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    def start(self) -> LoopbackHttp:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                headers = {k.lower(): v for k, v in self.headers.items()}
                owner.seen.append(Seen("GET", parts.path, query, headers))
                route = owner.routes.get(parts.path)
                status, body = (
                    (404, {"resourceType": "OperationOutcome"})
                    if route is None
                    else route(parts.path, query, headers)
                )
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/fhir+json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


class FakeFhir:
    """A FHIR server holding resources per patient; requires ``Bearer <token>``."""

    def __init__(self, http: LoopbackHttp, token: str = "fhir-token") -> None:
        self.http = http
        self.tokens = {token}
        self.patients: dict[str, dict[str, list[dict[str, Any]]]] = {}
        self.fail_with: int | None = None
        for kind in ("Condition", "MedicationRequest", "Observation", "AllergyIntolerance"):
            http.routes[f"/fhir/{kind}"] = self._search(kind)

    @property
    def base(self) -> str:
        return f"{self.http.url}/fhir"

    def add(self, patient_id: str, *resources: dict[str, Any]) -> None:
        store = self.patients.setdefault(patient_id, {})
        for resource in resources:
            store.setdefault(resource["resourceType"], []).append(resource)
            if resource["resourceType"] == "Patient":
                self.http.routes[f"/fhir/Patient/{patient_id}"] = self._read(patient_id)

    def _authorised(self, headers: dict[str, str]) -> int | None:
        if self.fail_with is not None:
            return self.fail_with
        if headers.get("authorization") not in {f"Bearer {t}" for t in self.tokens}:
            return 401
        return None

    def _read(self, patient_id: str) -> Route:
        def route(_: str, __: dict[str, list[str]], headers: dict[str, str]) -> tuple[int, Any]:
            refused = self._authorised(headers)
            if refused:
                return refused, {"resourceType": "OperationOutcome"}
            return 200, self.patients[patient_id]["Patient"][0]

        return route

    def _search(self, kind: str) -> Route:
        def route(_: str, query: dict[str, list[str]], headers: dict[str, str]) -> tuple[int, Any]:
            refused = self._authorised(headers)
            if refused:
                return refused, {"resourceType": "OperationOutcome"}
            patient = query.get("patient", [""])[0]
            found = self.patients.get(patient, {}).get(kind, [])
            if kind == "Observation" and "code" in query:
                wanted = {c.split("|")[-1] for c in query["code"][0].split(",")}
                found = [o for o in found if o["code"]["coding"][0]["code"] in wanted]
            return 200, searchset(found)

        return route

    def requests_for(self, kind: str) -> list[Seen]:
        return [s for s in self.http.seen if s.path.startswith(f"/fhir/{kind}")]


def wait_until(check: Callable[[], bool], seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


# ---- FHIR builders ---------------------------------------------------------------------------
LOINC = "http://loinc.org"
ICD = "http://hl7.org/fhir/sid/icd-10-cm"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
CPT = "http://www.ama-assn.org/go/cpt"


def searchset(resources: list[dict[str, Any]]) -> dict[str, Any]:
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
    }
    if resources:
        bundle["entry"] = [{"resource": r, "search": {"mode": "match"}} for r in resources]
    return bundle


def patient(pid: str, *, mrn: str | None = None) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": pid,
        "name": [{"family": "Example", "given": ["Edna"]}],
        "gender": "female",
        "birthDate": "1941-05-04",
    }
    if mrn:
        resource["identifier"] = [
            {
                "type": {
                    "coding": [
                        {"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}
                    ]
                },
                "system": "urn:test:mrn",
                "value": mrn,
            }
        ]
    return resource


def condition(
    cid: str,
    pid: str,
    code: str,
    display: str,
    *,
    onset: str | None = None,
    level: str | None = None,
    status: str = "active",
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Condition",
        "id": cid,
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": status,
                }
            ]
        },
        "code": {"coding": [{"system": ICD, "code": code, "display": display}]},
        "subject": {"reference": f"Patient/{pid}"},
    }
    if onset:
        resource["onsetDateTime"] = onset
    if level:
        resource["bodySite"] = [{"text": f"{level} vertebra"}]
    return resource


def medication(mid: str, pid: str, name: str, rxnorm: str | None = None) -> dict[str, Any]:
    concept: dict[str, Any] = {"text": name}
    if rxnorm:
        concept["coding"] = [{"system": RXNORM, "code": rxnorm, "display": name}]
    return {
        "resourceType": "MedicationRequest",
        "id": mid,
        "status": "active",
        "intent": "order",
        "medicationCodeableConcept": concept,
        "subject": {"reference": f"Patient/{pid}"},
    }


def observation(
    oid: str, pid: str, code: str, value: float, unit: str, when: datetime
) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": oid,
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": code}]},
        "subject": {"reference": f"Patient/{pid}"},
        "effectiveDateTime": when.isoformat(timespec="seconds"),
        "valueQuantity": {
            "value": value,
            "unit": unit,
            "system": "http://unitsofmeasure.org",
            "code": unit,
        },
    }


def allergy(aid: str, pid: str, text: str) -> dict[str, Any]:
    return {
        "resourceType": "AllergyIntolerance",
        "id": aid,
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                    "code": "active",
                }
            ]
        },
        "code": {"text": text},
        "patient": {"reference": f"Patient/{pid}"},
    }


def augmentation_order(
    sid: str,
    pid: str,
    *,
    cpt: str | None = "22514",
    text: str | None = None,
    levels: tuple[str, ...] = ("L1",),
    when: datetime | None = None,
) -> dict[str, Any]:
    code: dict[str, Any] = {}
    if cpt:
        code["coding"] = [{"system": CPT, "code": cpt}]
    if text:
        code["text"] = text
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": sid,
        "status": "draft",
        "intent": "order",
        "code": code,
        "subject": {"reference": f"Patient/{pid}"},
        "bodySite": [{"text": f"{level} vertebra"} for level in levels],
    }
    if when is not None:
        resource["occurrenceDateTime"] = when.isoformat(timespec="seconds")
    return resource


def draft_orders(*resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in resources],
    }


def hook_request(hook: str, context: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"hookInstance": str(uuid.uuid4()), "hook": hook, "context": context, **fields}


# ---- CDS Hooks 2.0 card rules ----------------------------------------------------------------
_ABSOLUTE_URL = re.compile(r"^https?://\S+$")


def card_problems(card: Any) -> list[str]:
    """Where a card breaks the CDS Hooks 2.0 card rules (requirements 3, 80-147, 216-220)."""
    found: list[str] = []
    if not isinstance(card, dict):
        return ["not an object"]
    if "uuid" in card and not isinstance(card["uuid"], str):
        found.append("uuid must be a string")
    summary = card.get("summary")
    if not isinstance(summary, str) or not summary or len(summary) >= 140:
        found.append("summary must be a string under 140 characters")
    if card.get("indicator") not in ("info", "warning", "critical"):
        found.append("indicator must be info, warning or critical")
    if "detail" in card and not isinstance(card["detail"], str):
        found.append("detail must be (markdown) text")
    source = card.get("source")
    if (
        not isinstance(source, dict)
        or not isinstance(source.get("label"), str)
        or not source["label"]
    ):
        found.append("source.label is required")
    else:
        for name in ("url", "icon"):
            if name in source and not (
                isinstance(source[name], str) and _ABSOLUTE_URL.match(source[name])
            ):
                found.append(f"source.{name} must be an absolute URL")
        topic = source.get("topic")
        if topic is not None and (
            not isinstance(topic, dict) or not topic.get("code") or not topic.get("system")
        ):
            found.append("source.topic must be a Coding with system and code")
    suggestions = card.get("suggestions")
    if suggestions is not None:
        if not isinstance(suggestions, list):
            found.append("suggestions must be an array")
        elif card.get("selectionBehavior") not in ("at-most-one", "any"):
            found.append("selectionBehavior is required with suggestions")
        for suggestion in suggestions if isinstance(suggestions, list) else []:
            if not isinstance(suggestion.get("label"), str):
                found.append("suggestion.label is required")
            for action in suggestion.get("actions", []):
                if action.get("type") not in ("create", "update", "delete"):
                    found.append("action.type must be create, update or delete")
                if not isinstance(action.get("description"), str):
                    found.append("action.description is required")
    for reason in card.get("overrideReasons", []) or []:
        if not (
            isinstance(reason, dict)
            and reason.get("code")
            and reason.get("system")
            and reason.get("display")
        ):
            found.append("every override reason needs code, system and display")
    links = card.get("links")
    if links is not None:
        if not isinstance(links, list):
            found.append("links must be an array")
        for link in links if isinstance(links, list) else []:
            if not isinstance(link.get("label"), str) or not link["label"]:
                found.append("link.label is required")
            if not (isinstance(link.get("url"), str) and _ABSOLUTE_URL.match(link["url"])):
                found.append("link.url must be an absolute URL")
            if link.get("type") not in ("absolute", "smart"):
                found.append("link.type must be absolute or smart")
            if link.get("type") == "absolute" and "appContext" in link:
                found.append("appContext is not valid for absolute links")
    found += [f"empty value at {path}" for path in empties(card)]
    return found


def empties(value: Any, path: str = "card") -> list[str]:
    if value is None or value == "" or value == [] or value == {}:
        return [path]
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            found += empties(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += empties(item, f"{path}[{index}]")
    return found
