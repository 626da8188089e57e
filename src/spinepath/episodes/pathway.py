"""The care pathway as an explicit state machine.

Read top to bottom: the stages, the moves allowed out of each, and the tasks each stage starts
with. Nothing else in spinepath decides which stage may follow which.

Task due offsets are the clinic workflow's defaults (how soon the work should happen), not
clinical thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from spinepath.accounts.roles import Role


class Stage(StrEnum):
    REFERRAL = "referral"
    CONSULTATION = "consultation"
    CONSERVATIVE_CARE = "conservative_care"
    IMAGING = "imaging"
    DECISION = "decision"
    SCHEDULED = "scheduled"
    PREPARED = "prepared"
    PROCEDURE = "procedure"
    RECOVERY = "recovery"
    DISCHARGED = "discharged"
    FOLLOW_UP = "follow_up"
    CLOSED = "closed"
    # Exits a real service has.
    TREATED_CONSERVATIVELY = "treated_conservatively"
    REFERRED_FOR_SURGERY = "referred_for_surgery"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    DIED = "died"


S = Stage

STAGE_LABELS: dict[Stage, str] = {
    S.REFERRAL: "Referral",
    S.CONSULTATION: "Consultation",
    S.CONSERVATIVE_CARE: "Conservative care",
    S.IMAGING: "Imaging",
    S.DECISION: "Decision",
    S.SCHEDULED: "Scheduled",
    S.PREPARED: "Prepared",
    S.PROCEDURE: "Procedure",
    S.RECOVERY: "Recovery",
    S.DISCHARGED: "Discharged",
    S.FOLLOW_UP: "Follow-up",
    S.CLOSED: "Closed",
    S.TREATED_CONSERVATIVELY: "Treated conservatively",
    S.REFERRED_FOR_SURGERY: "Referred for surgery",
    S.DECLINED: "Declined",
    S.CANCELLED: "Cancelled",
    S.DIED: "Died",
}

# The usual journey, in order.
MAIN_LINE: tuple[Stage, ...] = (
    S.REFERRAL,
    S.CONSULTATION,
    S.CONSERVATIVE_CARE,
    S.IMAGING,
    S.DECISION,
    S.SCHEDULED,
    S.PREPARED,
    S.PROCEDURE,
    S.RECOVERY,
    S.DISCHARGED,
    S.FOLLOW_UP,
    S.CLOSED,
)

# Stages that end the episode: nothing follows them.
TERMINAL: frozenset[Stage] = frozenset({S.CLOSED, S.CANCELLED, S.DIED})

# Leaving the main line (or closing an exit) needs a recorded reason.
REASON_REQUIRED: frozenset[Stage] = frozenset(
    {S.TREATED_CONSERVATIVELY, S.REFERRED_FOR_SURGERY, S.DECLINED, S.CANCELLED, S.DIED}
)

_ANY_TIME = (S.CANCELLED, S.DIED)
_BEFORE_PROCEDURE_EXITS = (S.REFERRED_FOR_SURGERY, S.DECLINED, *_ANY_TIME)

TRANSITIONS: dict[Stage, tuple[Stage, ...]] = {
    S.REFERRAL: (S.CONSULTATION, *_ANY_TIME),
    S.CONSULTATION: (S.CONSERVATIVE_CARE, S.IMAGING, S.DECISION, *_BEFORE_PROCEDURE_EXITS),
    S.CONSERVATIVE_CARE: (
        S.IMAGING,
        S.DECISION,
        S.TREATED_CONSERVATIVELY,
        *_BEFORE_PROCEDURE_EXITS,
    ),
    S.IMAGING: (S.DECISION, S.CONSERVATIVE_CARE, *_BEFORE_PROCEDURE_EXITS),
    S.DECISION: (
        S.SCHEDULED,
        S.CONSERVATIVE_CARE,
        S.TREATED_CONSERVATIVELY,
        *_BEFORE_PROCEDURE_EXITS,
    ),
    # A scheduled or prepared patient can go back to decision (new facts) or be rebooked.
    S.SCHEDULED: (S.PREPARED, S.DECISION, S.DECLINED, *_ANY_TIME),
    S.PREPARED: (S.PROCEDURE, S.SCHEDULED, S.DECLINED, *_ANY_TIME),
    S.PROCEDURE: (S.RECOVERY, S.DIED),
    S.RECOVERY: (S.DISCHARGED, S.DIED),
    S.DISCHARGED: (S.FOLLOW_UP, S.DIED),
    S.FOLLOW_UP: (S.CLOSED, S.DIED),
    S.TREATED_CONSERVATIVELY: (S.FOLLOW_UP, S.CLOSED, S.DIED),
    S.REFERRED_FOR_SURGERY: (S.CLOSED, S.DIED),
    S.DECLINED: (S.CLOSED, S.DIED),
    S.CLOSED: (),
    S.CANCELLED: (),
    S.DIED: (),
}


# Who may make each move, by the stage it enters: one table for the whole pathway. What the
# records must show first is each stage's gate (``episodes.gates``, supplied by the domains).
_CARE_TEAM = frozenset({Role.PHYSICIAN, Role.NURSE, Role.COORDINATOR})
_CLINICIANS = frozenset({Role.PHYSICIAN, Role.NURSE})
_PHYSICIANS = frozenset({Role.PHYSICIAN})
MOVE_ROLES: dict[Stage, frozenset[Role]] = {
    S.REFERRAL: frozenset(),  # an episode starts there; nothing moves back to it
    S.CONSULTATION: _CARE_TEAM,
    S.CONSERVATIVE_CARE: _CARE_TEAM,
    S.IMAGING: _CARE_TEAM,
    S.DECISION: _CARE_TEAM,
    S.SCHEDULED: _CARE_TEAM,
    S.PREPARED: _CARE_TEAM,
    S.PROCEDURE: _CLINICIANS,
    S.RECOVERY: _CLINICIANS,
    S.DISCHARGED: _CLINICIANS,
    S.FOLLOW_UP: _CARE_TEAM,
    S.CLOSED: _CARE_TEAM,
    S.TREATED_CONSERVATIVELY: _PHYSICIANS,
    S.REFERRED_FOR_SURGERY: _PHYSICIANS,
    S.DECLINED: _CARE_TEAM,
    S.CANCELLED: _CARE_TEAM,
    S.DIED: _CLINICIANS,
}


class IllegalTransition(ValueError):
    def __init__(self, from_stage: Stage, to_stage: Stage) -> None:
        allowed = ", ".join(TRANSITIONS[from_stage]) or "none (the episode has ended)"
        super().__init__(
            f"an episode cannot move from {from_stage.value} to {to_stage.value}; "
            f"allowed: {allowed}"
        )
        self.from_stage = from_stage
        self.to_stage = to_stage


def allowed_transitions(stage: Stage) -> tuple[Stage, ...]:
    return TRANSITIONS[stage]


def check_transition(from_stage: Stage, to_stage: Stage) -> None:
    if to_stage not in TRANSITIONS[from_stage]:
        raise IllegalTransition(from_stage, to_stage)


def next_main_stage(stage: Stage) -> Stage | None:
    """The next stage of the usual journey, when it is an allowed move from here."""
    if stage in MAIN_LINE:
        index = MAIN_LINE.index(stage)
        if index + 1 < len(MAIN_LINE) and MAIN_LINE[index + 1] in TRANSITIONS[stage]:
            return MAIN_LINE[index + 1]
    for candidate in TRANSITIONS[stage]:
        if candidate in MAIN_LINE:
            return candidate
    return None


@dataclass(frozen=True)
class DefaultTask:
    code: str
    title: str
    owner_role: str
    due_after: timedelta


DEFAULT_TASKS: dict[Stage, tuple[DefaultTask, ...]] = {
    S.REFERRAL: (
        DefaultTask("book_consultation", "Book the consultation", "coordinator", timedelta(days=7)),
    ),
    S.CONSULTATION: (
        DefaultTask(
            "record_conservative_care",
            "Record conservative-care history",
            "physician",
            timedelta(days=1),
        ),
        DefaultTask(
            "record_pain_function", "Record pain score and function", "nurse", timedelta(days=1)
        ),
    ),
    S.CONSERVATIVE_CARE: (
        DefaultTask(
            "review_conservative_care",
            "Review pain and function on conservative care",
            "physician",
            timedelta(days=14),
        ),
    ),
    S.IMAGING: (
        DefaultTask(
            "order_imaging", "Order MRI (STIR) or bone scan", "coordinator", timedelta(days=2)
        ),
        DefaultTask(
            "review_imaging", "Review imaging for fracture acuity", "physician", timedelta(days=7)
        ),
    ),
    S.DECISION: (
        DefaultTask(
            "record_decision", "Record the treatment decision", "physician", timedelta(days=3)
        ),
    ),
    S.SCHEDULED: (
        DefaultTask(
            "prepare_plan",
            "Prepare medicine holds and fasting plan",
            "coordinator",
            timedelta(days=2),
        ),
        DefaultTask("obtain_consent", "Obtain informed consent", "physician", timedelta(days=5)),
    ),
    S.PREPARED: (
        DefaultTask(
            "confirm_arrival",
            "Confirm arrival time and escort with the patient",
            "nurse",
            timedelta(days=1),
        ),
    ),
    S.PROCEDURE: (
        DefaultTask(
            "complete_procedure_record",
            "Complete the procedure record",
            "physician",
            timedelta(hours=4),
        ),
    ),
    S.RECOVERY: (
        DefaultTask("record_recovery", "Record recovery observations", "nurse", timedelta(hours=1)),
        DefaultTask("assess_discharge", "Assess discharge readiness", "nurse", timedelta(hours=2)),
    ),
    S.DISCHARGED: (
        DefaultTask("phone_check", "Phone check the day after", "nurse", timedelta(days=1)),
        DefaultTask(
            "book_follow_up", "Book the follow-up visits", "coordinator", timedelta(days=3)
        ),
    ),
    S.FOLLOW_UP: (
        DefaultTask(
            "osteoporosis_referral",
            "Refer for bone density and osteoporosis treatment",
            "physician",
            timedelta(days=14),
        ),
    ),
    S.TREATED_CONSERVATIVELY: (
        DefaultTask("book_follow_up", "Book the follow-up visit", "coordinator", timedelta(days=3)),
        DefaultTask(
            "osteoporosis_referral",
            "Refer for bone density and osteoporosis treatment",
            "physician",
            timedelta(days=14),
        ),
    ),
    S.REFERRED_FOR_SURGERY: (
        DefaultTask(
            "send_surgical_referral", "Send the surgical referral", "coordinator", timedelta(days=2)
        ),
    ),
    S.DECLINED: (),
    S.CLOSED: (),
    S.CANCELLED: (),
    S.DIED: (),
}
