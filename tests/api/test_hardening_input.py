"""Bad or hostile input never costs a 500 or the server's memory: bodies are refused by size
and, on routes that need a token, before a byte is read without one; deeply nested JSON and
control characters are 422 naming the field on every entry point (the CLI exits 2); page
numbers are bounded; search text is matched literally."""

from __future__ import annotations

import json
import resource
import socket
import subprocess
import sys
import time
from typing import Any

import pytest

from spinepath.accounts.roles import Role
from tests.api.helpers import create_patient, error_fields, patient_payload
from tests.support import ClinicUsers, LiveServer

DEEP = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"a":' * 5_000 + "1" + "}" * 5_000
NUL = "\u0000"


def raw_request(server: LiveServer, head: str, body: bytes, *, wait: float = 10) -> str:
    """Send a request's head and the start of its body over a plain socket and read what the
    server answers, without sending the rest."""
    host, port = server.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=wait) as sock:
        sock.sendall(head.encode() + body)
        received = b""
        deadline = time.monotonic() + wait
        while b"\r\n\r\n" not in received and time.monotonic() < deadline:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    return received.decode("latin-1")


def status_of(answer: str) -> int:
    return int(answer.split(" ", 2)[1])


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/patients",
        "/api/v1/fhir/import",
        "/api/v1/calculators/news2",
        "/api/v1/preparation/plan",
    ],
)
def test_an_unauthenticated_200_mb_body_is_answered_401_before_it_is_read(
    server: LiveServer, path: str
) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    declared = 200 * 1024 * 1024
    head = (
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {declared}\r\n\r\n"
    )
    answer = raw_request(server, head, b"[" * 65536)
    assert status_of(answer) == 401, answer
    assert "www-authenticate: bearer" in answer.lower()
    chunked = raw_request(
        server,
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n",
        b"10000\r\n" + b"[" * 65536 + b"\r\n",
    )
    assert status_of(chunked) == 401, chunked
    # The server (in this process) read none of it: its peak memory did not grow by the body.
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kb < 50 * 1024


def test_a_body_over_the_limit_is_refused_413_even_with_a_token(clinic: ClinicUsers) -> None:
    token = clinic.token(Role.NURSE)
    head = (
        "POST /api/v1/patients HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {token}\r\nContent-Length: {5 * 1024 * 1024}\r\n\r\n"
    )
    answer = raw_request(clinic.server, head, b" " * 1024)
    assert status_of(answer) == 413, answer
    # Streamed without a declared length, it is cut off once it passes the limit.
    with clinic.client(Role.NURSE) as client:

        def chunks() -> Any:
            for _ in range(40):
                yield b" " * 65536

        streamed = client.post(
            "/api/v1/patients", content=chunks(), headers={"Content-Type": "application/json"}
        )
        assert streamed.status_code == 413
        assert streamed.headers["content-type"].startswith("application/problem+json")
        # The same client and others are served normally afterwards.
        assert client.get("/api/v1/me").status_code == 200


def test_the_login_route_also_refuses_bodies_over_the_limit(server: LiveServer) -> None:
    head = (
        "POST /api/v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {200 * 1024 * 1024}\r\n\r\n"
    )
    assert status_of(raw_request(server, head, b"{")) == 413


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/calculators/news2",
        "/api/v1/assessments/evaluate",
        "/api/v1/preparation/plan",
        "/api/v1/patients",
        "/api/v1/fhir/import",
    ],
)
@pytest.mark.parametrize("document", [DEEP, DEEP_OBJECT], ids=["arrays", "objects"])
def test_deeply_nested_json_answers_422_on_every_json_route(
    clinic: ClinicUsers, path: str, document: str
) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        answer = client.post(path, content=document, headers={"Content-Type": "application/json"})
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert any("levels deep" in e["message"] for e in answer.json()["errors"])


def test_deeply_nested_fhir_ndjson_and_files_answer_422(clinic: ClinicUsers) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        ndjson = client.post(
            "/api/v1/fhir/import",
            content=DEEP_OBJECT + "\n" + DEEP_OBJECT + "\n",
            headers={"Content-Type": "application/fhir+ndjson"},
        )
        files = client.post(
            "/api/v1/fhir/import", files={"file": ("deep.json", DEEP.encode(), "application/json")}
        )
    assert ndjson.status_code == 422 and files.status_code == 422, (ndjson.text, files.text)
    assert error_fields(ndjson) == {"line 1", "line 2"}
    assert error_fields(files) == {"deep.json"}


