"""CORS for browser-based CDS clients, on the /cds-services paths only.

Calls are authenticated by the bearer JWT in the Authorization header, never by cookies, so
allowing other origins exposes nothing a browser session holds. Preflight requests (OPTIONS with
Access-Control-Request-Method) are answered here; other responses get the allow-origin header.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PREFIX = "/cds-services"
ALLOWED_METHODS = "GET, POST, OPTIONS"
ALLOWED_HEADERS = "Authorization, Content-Type, Accept"
MAX_AGE_SECONDS = "600"


class CdsCors:
    def __init__(self, app: ASGIApp, origins: tuple[str, ...] = ("*",)) -> None:
        self.app = app
        self.any_origin = "*" in origins
        self.origins = frozenset(origins)

    def _allow(self, origin: str | None) -> str | None:
        if origin is None:
            return None
        if self.any_origin:
            return "*"
        return origin if origin in self.origins else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        allowed = self._allow(headers.get("origin"))
        preflight = scope["method"] == "OPTIONS" and "access-control-request-method" in headers
        if preflight:
            await self._preflight(allowed, send)
            return

        async def with_cors(message: Message) -> None:
            if message["type"] == "http.response.start" and allowed is not None:
                out = MutableHeaders(scope=message)
                out["Access-Control-Allow-Origin"] = allowed
                if allowed != "*":
                    out.add_vary_header("Origin")
            await send(message)

        await self.app(scope, receive, with_cors)

    async def _preflight(self, allowed: str | None, send: Send) -> None:
        raw: list[tuple[bytes, bytes]] = [(b"content-length", b"0")]
        if allowed is not None:
            raw += [
                (b"access-control-allow-origin", allowed.encode()),
                (b"access-control-allow-methods", ALLOWED_METHODS.encode()),
                (b"access-control-allow-headers", ALLOWED_HEADERS.encode()),
                (b"access-control-max-age", MAX_AGE_SECONDS.encode()),
            ]
            if allowed != "*":
                raw.append((b"vary", b"Origin"))
        await send(
            {"type": "http.response.start", "status": 204 if allowed else 403, "headers": raw}
        )
        await send({"type": "http.response.body", "body": b""})
