"""The server's HTTP protocol turns Nagle's algorithm off on every accepted connection."""

from __future__ import annotations

import asyncio
import socket
import threading
from typing import Any

import uvicorn
from uvicorn.server import ServerState

from spinepath.serving import PROTOCOL, NoDelayH11Protocol


async def _app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def _nodelay_of_accepted_connection(protocol: type[asyncio.Protocol]) -> int:
    """Serve one connection on a listening socket made like the one worker processes receive
    (protocol number 0, which asyncio does not recognise as TCP) and read TCP_NODELAY."""
    config = uvicorn.Config(_app, http=PROTOCOL, log_level="warning")
    config.load()
    state = ServerState()
    seen: list[int] = []

    class Probe(protocol):  # type: ignore[valid-type, misc]
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            sock = transport.get_extra_info("socket")
            seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    async def run() -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        assert listener.proto == 0
        server = await asyncio.get_running_loop().create_server(
            lambda: Probe(config=config, server_state=state, app_state={}), sock=listener
        )
        port = listener.getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        await writer.drain()
        assert (await reader.read()).startswith(b"HTTP/1.1 204")
        writer.close()
        server.close()
        await server.wait_closed()

    # A thread of its own: the test process may already run an event loop in this thread.
    failures: list[BaseException] = []

    def serve_once() -> None:
        try:
            asyncio.run(run())
        except BaseException as error:  # reported below, in the test's own thread
            failures.append(error)

    worker = threading.Thread(target=serve_once)
    worker.start()
    worker.join(30)
    assert failures == [] and len(seen) == 1
    return seen[0]


def test_replies_leave_at_once_even_on_a_socket_handed_to_a_worker() -> None:
    assert config_protocol_is_ours()
    assert _nodelay_of_accepted_connection(NoDelayH11Protocol) != 0


def test_plain_h11_leaves_nagle_on_for_such_a_socket() -> None:
    """Why the protocol exists: without it the reply waits for the client's delayed ACK."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    assert _nodelay_of_accepted_connection(H11Protocol) == 0


def config_protocol_is_ours() -> bool:
    config = uvicorn.Config(_app, http=PROTOCOL)
    config.load()
    return config.http_protocol_class is NoDelayH11Protocol
