"""Start-up wiring: which domain reacts to which event. Every entry point calls ``install``
(the app, the command line, the worker), so no use case runs without its reactions."""

from __future__ import annotations

from spinepath import events
from spinepath.assessments import gates as assessment_gates
from spinepath.assessments import summary as assessment_summary
from spinepath.episodes import gates, summary
from spinepath.episodes import handlers as episode_handlers
from spinepath.follow_up import handlers as follow_up_handlers
from spinepath.follow_up import summary_blocks as follow_up_summary
from spinepath.preparation import gates as preparation_gates
from spinepath.preparation import handlers as preparation_handlers
from spinepath.preparation import summary as preparation_summary
from spinepath.procedures import gates as procedure_gates
from spinepath.procedures import summary as procedure_summary
from spinepath.recovery import gates as recovery_gates
from spinepath.recovery import handlers as recovery_handlers
from spinepath.recovery import summary as recovery_summary


def event_bus() -> events.EventBus:
    bus = events.EventBus()
    episode_handlers.subscribe(bus)
    follow_up_handlers.subscribe(bus)
    preparation_handlers.subscribe(bus)
    recovery_handlers.subscribe(bus)
    return bus


def gate_registry() -> gates.GateRegistry:
    """What each stage needs first, from the domain that owns each record."""
    registry = gates.GateRegistry()
    gates.subscribe(registry)
    assessment_gates.subscribe(registry)
    preparation_gates.subscribe(registry)
    procedure_gates.subscribe(registry)
    recovery_gates.subscribe(registry)
    return registry


def summary_registry() -> summary.SummaryRegistry:
    """The episode page's blocks and timeline, and the worklist's columns, from each domain."""
    registry = summary.SummaryRegistry()
    summary.subscribe(registry)
    assessment_summary.subscribe(registry)
    preparation_summary.subscribe(registry)
    procedure_summary.subscribe(registry)
    recovery_summary.subscribe(registry)
    follow_up_summary.subscribe(registry)
    return registry


def install() -> None:
    events.install(event_bus())
    gates.install(gate_registry())
    summary.install(summary_registry())
