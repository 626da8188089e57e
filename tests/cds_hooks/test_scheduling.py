"""Calls that wait on the EHR's FHIR server never hold up calls answered from their prefetch."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import httpx

from spinepath.cds_hooks.api import LOCAL_WORK_THREADS
from tests.cds_hooks.conftest import ISS_URL, CdsWorld, running_world
from tests.cds_hooks.support import SigningKey, augmentation_order, hook_request, wait_until
from tests.cds_hooks.test_services import (
    SELECT,
    _authorization,
    cards_of,
    new_pid,
    order_context,
    prefetch_of,
    record,
)

HELD_PATH = "/fhir/MedicationRequest"


def _call(world: CdsWorld, body: dict[str, Any], timeout_seconds: float) -> httpx.Response:
    token = world.token(SELECT)
    with httpx.Client(timeout=timeout_seconds) as client:
        return client.post(
            world.url(SELECT), json=body, headers={"Authorization": f"Bearer {token}"}
        )


def _prefetched(order_id: str) -> dict[str, Any]:
    """An order-select call for a new patient, with everything prefetched."""
    pid = new_pid()
    return hook_request(
        "order-select",
        order_context(pid, augmentation_order(order_id, pid)),
        prefetch=prefetch_of(record(pid)),
    )


def test_prefetched_calls_are_answered_while_fetching_calls_wait_on_the_fhir_server(
    world: CdsWorld,
) -> None:
    release = threading.Event()
    answering = world.fhir.http.routes[HELD_PATH]

    def held(path: str, query: dict[str, list[str]], headers: dict[str, str]) -> tuple[int, Any]:
        release.wait(30)  # the EHR's FHIR server is slow to answer
        return answering(path, query, headers)

    fetching: list[dict[str, Any]] = []
    for number in range(LOCAL_WORK_THREADS + 1):  # more than the local-work turns
        pid = new_pid()
        data = record(pid)
        world.fhir.add(pid, *[r for items in data.values() for r in items])
        fetching.append(
            hook_request(
                "order-select",
                order_context(pid, augmentation_order(f"sr-slow-{number}", pid)),
                prefetch=prefetch_of(data, ("patient", "conditions", "observations")),
                fhirServer=world.fhir.base,
                fhirAuthorization=_authorization(),
            )
        )
    answers: list[httpx.Response] = []
    world.fhir.http.routes[HELD_PATH] = held
    before = len(world.fhir.requests_for("MedicationRequest"))
    threads = [
        threading.Thread(target=lambda body=body: answers.append(_call(world, body, 60)))
        for body in fetching
    ]
    try:
        for thread in threads:
            thread.start()
        wait_until(
            lambda: len(world.fhir.requests_for("MedicationRequest")) - before == len(fetching),
            seconds=20,
        )
        # Every fetching call is now waiting on the FHIR server; calls with full prefetch
        # still get their cards (were they queued behind the waiting calls, they would time out).
        for number in range(LOCAL_WORK_THREADS + 2):
            assert len(cards_of(_call(world, _prefetched(f"sr-fast-{number}"), 10))) == 2
        assert not release.is_set() and all(thread.is_alive() for thread in threads)
    finally:
        release.set()
        for thread in threads:
            thread.join(30)
        world.fhir.http.routes[HELD_PATH] = answering
    assert [answer.status_code for answer in answers] == [200] * len(fetching)
    assert all("warfarin" in answer.json()["cards"][1]["summary"] for answer in answers)


def test_a_call_waiting_for_its_clients_keys_never_holds_up_the_others(
    tmp_path: Path, keys: dict[str, SigningKey]
) -> None:
    """The JWT is checked before a call takes its local-work turn: fetching a client's JWK Set
    (at start, and again after the keys expire from the cache) is a wait on another server."""
    worlds = running_world("sqlite", f"sqlite:///{tmp_path / 'cds.db'}", tmp_path, keys)
    world = next(worlds)  # a server of its own: its JWK Set cache is empty
    release = threading.Event()
    serve_keys = world.keys_host.routes["/jwks.json"]

    def slow_keys(path: str, query: dict[str, list[str]], headers: dict[str, str]) -> Any:
        release.wait(30)  # the EHR's key server is slow to answer
        return serve_keys(path, query, headers)

    world.keys_host.routes["/jwks.json"] = slow_keys
    hosted = world.token(SELECT, world.hosted, iss=ISS_URL)
    waiting_body = _prefetched("sr-keys")
    answers: list[httpx.Response] = []
    waiting = threading.Thread(
        target=lambda: answers.append(world.call(SELECT, waiting_body, token=hosted))
    )
    try:
        waiting.start()
        wait_until(lambda: any(s.path == "/jwks.json" for s in world.keys_host.seen), seconds=10)
        for number in range(LOCAL_WORK_THREADS + 2):
            # Well inside the key fetch's own 5 s time-out: queued behind it, these would wait.
            assert len(cards_of(_call(world, _prefetched(f"sr-quick-{number}"), 3))) == 2
        assert waiting.is_alive()
    finally:
        release.set()
        waiting.join(30)
        next(worlds, None)  # stops the server
    # Once the keys came, the waiting call was verified and answered too.
    assert [answer.status_code for answer in answers] == [200]
    assert len(answers[0].json()["cards"]) == 2
