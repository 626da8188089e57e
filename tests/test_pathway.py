"""The care pathway state machine: which moves are allowed, and what each stage starts."""

from __future__ import annotations

from collections import deque

import pytest

from spinepath.episodes import pathway
from spinepath.episodes.pathway import Stage


def reachable_from(start: Stage) -> set[Stage]:
    seen, queue = {start}, deque([start])
    while queue:
        for following in pathway.TRANSITIONS[queue.popleft()]:
            if following not in seen:
                seen.add(following)
                queue.append(following)
    return seen


def test_every_stage_is_reachable_from_referral() -> None:
    assert reachable_from(Stage.REFERRAL) == set(Stage)


@pytest.mark.parametrize("stage", [s for s in Stage if s not in pathway.TERMINAL])
def test_every_open_stage_can_still_end(stage: Stage) -> None:
    assert reachable_from(stage) & pathway.TERMINAL


@pytest.mark.parametrize("stage", sorted(pathway.TERMINAL))
def test_terminal_stages_allow_no_move(stage: Stage) -> None:
    assert pathway.allowed_transitions(stage) == ()
    with pytest.raises(pathway.IllegalTransition, match="the episode has ended"):
        pathway.check_transition(stage, Stage.CONSULTATION)


def test_main_line_is_walkable_in_order() -> None:
    for current, following in zip(pathway.MAIN_LINE, pathway.MAIN_LINE[1:], strict=False):
        pathway.check_transition(current, following)
        assert pathway.next_main_stage(current) is following


@pytest.mark.parametrize(
    ("from_stage", "to_stage"),
    [
        (Stage.REFERRAL, Stage.PROCEDURE),  # no skipping to the needle
        (Stage.CONSULTATION, Stage.SCHEDULED),  # no booking without a decision
        (Stage.PROCEDURE, Stage.DISCHARGED),  # recovery observation is not optional
        (Stage.RECOVERY, Stage.CANCELLED),  # a procedure done cannot be cancelled
        (Stage.FOLLOW_UP, Stage.CONSULTATION),  # a new fracture is a new episode
    ],
)
def test_unsafe_shortcuts_are_refused(from_stage: Stage, to_stage: Stage) -> None:
    with pytest.raises(pathway.IllegalTransition) as refused:
        pathway.check_transition(from_stage, to_stage)
    assert to_stage.value in str(refused.value) and "allowed:" in str(refused.value)


def test_death_can_be_recorded_from_every_open_stage() -> None:
    for stage in Stage:
        if stage not in pathway.TERMINAL:
            assert Stage.DIED in pathway.allowed_transitions(stage)


def test_exits_need_a_reason_and_main_line_moves_do_not() -> None:
    assert Stage.DECLINED in pathway.REASON_REQUIRED
    assert Stage.DIED in pathway.REASON_REQUIRED
    assert not set(pathway.MAIN_LINE) & pathway.REASON_REQUIRED


def test_every_stage_has_a_label_and_a_task_list() -> None:
    assert set(pathway.STAGE_LABELS) == set(Stage)
    assert set(pathway.DEFAULT_TASKS) == set(Stage)
    assert set(pathway.TRANSITIONS) == set(Stage)


def test_consultation_starts_with_recording_conservative_care_history() -> None:
    codes = [task.code for task in pathway.DEFAULT_TASKS[Stage.CONSULTATION]]
    assert "record_conservative_care" in codes


def test_task_owners_are_real_roles() -> None:
    from spinepath.accounts.roles import Role

    roles = {role.value for role in Role}
    for tasks in pathway.DEFAULT_TASKS.values():
        for task in tasks:
            assert task.owner_role in roles
            assert task.due_after.total_seconds() > 0
