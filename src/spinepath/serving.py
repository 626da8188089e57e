"""The HTTP protocol the server runs: uvicorn's h11 protocol with replies sent at once.

asyncio turns Nagle's algorithm off only on sockets it recognises as TCP. A listening socket
handed to worker processes (`spinepath serve --workers N`) arrives without that mark, so each
keep-alive reply was held about 40 ms waiting for the client's delayed ACK. Setting TCP_NODELAY
on every accepted connection makes one and several workers answer alike.
"""

from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol

PROTOCOL = "spinepath.serving:NoDelayH11Protocol"


class NoDelayH11Protocol(H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