def test_a_deeply_nested_cds_hooks_call_is_a_bad_request_not_a_server_error(
    server: LiveServer,
) -> None:
    with server.client() as client:
        answer = client.post(
            "/cds-services/spinepath-patient-view",
            content=DEEP,
            headers={"Content-Type": "application/json"},
        )
    assert answer.status_code == 400, answer.text
    assert error_fields(answer) == {"(body)"}


@pytest.mark.parametrize("command", ["calc news2", "prep", "assess"])
def test_the_cli_exits_2_on_deeply_nested_json(command: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "spinepath.cli", *command.split()],
        input=DEEP,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert "levels deep" in json.loads(done.stdout)["errors"][0]["message"]


def test_control_characters_are_refused_naming_the_field(clinic: ClinicUsers) -> None:
    with clinic.server.client() as anonymous:
        login = anonymous.post(
            "/api/v1/auth/token", json={"username": f"nurse{NUL}", "password": "x" * 12}
        )
    assert login.status_code == 422 and error_fields(login) == {"username"}
    with clinic.client(Role.COORDINATOR) as client:
        created = client.post("/api/v1/patients", json=patient_payload(given_name=f"Ha{NUL}llie"))
        assert created.status_code == 422 and error_fields(created) == {"given_name"}
        search = client.get("/api/v1/patients", params={"q": f"a{NUL}b"})
        assert search.status_code == 422 and error_fields(search) == {"q"}
        worklist = client.get("/api/v1/worklist", params={"q": "\x1b[31m"})
        assert worklist.status_code == 422 and error_fields(worklist) == {"q"}
        bundle = {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [
                {"resource": {"resourceType": "Patient", "id": "p1", "name": [{"family": NUL}]}}
            ],
        }
        fhir = client.post(
            "/api/v1/fhir/import",
            content=json.dumps(bundle),
            headers={"Content-Type": "application/fhir+json"},
        )
        assert fhir.status_code == 422
        assert error_fields(fhir) == {"entry.0.resource.name.0.family"}
        source = client.post(
            "/api/v1/fhir/import",
            params={"source": f"https://ehr.example/{NUL}"},
            content=json.dumps({**bundle, "entry": []}),
            headers={"Content-Type": "application/fhir+json"},
        )
        assert source.status_code == 422 and error_fields(source) == {"source"}
        # Tab, line feed and carriage return are ordinary text.
        fine = client.post("/api/v1/patients", json=patient_payload(given_name="Hal\tlie"))
        assert fine.status_code == 201, fine.text


def test_a_web_form_with_a_control_character_is_refused_naming_the_field(
    clinic: ClinicUsers,
) -> None:
    with clinic.server.client() as browser:
        form = browser.get("/login")
        csrf = form.text.split('name="csrf_token" value="')[1].split('"')[0]
        answer = browser.post(
            "/login",
            data={"username": f"a{NUL}b", "password": "whatever-it-is", "csrf_token": csrf},
        )
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("text/html")
    assert "username" in answer.text and "U+0000" in answer.text


def test_huge_page_numbers_answer_422_on_every_paginated_route(clinic: ClinicUsers) -> None:
    huge = {"page": "9223372036854775807"}
    with clinic.client(Role.COORDINATOR) as client:
        for path in ("/api/v1/patients", "/api/v1/worklist"):
            answer = client.get(path, params=huge)
            assert answer.status_code == 422 and error_fields(answer) == {"page"}, path
        assert client.get("/api/v1/patients", params={"page": "1000000"}).status_code == 200
    with clinic.client(Role.ADMIN) as admin:
        answer = admin.get("/api/v1/audit-events", params=huge)
        assert answer.status_code == 422 and error_fields(answer) == {"page"}


def test_percent_and_underscore_in_search_text_match_literally(clinic: ClinicUsers) -> None:
    marker = clinic.slug[-6:]
    with clinic.client(Role.COORDINATOR) as client:
        create_patient(client, family_name=f"Per%cent{marker}")
        create_patient(client, family_name=f"Perxcent{marker}")
        create_patient(client, family_name=f"Under_{marker}")
        create_patient(client, family_name=f"Underx{marker}")

        def found(text: str) -> set[str]:
            answer = client.get("/api/v1/patients", params={"q": text})
            assert answer.status_code == 200, answer.text
            return {item["family_name"] for item in answer.json()["items"]}

        assert found(f"r%cent{marker}") == {f"Per%cent{marker}"}
        assert found(f"Under_{marker}") == {f"Under_{marker}"}
        assert found(f"%cent{marker}") == {f"Per%cent{marker}"}
        assert found(marker) == {
            f"Per%cent{marker}",
            f"Perxcent{marker}",
            f"Under_{marker}",
            f"Underx{marker}",
        }
        worklist = client.get("/api/v1/worklist", params={"q": "_"})
        assert worklist.status_code == 200
