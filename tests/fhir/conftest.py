"""Fixtures for the FHIR tests: the shared fixtures (Synthea bundles, the R4 JSON Schema)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT.parent / "shared" / "fixtures"
HALLIE = "Hallie_Hoeger_62a0b57c-4129-43d9-b787-bcf7ad4fa654.json.gz"
LONNIE = "Lonnie_Von_28fbf0c8-5a9c-4781-b79f-f6118c3e2816.json.gz"
SCHEMA = "fhir-r4-schema/fhir.schema.r4-4.0.json.gz"


def fixture_path(relative: str) -> Path:
    path = FIXTURES / relative
    if not path.exists():
        pytest.fail(
            f"shared fixture missing: {path} (the tests read ../shared/fixtures relative to "
            "the repository root)"
        )
    return path


@pytest.fixture(scope="session")
def hallie_bytes() -> bytes:
    return fixture_path(f"synthea/{HALLIE}").read_bytes()


@pytest.fixture(scope="session")
def lonnie_bytes() -> bytes:
    return fixture_path(f"synthea/{LONNIE}").read_bytes()


@pytest.fixture(scope="session")
def hallie_bundle(hallie_bytes: bytes) -> dict[str, Any]:
    return dict(json.loads(gzip.decompress(hallie_bytes)))


class R4Schema:
    """The HL7 FHIR R4 JSON Schema, one validator per resource type (resource by resource)."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self._validators: dict[str, Any] = {}

    def errors(self, resource: dict[str, Any]) -> list[str]:
        kind = resource.get("resourceType")
        if kind not in self.document["definitions"]:
            return [f"unknown resourceType {kind!r}"]
        validator = self._validators.get(kind)
        if validator is None:
            validator = jsonschema_rs.Draft6Validator(
                {
                    "$schema": self.document["$schema"],
                    "definitions": self.document["definitions"],
                    "$ref": f"#/definitions/{kind}",
                }
            )
            self._validators[kind] = validator
        return [str(error).splitlines()[0] for error in validator.iter_errors(resource)]


@pytest.fixture(scope="session")
def r4_schema() -> R4Schema:
    with gzip.open(fixture_path(SCHEMA)) as handle:
        return R4Schema(json.load(handle))


def no_empty_values(value: Any, path: str = "$") -> list[str]:
    """FHIR JSON allows no null, empty string, empty array or empty object."""
    found: list[str] = []
    if value is None or value == "" or value == [] or value == {}:
        return [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += no_empty_values(item, f"{path}.{key}")
    if isinstance(value, list):
        for index, item in enumerate(value):
            found += no_empty_values(item, f"{path}[{index}]")
    return found


def to_ndjson(
    bundle: dict[str, Any], keep: Callable[[dict[str, Any]], bool] = lambda r: True
) -> str:
    """A Bulk Data style NDJSON of a Synthea bundle: urn:uuid subjects become Patient/<id>."""
    patient_ids = {
        entry["fullUrl"]: entry["resource"]["id"]
        for entry in bundle["entry"]
        if entry["resource"]["resourceType"] == "Patient"
    }
    lines = []
    for entry in bundle["entry"]:
        resource = json.loads(json.dumps(entry["resource"]))
        if not keep(resource):
            continue
        for name in ("subject", "patient"):
            ref = (
                resource.get(name, {}).get("reference")
                if isinstance(resource.get(name), dict)
                else None
            )
            if ref in patient_ids:
                resource[name]["reference"] = f"Patient/{patient_ids[ref]}"
        lines.append(json.dumps(resource))
    return "\n".join(lines) + "\n"
