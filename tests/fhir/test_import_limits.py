"""One import holds a bounded amount of data, however many compressed files it comes in."""

from __future__ import annotations

import gzip
import json

from spinepath.accounts.roles import Role
from spinepath.fhir.bundle import MAX_IMPORT_BYTES
from tests.support import ClinicUsers

IMPORT = "/api/v1/fhir/import"


def _padded_patient(identifier: str, inflated_bytes: int) -> bytes:
    """A small gzip file that inflates to ``inflated_bytes``: one Patient line and spaces."""
    line = json.dumps({"resourceType": "Patient", "id": identifier})
    return gzip.compress((line + " " * (inflated_bytes - len(line)) + "\n").encode())


def test_files_that_inflate_past_the_limit_together_are_refused_and_nothing_is_kept(
    clinic: ClinicUsers,
) -> None:
    half = MAX_IMPORT_BYTES // 2 + 1024
    files = [
        ("file", ("first.ndjson.gz", _padded_patient("a", half), "application/gzip")),
        ("file", ("second.ndjson.gz", _padded_patient("b", half), "application/gzip")),
    ]
    with clinic.client(Role.COORDINATOR) as client:
        answer = client.post(IMPORT, files=files)
        patients = client.get("/api/v1/patients").json()
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert error["field"] == "second.ndjson.gz"
    assert "larger than 64 MB uncompressed" in error["message"]
    assert patients["total"] == 0


def test_the_same_files_within_the_limit_are_imported(clinic: ClinicUsers) -> None:
    files = [
        ("file", ("first.ndjson.gz", _padded_patient("a", 1024), "application/gzip")),
        ("file", ("second.ndjson.gz", _padded_patient("b", 1024), "application/gzip")),
    ]
    with clinic.client(Role.COORDINATOR) as client:
        answer = client.post(IMPORT, files=files)
    assert answer.status_code == 200, answer.text
    assert answer.json()["input"] == {"kinds": ["ndjson", "ndjson"], "resources": 2}
