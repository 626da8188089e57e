"""Calls that wait on the EHR's FHIR server never hold up calls answered from their prefetch."""

from __future__ import annotations

import threading
from typing import Any

import httpx

from spinepath.cds_hooks.api import LOCAL_WORK_THREADS
from tests.cds_hooks.conftest import CdsWorld
from tests.cds_hooks.support import augmentation_order, hook_request, wait_until
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
            pid = new_pid()
            body = hook_request(
                "order-select",
                order_context(pid, augmentation_order(f"sr-fast-{number}", pid)),
                prefetch=prefetch_of(record(pid)),
            )
            assert len(cards_of(_call(world, body, 10))) == 2
        assert not release.is_set() and all(thread.is_alive() for thread in threads)
    finally:
        release.set()
        for thread in threads:
            thread.join(30)
        world.fhir.http.routes[HELD_PATH] = answering
    assert [answer.status_code for answer in answers] == [200] * len(fetching)
    assert all("warfarin" in answer.json()["cards"][1]["summary"] for answer in answers)
