"""The demo clinic: a user for each role and about 20 synthetic patients over every stage.

All names and numbers are invented. The episodes are walked through the pathway with the same
service functions a user calls, so their timelines and tasks are real, and at each stage the
team's records are made as the clinic would have made them (``spinepath.devdata.records``).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from spinepath.accounts import service as accounts
from spinepath.accounts.roles import Role
from spinepath.accounts.schemas import ClinicIn, UserIn
from spinepath.context import SYSTEM, Actor
from spinepath.devdata import records as demo_records
from spinepath.devdata.records import DemoTeam
from spinepath.episodes import service as episodes
from spinepath.episodes.pathway import REASON_REQUIRED, Stage
from spinepath.episodes.schemas import EpisodeIn, FractureIn
from spinepath.patients import service as patients
from spinepath.patients.models import Patient
from spinepath.patients.schemas import PatientIn, Sex
from spinepath.unit_of_work import UnitOfWork

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
    with UnitOfWork(factory) as work:
        session = work.session
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
        team = DemoTeam(
            physician=accounts.actor_for(users[Role.PHYSICIAN]),
            nurse=accounts.actor_for(users[Role.NURSE]),
            coordinator=accounts.actor_for(users[Role.COORDINATOR]),
        )
    rng = random.Random(seed)  # noqa: S311 - repeatable invented data, not security
    targets = _targets()
    # One patient in recovery has worrying observations, so the board shows an open alert.
    worrying = next(n for n, (route, _) in enumerate(targets, 1) if route[-1:] == [Stage.RECOVERY])
    for number, (route, reason) in enumerate(targets, start=1):
        progress(f"patient {number} of {len(targets)}")
        # A generator of each patient's own: what today's date changes in one patient's
        # records (a contact already due or not) leaves the others' as they were.
        own = random.Random(rng.getrandbits(64))  # noqa: S311 - invented data, as above
        with UnitOfWork(factory) as work:
            is_worrying = number == worrying
            _demo_patient(work.session, team, number, route, reason, own, worrying=is_worrying)
    return list(DEMO_USERS)


def _demo_patient(
    session: Session,
    team: DemoTeam,
    number: int,
    route: list[Stage],
    reason: str | None,
    rng: random.Random,
    *,
    worrying: bool,
) -> None:
    patient = _new_patient(session, team.coordinator, number, rng)
    # History is spread over real days, ending now, as if the clinic had done the work.
    timeline = _timeline(route, rng)
    onset = (timeline.opened - timedelta(days=rng.randint(7, 30))).date()
    levels = [rng.choice(_LEVELS)]
    if rng.random() < 0.2:
        extra = rng.choice(_LEVELS)
        if extra not in levels:
            levels.append(extra)
    episode = episodes.open_episode(
        session,
        team.coordinator,
        EpisodeIn(
            patient_id=patient.id,
            referral_source=rng.choice(["Primary care", "Emergency department", "Orthopaedics"]),
            fractures=[
                FractureIn(level=level, onset_date=onset, etiology="osteoporotic")
                for level in levels
            ],
        ),
        now=timeline.opened,
    )
    story = demo_records.new_story(
        session,
        team,
        episode,
        number,
        rng,
        procedure_at=timeline.procedure_at,
        raised_news2=worrying,
    )
    # At referral, until the first move (or the present when it stays there).
    referral_end = timeline.entered[0] if route else timeline.now
    demo_records.live_through(
        story, Stage.REFERRAL, timeline.opened, referral_end, route[0] if route else None
    )
    for index, (stage, start) in enumerate(zip(route, timeline.entered, strict=True)):
        demo_records.finish_stage_tasks(story, start)
        demo_records.enter(story, stage, start, reason if stage in REASON_REQUIRED else None)
        moves_on = index + 1 < len(route)
        end = timeline.entered[index + 1] if moves_on else timeline.now
        demo_records.live_through(story, stage, start, end, route[index + 1] if moves_on else None)


def _new_patient(session: Session, actor: Actor, number: int, rng: random.Random) -> Patient:
    female = rng.random() < 0.75  # VCF is more common in women
    given = rng.choice(_GIVEN_F if female else _GIVEN_M)
    today = date.today()
    return patients.create_patient(
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


# ---- When things happened ---------------------------------------------------------------------

# Episodes whose procedure is today: their times run up to the present.
_LIVE = (Stage.PROCEDURE, Stage.RECOVERY)
# The morning list: procedures start between 07:30 and 11:30 on weekdays.
_LIST_STARTS = tuple(
    time(hour, minute)
    for hour in range(7, 12)
    for minute in (0, 15, 30, 45)
    if time(7, 30) <= time(hour, minute) <= time(11, 30)
)


@dataclass(frozen=True)
class _Timeline:
    opened: datetime
    entered: list[datetime]  # when the episode entered each stage of its route
    now: datetime  # this patient's present: the last records are made up to it
    procedure_at: datetime | None  # the procedure's start, when one is planned


def _timeline(route: list[Stage], rng: random.Random) -> _Timeline:
    gaps = [_gap_before(stage, rng) for stage in route]
    now = datetime.now(UTC) - timedelta(minutes=rng.randint(2, 6))
    last = route[-1] if route else Stage.REFERRAL
    opened = now - sum(gaps, timedelta()) - _time_in_last_stage(last, rng)
    entered = []
    at = opened
    for gap in gaps:
        at += gap
        entered.append(at)
    if last is Stage.PREPARED:
        ahead = _list_start(now + timedelta(hours=16), rng, ahead=True)
        return _Timeline(opened, entered, now, ahead)
    if Stage.PROCEDURE not in route:
        return _Timeline(opened, entered, now, None)
    day = route.index(Stage.PROCEDURE)
    if last not in _LIVE:
        # A past procedure day moves back onto a morning list, and the weeks before it with it.
        shift = _list_start(entered[day], rng, ahead=False) - entered[day]
        moved = route.index(Stage.DISCHARGED) + 1
        opened += shift
        entered = [moment + shift if i < moved else moment for i, moment in enumerate(entered)]
    return _Timeline(opened, entered, now, entered[day])


def _list_start(moment: datetime, rng: random.Random, *, ahead: bool) -> datetime:
    """A weekday-morning start in the clinic's time zone: the first at or after ``moment`` when
    ``ahead``, else the last at or before it."""
    zone = ZoneInfo(DEMO_CLINIC.time_zone)
    clock = rng.choice(_LIST_STARTS)
    day = moment.astimezone(zone).date()
    step = timedelta(days=1 if ahead else -1)
    start = datetime.combine(day, clock, tzinfo=zone)
    while start.weekday() >= 5 or (start < moment if ahead else start > moment):
        day += step
        start = datetime.combine(day, clock, tzinfo=zone)
    return start.astimezone(UTC)


def _gap_before(stage: Stage, rng: random.Random) -> timedelta:
    """How long the stage before this one lasted: minutes on the procedure day, days otherwise."""
    if stage is Stage.RECOVERY:  # time-out, procedure, transfer
        return timedelta(minutes=rng.randint(45, 75))
    if stage is Stage.DISCHARGED:  # at least the hour of observation after the procedure
        return timedelta(minutes=rng.randint(75, 180))
    if stage is Stage.PROCEDURE:
        return timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 4))
    if stage is Stage.PREPARED:  # a week's notice, so warfarin can stop five days before
        return timedelta(days=rng.randint(7, 9), hours=rng.randint(0, 8))
    if stage is Stage.FOLLOW_UP:  # after the phone call the day after discharge
        return timedelta(days=1, hours=rng.randint(2, 6))
    if stage is Stage.CLOSED:  # after the three-month visit
        return timedelta(days=rng.randint(95, 110))
    return timedelta(days=rng.randint(2, 6), hours=rng.randint(0, 8))


def _time_in_last_stage(stage: Stage, rng: random.Random) -> timedelta:
    """How long the episode has been at the stage it is at now."""
    if stage is Stage.PROCEDURE:  # the procedure has just ended
        return timedelta(minutes=rng.randint(55, 75))
    if stage is Stage.RECOVERY:  # three sets of observations or more so far
        return timedelta(minutes=rng.randint(40, 75))
    if stage is Stage.FOLLOW_UP:  # the two-week visit is done, the three-month one ahead
        return timedelta(days=rng.randint(16, 45), hours=rng.randint(0, 8))
    return timedelta(hours=rng.randint(2, 30))
