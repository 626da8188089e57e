"""The JWT audience is checked against the configured public URL, never against the Host header
the caller sends; each refusal is logged with its reason (and no patient data)."""

from __future__ import annotations

import logging

import httpx

from tests.cds_hooks.conftest import CdsWorld
from tests.cds_hooks.test_security import SERVICE, assert_bare_401, quiet_request


class _Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_an_audience_made_from_a_forged_host_header_is_refused(world: CdsWorld) -> None:
    forged_base = "http://cds.attacker.example"
    token = world.token(SERVICE, aud=f"{forged_base}/cds-services/{SERVICE}")
    kept = _Kept()
    logger = logging.getLogger("spinepath.cds_hooks")
    logger.addHandler(kept)
    try:
        with httpx.Client(timeout=30) as client:
            answer = client.post(
                world.url(SERVICE),
                json=quiet_request(),
                headers={"Authorization": f"Bearer {token}", "Host": "cds.attacker.example"},
            )
    finally:
        logger.removeHandler(kept)
    assert_bare_401(answer)
    assert any("refused" in message and "aud" in message.lower() for message in kept.messages), (
        kept.messages
    )
    assert not any("p-sec" in message for message in kept.messages)  # no patient id
    # The public URL's audience is accepted, whatever the Host header says.
    good = world.token(SERVICE)
    with httpx.Client(timeout=30) as client:
        accepted = client.post(
            world.url(SERVICE),
            json=quiet_request(),
            headers={"Authorization": f"Bearer {good}", "Host": "cds.attacker.example"},
        )
    assert accepted.status_code == 200, accepted.text
