"""Start-up wiring: which domain reacts to which event. Every entry point calls ``install``
(the app, the command line, the worker), so no use case runs without its reactions."""

from __future__ import annotations

from spinepath import events
from spinepath.episodes import handlers as episode_handlers
from spinepath.follow_up import handlers as follow_up_handlers


def event_bus() -> events.EventBus:
    bus = events.EventBus()
    episode_handlers.subscribe(bus)
    follow_up_handlers.subscribe(bus)
    return bus


def install() -> None:
    events.install(event_bus())
