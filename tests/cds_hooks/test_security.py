"""Trusting the CDS client: the JWT is verified or the call gets a bare 401; CORS; dev mode."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import httpx
import jwt
import pytest
from sqlalchemy import select

from spinepath.cds_hooks import security
from spinepath.cds_hooks.models import CdsTokenUse
from spinepath.settings import Settings, parse_cds_clients
from tests.cds_hooks.conftest import ISS_INLINE, ISS_URL, CdsWorld
from tests.cds_hooks.support import ec_key, hook_request, make_token
from tests.support import LiveServer

SERVICE = "spinepath-patient-view"


def quiet_request() -> dict[str, Any]:
    """A valid patient-view call whose data is all prefetched (no FHIR server needed)."""
    return hook_request(
        "patient-view",
        {"userId": "Practitioner/1", "patientId": "p-sec"},
        prefetch={"patient": None, "conditions": None, "medications": None, "observations": None},
    )


def assert_bare_401(answer: httpx.Response) -> None:
    assert answer.status_code == 401
    assert answer.content == b""
    assert answer.headers["www-authenticate"] == "Bearer"


def test_discovery_needs_no_token_and_a_service_call_with_a_valid_es384_jwt_succeeds(
    world: CdsWorld,
) -> None:
    with httpx.Client() as client:
        discovery = client.get(f"{world.server.base_url}/cds-services")
    assert discovery.status_code == 200
    answer = world.call(SERVICE, quiet_request())
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"cards": []}


def test_rs384_is_accepted_too(world: CdsWorld) -> None:
    answer = world.call(SERVICE, quiet_request(), token=world.token(SERVICE, world.rs))
    assert answer.status_code == 200, answer.text


def test_no_token_or_a_malformed_one_is_a_bare_401(world: CdsWorld) -> None:
    assert_bare_401(world.call(SERVICE, quiet_request(), token=None))
    assert_bare_401(world.call(SERVICE, quiet_request(), token="not-a-jwt"))
    assert_bare_401(
        world.call(
            SERVICE, quiet_request(), headers={"Authorization": "Basic dXNlcjpwYXNz"}, token=None
        )
    )


def _unsigned(payload: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT', 'kid': 'es-1'})}.{part(payload)}."


def test_unsigned_symmetric_and_other_algorithms_are_refused(world: CdsWorld) -> None:
    good = jwt.decode(world.token(SERVICE), options={"verify_signature": False})
    assert_bare_401(world.call(SERVICE, quiet_request(), token=_unsigned(good)))
    hs = jwt.encode(
        good,
        "shared-secret-shared-secret-shared-secret-123456",
        algorithm="HS384",
        headers={"kid": "es-1"},
    )
    assert_bare_401(world.call(SERVICE, quiet_request(), token=hs))
    p256 = ec_key("es-1")
    p256.alg = "ES256"
    from cryptography.hazmat.primitives.asymmetric import ec

    p256.private = ec.generate_private_key(ec.SECP256R1())
    assert_bare_401(world.call(SERVICE, quiet_request(), token=world.token(SERVICE, p256)))


@pytest.mark.parametrize(
    "options",
    [
        {"aud": "https://somewhere.else/cds-services/spinepath-patient-view"},
        {"lifetime": timedelta(seconds=-120)},
        {"lifetime": timedelta(hours=2)},
        {"drop": ("jti",)},
        {"drop": ("iat",)},
        {"drop": ("exp",)},
        {"iss": "https://not.trusted.example"},
    ],
    ids=["wrong-aud", "expired", "lives-too-long", "no-jti", "no-iat", "no-exp", "unknown-iss"],
)
def test_claims_that_fail_are_refused(world: CdsWorld, options: dict[str, Any]) -> None:
    assert_bare_401(world.call(SERVICE, quiet_request(), token=world.token(SERVICE, **options)))


def test_aud_must_be_this_service_not_another_endpoint(world: CdsWorld) -> None:
    other = world.token(SERVICE, aud=world.url("spinepath-order-sign"))
    discovery = world.token(SERVICE, aud=f"{world.server.base_url}/cds-services")
    as_list = world.token(SERVICE, aud=["https://x.example", world.url(SERVICE)])
    assert_bare_401(world.call(SERVICE, quiet_request(), token=other))
    assert_bare_401(world.call(SERVICE, quiet_request(), token=discovery))
    assert world.call(SERVICE, quiet_request(), token=as_list).status_code == 200


def test_a_key_the_issuer_does_not_hold_is_refused(world: CdsWorld) -> None:
    impostor = ec_key("es-1")  # the right kid, another private key
    assert_bare_401(world.call(SERVICE, quiet_request(), token=world.token(SERVICE, impostor)))
    unknown_kid = ec_key("nobody")
    assert_bare_401(world.call(SERVICE, quiet_request(), token=world.token(SERVICE, unknown_kid)))


def test_a_jwt_is_used_once(world: CdsWorld) -> None:
    token = world.token(SERVICE)
    first = world.call(SERVICE, quiet_request(), token=token)
    again = world.call(SERVICE, quiet_request(), token=token)
    assert first.status_code == 200
    assert_bare_401(again)
    claims = jwt.decode(token, options={"verify_signature": False})
    with world.server.session_factory() as session:
        used = session.scalars(select(CdsTokenUse).where(CdsTokenUse.jti == claims["jti"])).all()
    assert [(u.issuer, u.jti) for u in used] == [(ISS_INLINE, claims["jti"])]


def test_keys_are_fetched_from_the_jwks_url_and_refetched_after_rotation(
    world: CdsWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    hosted = world.token(SERVICE, world.hosted, iss=ISS_URL)
    assert world.call(SERVICE, quiet_request(), token=hosted).status_code == 200
    rotated = world.rotated
    world.keys_host.routes["/jwks.json"] = lambda *_: (200, {"keys": [rotated.public_jwk]})
    monkeypatch.setattr(security, "JWKS_REFETCH_MIN_SECONDS", 0.0)
    after = world.token(SERVICE, rotated, iss=ISS_URL)
    assert world.call(SERVICE, quiet_request(), token=after).status_code == 200
    # The old key is gone from the set now.
    old = world.token(SERVICE, world.hosted, iss=ISS_URL)
    assert_bare_401(world.call(SERVICE, quiet_request(), token=old))
    world.keys_host.routes["/jwks.json"] = lambda *_: (200, {"keys": [world.hosted.public_jwk]})


def test_a_jku_header_is_followed_only_when_allowlisted(world: CdsWorld) -> None:
    allowed = world.token(
        SERVICE, world.jku_key, iss=ISS_URL, headers={"jku": f"{world.keys_host.url}/jku.json"}
    )
    assert world.call(SERVICE, quiet_request(), token=allowed).status_code == 200
    elsewhere = world.token(
        SERVICE, world.jku_key, iss=ISS_URL, headers={"jku": f"{world.keys_host.url}/other.json"}
    )
    assert_bare_401(world.call(SERVICE, quiet_request(), token=elsewhere))


def test_development_mode_is_off_unless_explicitly_on(server: LiveServer) -> None:
    assert Settings(database_url="sqlite://", secret_key="x").cds_dev_mode is False
    with httpx.Client() as client:
        answer = client.post(f"{server.base_url}/cds-services/{SERVICE}", json=quiet_request())
    assert_bare_401(answer)


def test_the_development_mode_accepts_calls_without_a_jwt_and_says_so(
    dev_world: tuple[LiveServer, Any],
) -> None:
    server, _ = dev_world
    with httpx.Client() as client:
        answer = client.post(f"{server.base_url}/cds-services/{SERVICE}", json=quiet_request())
        unverifiable = client.post(
            f"{server.base_url}/cds-services/{SERVICE}",
            json=quiet_request(),
            headers={
                "Authorization": "Bearer "
                + make_token(ec_key("sandbox"), iss="https://sandbox.example", aud="x")
            },
        )
    assert answer.status_code == 200, answer.text
    assert answer.headers["x-spinepath-cds-mode"] == "development"
    assert unverifiable.status_code == 200


def test_cors_preflight_and_headers_for_browser_clients(world: CdsWorld) -> None:
    origin = {"Origin": "https://sandbox.cds-hooks.org"}
    with httpx.Client() as client:
        preflight = client.options(
            world.url(SERVICE),
            headers={
                **origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type",
            },
        )
        discovery = client.get(f"{world.server.base_url}/cds-services", headers=origin)
        api = client.get(f"{world.server.base_url}/api/v1/health", headers=origin)
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "Authorization" in preflight.headers["access-control-allow-headers"]
    assert discovery.headers["access-control-allow-origin"] == "*"
    call = world.call(SERVICE, quiet_request(), headers=origin)
    assert call.headers["access-control-allow-origin"] == "*"
    refused = world.call(SERVICE, quiet_request(), token=None, headers=origin)
    assert refused.status_code == 401 and refused.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-origin" not in api.headers


def test_client_configuration_errors_are_clear() -> None:
    with pytest.raises(ValueError, match="needs jwks"):
        parse_cds_clients('[{"iss": "https://a", "clinic": "x"}]')
    with pytest.raises(ValueError, match="unknown keys: color"):
        parse_cds_clients(
            '[{"iss": "https://a", "clinic": "x", "jwks_url": "https://k", "color": 1}]'
        )
    with pytest.raises(ValueError, match="not valid JSON"):
        parse_cds_clients("[")
    [client] = parse_cds_clients(
        '[{"iss": "https://a", "clinic": "x", "jwks_url": "https://k", "fhir_servers": ["https://f"]}]'
    )
    assert (client.iss, client.clinic, client.jwks_url, client.fhir_servers) == (
        "https://a",
        "x",
        "https://k",
        ("https://f",),
    )
