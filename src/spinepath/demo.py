"""The demo clinic: a user for each role and about 20 synthetic patients over every stage.

All names and numbers are invented. The episodes are walked through the pathway with the same
service functions a user calls, so their timelines and tasks are real.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from spinepath.accounts import service as accounts
from spinepath.accounts.roles import Role
from spinepath.accounts.schemas import ClinicIn, UserIn
from spinepath.context import SYSTEM, Actor
from spinepath.episodes import service as episodes
from spinepath.episodes.pathway import Stage
from spinepath.episodes.schemas import EpisodeIn, FractureIn, TaskUpdate, TransitionIn
from spinepath.patients import service as patients
from spinepath.patients.schemas import PatientIn, Sex

DEMO_CLINIC = ClinicIn(name="Demo Spine Clinic", slug="demo", time_zone="America/Chicago")


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: Role
    password: str


DEMO_USERS = (
    DemoUser("dr.rivera", "Dr Ana Rivera", Role.PHYSICIAN, "demo-physician"),
    DemoUser("nurse.okafor", "Grace Okafor RN", Role.NURSE, "demo-nurse-01"),
    DemoUser("coord.lee", "Sam Lee", Role.COORDINATOR, "demo-coordinator"),
    DemoUser("quality.nguyen", "Minh Nguyen", Role.QUALITY_LEAD, "demo-quality"),
    DemoUser("admin", "Clinic Administrator", Role.ADMIN, "demo-admin-01"),
)

# Paths through the pathway that end at each stage, so the demo shows every one.
_ROUTE = [
    Stage.CONSULTATION,
    Stage.CONSERVATIVE_CARE,
    Stage.IMAGING,
    Stage.DECISION,
    Stage.SCHEDULED,
    Stage.PREPARED,
    Stage.PROCEDURE,
    Stage.RECOVERY,
    Stage.DISCHARGED,
    Stage.FOLLOW_UP,
    Stage.CLOSED,
]
_EXITS: dict[Stage, tuple[list[Stage], str]] = {
    Stage.TREATED_CONSERVATIVELY: (
        [Stage.CONSULTATION, Stage.CONSERVATIVE_CARE, Stage.TREATED_CONSERVATIVELY],
        "Pain settled with analgesia, brace and physiotherapy",
    ),
    Stage.REFERRED_FOR_SURGERY: (
        [Stage.CONSULTATION, Stage.IMAGING, Stage.REFERRED_FOR_SURGERY],
        "Retropulsed fragment with leg weakness on examination",
    ),
    Stage.DECLINED: (
        [Stage.CONSULTATION, Stage.IMAGING, Stage.DECISION, Stage.DECLINED],
        "Patient prefers to continue conservative care",
    ),
    Stage.CANCELLED: ([Stage.CANCELLED], "Referral sent to the wrong clinic"),
}

_FAMILY = [
    "Alvarez",
    "Brooks",
    "Chen",
    "Dubois",
    "Evans",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Novak",
    "Olsen",
    "Patel",
    "Quinn",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Usman",
    "Varga",
]
_GIVEN_F = ["Margaret", "Dorothy", "Helen", "Ruth", "Irene", "Joan", "Edith", "Louise"]
_GIVEN_M = ["Walter", "Harold", "Arthur", "Frank", "George", "Ernest"]
_LEVELS = ["T7", "T8", "T11", "T12", "L1", "L1", "L2", "L3", "T12", "L4"]


def _targets() -> list[tuple[list[Stage], str | None]]:
    targets: list[tuple[list[Stage], str | None]] = [([], None)]  # stays at referral
    for end in range(len(_ROUTE)):
        targets.append((_ROUTE[: end + 1], None))
    targets += [(list(route), reason) for route, reason in _EXITS.values()]
    # A few more at the busy stages, so the worklist looks like a real week.
    for stage in (Stage.CONSULTATION, Stage.IMAGING, Stage.RECOVERY, Stage.FOLLOW_UP):
        targets.append((_ROUTE[: _ROUTE.index(stage) + 1], None))
    return targets


def load_demo(
    factory: sessionmaker[Session],
    *,
    progress: Callable[[str], None] = lambda _: None,
    seed: int = 7,
) -> list[DemoUser]:
    """Create the demo clinic once; a second call leaves an existing demo as it is."""
    with factory() as session, session.begin():
        if accounts.clinic_by_slug(session, DEMO_CLINIC.slug) is not None:
            return list(DEMO_USERS)
        clinic = accounts.create_clinic(session, DEMO_CLINIC)
        users = {
            demo.role: accounts.create_user(
                session,
                SYSTEM,
                clinic,
                UserIn(
                    username=demo.username,
                    full_name=demo.full_name,
                    password=demo.password,
                    roles=[demo.role],
                ),
            )
            for demo in DEMO_USERS
        }
        physician = accounts.actor_for(users[Role.PHYSICIAN])
    rng = random.Random(seed)  # noqa: S311 - repeatable invented data, not security
    targets = _targets()
    for number, (route, reason) in enumerate(targets, start=1):
        progress(f"patient {number} of {len(targets)}")
        with factory() as session, session.begin():
            _demo_patient(session, physician, number, route, reason, rng)
    return list(DEMO_USERS)


def _demo_patient(
    session: Session,
    actor: Actor,
    number: int,
    route: list[Stage],
    reason: str | None,
    rng: random.Random,
) -> None:
    female = rng.random() < 0.75  # VCF is more common in women
    given = rng.choice(_GIVEN_F if female else _GIVEN_M)
    today = date.today()
    patient = patients.create_patient(
        session,
        actor,
        PatientIn(
            mrn=f"DEMO-{1000 + number}",
            family_name=_FAMILY[number % len(_FAMILY)],
            given_name=given,
            birth_date=date(
                today.year - rng.randint(62, 91), rng.randint(1, 12), rng.randint(1, 28)
            ),
            sex=Sex.FEMALE if female else Sex.MALE,
            phone=f"555-01{number:02d}",
        ),
    )
    # History is spread over real days, ending now, as if the clinic had done the work.
    gaps = [_gap_before(stage, rng) for stage in route]
    now = datetime.now(UTC) - timedelta(minutes=rng.randint(20, 50))
    at = now - sum(gaps, timedelta()) - timedelta(hours=rng.randint(2, 30))
    onset = (at - timedelta(days=rng.randint(7, 30))).date()
    levels = [rng.choice(_LEVELS)]
    if rng.random() < 0.2:
        extra = rng.choice(_LEVELS)
        if extra not in levels:
            levels.append(extra)
    episode = episodes.open_episode(
        session,
        actor,
        EpisodeIn(
            patient_id=patient.id,
            referral_source=rng.choice(["Primary care", "Emergency department", "Orthopaedics"]),
            fractures=[
                FractureIn(level=level, onset_date=onset, etiology="osteoporotic")
                for level in levels
            ],
        ),
        now=at,
    )
    for stage, gap in zip(route, gaps, strict=True):
        at += gap
        for task in list(episode.tasks):
            if task.status == "open":
                episodes.update_task(
                    session, actor, task.id, TaskUpdate(status="done", version=task.version), now=at
                )
        session.refresh(episode)
        episode = episodes.transition_episode(
            session,
            actor,
            episode.id,
            TransitionIn(to_stage=stage, reason=reason, version=episode.version),
            now=at,
        )


def _gap_before(stage: Stage, rng: random.Random) -> timedelta:
    """How long the stage before this one lasted: hours on the procedure day, days otherwise."""
    if stage in (Stage.RECOVERY, Stage.DISCHARGED):
        return timedelta(minutes=rng.randint(50, 150))
    if stage is Stage.PROCEDURE:
        return timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 4))
    return timedelta(days=rng.randint(2, 6), hours=rng.randint(0, 8))
