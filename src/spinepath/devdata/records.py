"""The demo clinic's clinical records: what the team writes down while an episode is at each stage.

Every record is made with the service function a user's request calls, at the moment the clinic
would have made it (the services' ``now``), so validation, tasks, alerts and audit are the real
ones. All names and numbers are invented; every choice comes from the demo's seeded generator, so
a load is repeatable.

By stage: consultation, the baseline questionnaires (pain NRS, ODI, RMDQ); decision, the
consultation facts, a stored candidacy assessment and the physician's decision; scheduled, the
procedure plan and a preparation plan the physician signs; the procedure day, baseline vital
signs, the time-out, the procedure record, recovery observations with Aldrete and PADSS, the
discharge checklist and discharge; follow-up, the questionnaires of every contact already due.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from spinepath.assessments import service as assessments
from spinepath.assessments.schemas import Decision, DecisionIn, Procedure
from spinepath.context import Actor
from spinepath.episodes import appointments, pathway
from spinepath.episodes import service as episodes
from spinepath.episodes.models import AppointmentKind, Episode, Task
from spinepath.episodes.pathway import Stage
from spinepath.episodes.schemas import AppointmentIn, TaskUpdate, TransitionIn
from spinepath.follow_up import outcomes, records
from spinepath.follow_up.models import FollowUpContact
from spinepath.follow_up.schemas import OutcomeIn
from spinepath.preparation import service as preparation
from spinepath.procedures import service as procedures
from spinepath.procedures.schemas import PlanIn, RecordIn, TimeOutIn
from spinepath.recovery import service as recovery
from spinepath.recovery.schemas import AldreteIn, ChecklistIn, DischargeIn, PadssIn


@dataclass(frozen=True)
class DemoTeam:
    """The physician assesses, decides, signs and operates; the nurse takes observations and
    questionnaires; the coordinator prepares the plans."""

    physician: Actor
    nurse: Actor
    coordinator: Actor

    def by_role(self, role: str) -> Actor:
        return {"physician": self.physician, "nurse": self.nurse}.get(role, self.coordinator)


@dataclass(frozen=True)
class Outlook:
    """The patient's answers before treatment: pain NRS 0-10, ODI percent, RMDQ 0-24."""

    nrs: int
    odi_percent: int
    rmdq: int


@dataclass
class Story:
    """One demo episode on its way through the pathway, with what its records must agree on."""

    session: Session
    team: DemoTeam
    episode_id: uuid.UUID
    number: int
    rng: random.Random
    outlook: Outlook
    technique: Procedure
    procedure_at: datetime | None  # the planned start: past, today or ahead
    raised_news2: bool = False  # this patient's latest recovery observations are worrying
    entered: dict[Stage, datetime] = field(default_factory=dict)
    labs: dict[str, float] = field(default_factory=dict)
    baseline_vitals: dict[str, Any] = field(default_factory=dict)
    answers: tuple[int, int, int] | None = None  # the latest NRS, ODI percent and RMDQ

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.team.physician.clinic_time_zone)

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def episode(self) -> Episode:
        return episodes.load_episode(self.session, self.team.physician, self.episode_id)

    def levels(self) -> list[str]:
        return [fracture.level for fracture in self.episode().fractures]

    def minutes(self, low: int, high: int) -> timedelta:
        return timedelta(minutes=self.rng.randint(low, high))


def new_story(
    session: Session,
    team: DemoTeam,
    episode: Episode,
    number: int,
    rng: random.Random,
    *,
    procedure_at: datetime | None,
    raised_news2: bool,
) -> Story:
    outlook = Outlook(
        nrs=rng.randint(6, 9), odi_percent=2 * rng.randint(24, 35), rmdq=rng.randint(14, 21)
    )
    return Story(
        session=session,
        team=team,
        episode_id=episode.id,
        number=number,
        rng=rng,
        outlook=outlook,
        technique=rng.choice([Procedure.VERTEBROPLASTY, Procedure.KYPHOPLASTY]),
        procedure_at=procedure_at,
        raised_news2=raised_news2,
        entered={Stage.REFERRAL: episode.opened_at},
    )


# ---- Moving between stages -------------------------------------------------------------------


def finish_stage_tasks(story: Story, at: datetime) -> None:
    """Complete the pathway's tasks of the stage the episode is leaving. Tasks that belong to a
    record (an alert, a follow-up contact, the fracture liaison) close with that record."""
    stage = Stage(story.episode().stage)
    codes = {task.code for task in pathway.DEFAULT_TASKS[stage]}
    for task in _open_tasks(story):
        if task.stage == stage.value and task.code in codes:
            _done(story, task, at)


def enter(story: Story, stage: Stage, at: datetime, reason: str | None) -> None:
    """Move the episode into ``stage`` at ``at``: on the procedure day by the step that does it
    (the time-out, arrival in recovery, discharge), otherwise by a plain transition."""
    by_step: dict[Stage, Callable[[Story, datetime], None]] = {
        Stage.PROCEDURE: _hold_time_out,
        Stage.RECOVERY: _receive_in_recovery,
        Stage.DISCHARGED: _discharge,
    }
    if stage in by_step:
        by_step[stage](story, at)
    else:
        episode = story.episode()
        episodes.transition_episode(
            story.session,
            story.team.physician,
            episode.id,
            TransitionIn(to_stage=stage, reason=reason, version=episode.version),
            now=at,
        )
    story.entered[stage] = at


def live_through(
    story: Story, stage: Stage, start: datetime, end: datetime, next_stage: Stage | None
) -> None:
    """The records made while the episode is at ``stage``, from ``start`` until ``end`` (when it
    moves on to ``next_stage``, or this patient's present when it stays)."""
    if stage is Stage.REFERRAL and next_stage in (None, Stage.CONSULTATION):
        # The coordinator books the consultation: for when it happened, or a few days ahead.
        visit = end if next_stage is not None else _clinic_slot(story, end + timedelta(days=5))
        _book(story, AppointmentKind.CONSULTATION, visit, start + story.minutes(30, 120))
    elif stage is Stage.CONSULTATION:
        _record_outcome(story, "baseline", start + story.minutes(20, 60), "visit")
        _complete(story, "record_pain_function", start + story.minutes(61, 70))
    elif stage is Stage.DECISION:
        _decide(story, start + story.minutes(20, 45))
    elif stage is Stage.IMAGING and next_stage is Stage.REFERRED_FOR_SURGERY:
        _decide(story, start + story.minutes(20, 45), Decision.SURGICAL)
    elif stage is Stage.SCHEDULED:
        if story.procedure_at is not None:
            _book(story, AppointmentKind.PROCEDURE, _slot(story.procedure_at), start)
        if next_stage is Stage.PREPARED:
            _prepare(story, start + story.minutes(60, 180))
    elif stage is Stage.PREPARED and next_stage is Stage.PROCEDURE:
        _record_baseline_vitals(story, end - story.minutes(35, 50))
    elif stage is Stage.PROCEDURE:
        _record_procedure(story, start, end)
    elif stage is Stage.RECOVERY:
        _observe_recovery(story, start, end, discharging=next_stage is Stage.DISCHARGED)
    elif stage in (Stage.DISCHARGED, Stage.FOLLOW_UP, Stage.TREATED_CONSERVATIVELY):
        _record_due_outcomes(story, start, end)


def _complete(story: Story, code: str, at: datetime) -> None:
    """The open task ``code`` is done: the record it asks for has just been made."""
    for task in _open_tasks(story):
        if task.code == code:
            _done(story, task, at)


def _open_tasks(story: Story) -> list[Task]:
    return list(
        story.session.scalars(
            select(Task)
            .where(Task.episode_id == story.episode_id, Task.status == "open")
            .order_by(Task.created_at, Task.id)
        )
    )


def _done(story: Story, task: Task, at: datetime) -> None:
    episodes.update_task(
        story.session,
        story.team.by_role(task.owner_role),
        task.id,
        TaskUpdate(status="done", version=task.version),
        now=at,
    )


# ---- Decision: the facts, the assessment and the physician's decision ------------------------


def _decide(story: Story, at: datetime, decision: Decision = Decision.PROCEED) -> None:
    physician = story.team.physician
    facts = assessments.save_facts(
        story.session,
        physician,
        story.episode_id,
        _consultation_facts(story, story.local_date(at)),
        expected_version=0,
        now=at,
    )
    assessment = assessments.evaluate_episode(
        story.session, physician, story.episode_id, facts_version=facts.version, now=at
    )
    decided_at = at + story.minutes(5, 15)
    assessments.record_decision(
        story.session,
        physician,
        assessment.id,
        DecisionIn(
            decision=decision,
            procedure=story.technique if decision is Decision.PROCEED else None,
            rationale=(
                _rationale(story, at)
                if decision is Decision.PROCEED
                else "Retropulsed fragment with leg weakness: a surgeon should see this first."
            ),
        ),
        now=decided_at,
    )
    _complete(story, "record_decision", decided_at)


def _consultation_facts(story: Story, assessed_on: date) -> dict[str, Any]:
    rng = story.rng
    care_started = story.entered.get(Stage.CONSERVATIVE_CARE, story.entered[Stage.CONSULTATION])
    return {
        "assessment_date": assessed_on.isoformat(),
        "setting": "outpatient",
        "patient": {"pregnant": False},
        "fractures": {
            level: {
                "mri_edema": True,
                "height_loss_percent": rng.randint(15, 40),
                "kyphotic_deformity": rng.random() < 0.4,
                "pain_confirmed_at_level": True,
                "osteolytic_lesion": False,
            }
            for level in story.levels()
        },
        "pain": {"nrs": story.outlook.nrs, "trend": "worsening", "severe": True},
        "function": {"rdq": story.outlook.rmdq, "odi_percent": story.outlook.odi_percent},
        "conservative_care": {
            "optimal_management_tried": True,
            "started": story.local_date(care_started).isoformat(),
            "modalities": ["analgesics", *rng.sample(["bracing", "physical_therapy", "rest"], 2)],
            "intolerable_side_effects": False,
        },
        "screening": {
            name: False
            for name in (
                "active_infection",
                "uncorrectable_coagulopathy",
                "cement_or_contrast_allergy",
                "neurological_deficit",
                "myelopathy",
                "radicular_pain",
                "spinal_instability",
                "retropulsion",
                "pain_from_other_cause",
            )
        },
        "osteoporosis_care": {"bmd_referral": True, "education": True, "program_instruction": True},
    }


def _rationale(story: Story, at: datetime) -> str:
    weeks = (at - story.entered[Stage.CONSULTATION]).days // 7 or 1
    levels = story.levels()
    fractures = f"{' and '.join(levels)} fracture{'s' if len(levels) > 1 else ''}"
    return (
        f"Recent {fractures} with oedema on MRI and pain of {story.outlook.nrs}/10 after "
        f"{weeks} week{'s' if weeks > 1 else ''} of conservative care; meets the criteria. "
        f"Risks and benefits of {story.technique.value} discussed with the patient."
    )


# ---- Scheduled: the procedure plan and the signed preparation plan ---------------------------

# (medicine as the coordinator enters it, the physician's review note when the plan asks for one)
_BLOOD_THINNERS: tuple[tuple[dict[str, Any], str | None] | None, ...] = (
    ({"name": "Apixaban 5 mg", "frequency": "twice daily", "dose_times": ["08:00", "20:00"]}, None),
    (
        {"name": "Warfarin 5 mg", "frequency": "once daily", "dose_times": ["18:00"]},
        "Warfarin for atrial fibrillation, low stroke risk: stop without bridging; INR on the "
        "morning of the procedure.",
    ),
    ({"name": "Clopidogrel 75 mg", "frequency": "once daily", "dose_times": ["09:00"]}, None),
    None,
)
_USUAL_MEDICINES: tuple[dict[str, Any], ...] = (
    {
        "name": "Alendronate 70 mg",
        "frequency": "once weekly",
        "dose_weekday": "sunday",
        "dose_times": ["07:00"],
    },
    {
        "name": "Calcium carbonate 600 mg with vitamin D",
        "frequency": "twice daily",
        "dose_times": ["08:00", "18:00"],
    },
    {
        "name": "Paracetamol 1 g",
        "frequency": "four times daily",
        "dose_times": ["08:00", "12:00", "16:00", "20:00"],
    },
    {"name": "Atorvastatin 20 mg", "frequency": "once daily", "dose_times": ["21:00"]},
    {"name": "Omeprazole 20 mg", "frequency": "once daily", "dose_times": ["07:30"]},
)
# Blood-pressure medicines the physician decides about before signing (the note, and the decision
# the patient's copies carry).
_UNRECOGNISED: tuple[tuple[dict[str, Any], str], ...] = (
    (
        {"name": "Amlodipine 5 mg", "frequency": "once daily", "dose_times": ["08:00"]},
        "Amlodipine: keep taking it as usual with a sip of water.",
    ),
    (
        {"name": "Lisinopril 10 mg", "frequency": "once daily", "dose_times": ["08:00"]},
        "Lisinopril: leave out the morning dose on the day of the procedure.",
    ),
)


def _slot(moment: datetime) -> datetime:
    """The list's slot: the quarter hour at or before ``moment``."""
    moment = moment.replace(second=0, microsecond=0)
    return moment - timedelta(minutes=moment.minute % 15)


def _clinic_slot(story: Story, moment: datetime) -> datetime:
    """Half past ten in the clinic on ``moment``'s day."""
    local = moment.astimezone(story.zone)
    return local.replace(hour=10, minute=30, second=0, microsecond=0)


_PLACES = {
    AppointmentKind.CONSULTATION: "Spine clinic, room 4",
    AppointmentKind.PROCEDURE: "Interventional radiology suite",
}


def _book(story: Story, kind: AppointmentKind, when: datetime, at: datetime) -> None:
    appointments.book_appointment(
        story.session,
        story.team.coordinator,
        story.episode_id,
        AppointmentIn(
            kind=kind,
            starts_at=when,
            duration_minutes=45 if kind is AppointmentKind.PROCEDURE else 30,
            place=_PLACES[kind],
            with_whom=story.team.physician.full_name,
        ),
        now=at,
    )


def _prepare(story: Story, at: datetime) -> None:
    assert story.procedure_at is not None
    procedures.save_plan(
        story.session,
        story.team.physician,
        story.episode_id,
        PlanIn.model_validate({"technique": story.technique.value, "levels": story.levels()}),
    )
    medicines, notes = _medicines(story)
    start = _slot(story.procedure_at)  # the slot the procedure is booked for
    record, _ = preparation.save_preparation(
        story.session,
        story.team.coordinator,
        story.episode_id,
        _preparation_input(story, start, medicines),
        now=at,
    )
    for index, medicine in enumerate(medicines):
        decision = _decision(medicine["name"], start.astimezone(story.zone))
        if decision is not None:
            record = preparation.decide_medicine(
                story.session,
                story.team.physician,
                story.episode_id,
                index,
                {**decision, "version": record.version},
                now=at + story.minutes(20, 50),
            )
    signed_at = at + story.minutes(60, 150)
    preparation.sign_preparation(
        story.session,
        story.team.physician,
        story.episode_id,
        expected_version=record.version,
        via_if_match=False,
        note=" ".join(notes) or None,
        now=signed_at,
    )
    _complete(story, "prepare_plan", signed_at)


def _decision(name: str, start: datetime) -> dict[str, Any] | None:
    """The physician's recorded decision on a blood-pressure medicine of the demo list."""
    if name.startswith("Amlodipine"):
        return {"action": "continue", "instructions": "Take it with a sip of water, as usual."}
    if name.startswith("Lisinopril"):
        return {
            "action": "skip_dose",
            "skip_dose_at": datetime.combine(start.date(), time(8, 0), start.tzinfo).isoformat(),
            "instructions": "Leave out only this one morning dose.",
        }
    return None


def _medicines(story: Story) -> tuple[list[dict[str, Any]], list[str]]:
    """This patient's medicines and the physician's notes on them. The blood thinner goes round
    the list by patient, so the clinic shows each one; every third patient also takes a
    medicine the planner does not recognise."""
    medicines = story.rng.sample(_USUAL_MEDICINES, story.rng.randint(2, 4))
    notes: list[str] = []
    thinner = _BLOOD_THINNERS[story.number % len(_BLOOD_THINNERS)]
    if thinner is not None:
        medicines.insert(0, thinner[0])
        notes += [thinner[1]] if thinner[1] else []
    if story.number % 3 == 0:
        unknown, note = story.rng.choice(_UNRECOGNISED)
        medicines.append(unknown)
        notes.append(note)
    return medicines, notes


def _preparation_input(
    story: Story, start: datetime, medicines: list[dict[str, Any]]
) -> dict[str, Any]:
    rng = story.rng
    on_warfarin = any(m["name"].startswith("Warfarin") for m in medicines)
    story.labs = {
        "inr": round(rng.uniform(2.1, 2.8) if on_warfarin else rng.uniform(0.9, 1.2), 1),
        "platelets_10e9_per_l": float(rng.randint(170, 330)),
        "hemoglobin_g_dl": round(rng.uniform(11.4, 14.2), 1),
    }
    start = start.astimezone(story.zone)
    return {
        "procedure_start": start.isoformat(),
        "arrival_at": (start - timedelta(minutes=90)).isoformat(),
        "follow_up_at": datetime.combine(
            start.date() + timedelta(days=14), time(10, 30), tzinfo=story.zone
        ).isoformat(),
        "edition": "sir-2019",
        "creatinine_clearance_ml_min": rng.randint(38, 85),
        "medications": medicines,
        "labs": story.labs,
    }


# ---- The procedure day -----------------------------------------------------------------------

_ALLERGIES = ("None known", "None known", "None known", "Penicillin (rash)", "Codeine (nausea)")
_TEAM = "Dr Ana Rivera (operator), Grace Okafor RN (sedation), Tom Becker (radiographer)"


def _record_baseline_vitals(story: Story, at: datetime) -> None:
    rng = story.rng
    story.baseline_vitals = {
        "respiratory_rate": rng.randint(14, 18),
        "spo2_percent": rng.randint(96, 98),
        "on_oxygen": False,
        "systolic_bp_mmhg": rng.randint(118, 152),
        "diastolic_bp_mmhg": rng.randint(68, 86),
        "pulse_per_min": rng.randint(62, 84),
        "consciousness": "A",
        "temperature_c": round(rng.uniform(36.4, 37.0), 1),
    }
    _observe(story, "baseline", at, story.baseline_vitals)


def _hold_time_out(story: Story, at: datetime) -> None:
    """The team's time-out at the levels planned; it moves the episode to Procedure."""
    inr = story.labs.get("inr")
    if inr is not None and inr > 1.5:  # on warfarin at planning; stopped since
        inr = round(story.rng.uniform(1.0, 1.3), 1)
    procedures.record_time_out(
        story.session,
        story.team.nurse,
        story.episode_id,
        TimeOutIn(
            levels_to_treat=story.levels(),
            identity_confirmed=True,
            procedure_confirmed=True,
            consent_confirmed=True,
            labs_reviewed=True,
            labs_note=f"INR {inr} this morning" if inr is not None else None,
            allergies=story.rng.choice(_ALLERGIES),
            team=_TEAM,
            performed_at=at,
        ),
        now=at,
    )


def _record_procedure(story: Story, time_out_at: datetime, limit: datetime) -> None:
    """The operator's record: started just after the time-out, ended a little before ``limit``
    (arrival in recovery, or the present)."""
    rng = story.rng
    started = time_out_at + story.minutes(5, 10)
    ended = limit - story.minutes(5, 15)
    leak_at = rng.choice(story.levels()) if rng.random() < 0.25 else None
    record = RecordIn.model_validate(
        {
            "levels": [_treated_level(story, level, level == leak_at) for level in story.levels()],
            "started_at": started,
            "ended_at": ended,
            "sedation": rng.choice(["moderate", "moderate", "minimal"]),
            "fluoroscopy_time_min": round(rng.uniform(2.5, 7.5), 1),
            "air_kerma_mgy": float(rng.randint(60, 240)),
            "dose_area_product_gy_cm2": round(rng.uniform(8.0, 28.0), 1),
            "complications": [],
            "notes": "Small asymptomatic cement leak seen on the final images; no action needed."
            if leak_at
            else None,
        }
    )
    procedures.save_record(
        story.session,
        story.team.physician,
        story.episode_id,
        record,
        now=ended + story.minutes(2, 4),
        expect_new=True,
    )


def _treated_level(story: Story, level: str, leaked: bool) -> dict[str, Any]:
    rng = story.rng
    thoracic = level.startswith("T")
    kyphoplasty = story.technique is Procedure.KYPHOPLASTY
    volume = rng.uniform(2.0, 3.5) if thoracic else rng.uniform(3.0, 5.5)
    return {
        "level": level,
        "technique": story.technique.value,
        "approach": rng.choice(["bipedicular", "unipedicular"]),
        "needle": "11 G bone access needle" if thoracic else "10 G bone access needle",
        "balloon": "15 mm inflatable bone tamp" if kyphoplasty else None,
        "cement_type": "pmma",
        "cement_volume_ml": round(volume * 2) / 2,
        "leakage": [rng.choice(["disc", "paravertebral"])] if leaked else [],
    }


def _receive_in_recovery(story: Story, at: datetime) -> None:
    recovery.start_recovery(story.session, story.team.nurse, story.episode_id, now=at)


def _observe_recovery(story: Story, start: datetime, end: datetime, *, discharging: bool) -> None:
    """Observations every quarter of an hour from arrival; Aldrete on arrival; before a
    discharge, the final Aldrete and PADSS and the checklist."""
    last = end - timedelta(minutes=12 if discharging else 1)
    moments = [start + timedelta(minutes=3)]
    while moments[-1] + timedelta(minutes=17) <= last:
        moments.append(moments[-1] + story.minutes(14, 16))
    for index, moment in enumerate(moments):
        worrying = story.raised_news2 and index == len(moments) - 1 and index > 0
        _observe(story, "recovery", moment, _recovery_vitals(story, index == 0, worrying))
        if index == 0:
            _score_aldrete(story, moment + timedelta(minutes=2), arriving=True)
    if discharging:
        scored_at = moments[-1] + story.minutes(3, 5)
        _score_aldrete(story, scored_at, arriving=False)
        _score_padss(story, scored_at + timedelta(minutes=1))
        _complete_checklist(story, scored_at + timedelta(minutes=2))


def _recovery_vitals(story: Story, arriving: bool, worrying: bool) -> dict[str, Any]:
    """Close to the patient's baseline (NEWS2 0-2; on oxygen on arrival), or, when ``worrying``,
    fast breathing, low saturation and a quick pulse: NEWS2 5, an urgent response."""
    rng = story.rng
    base = story.baseline_vitals
    vitals = {
        **base,
        "respiratory_rate": min(20, max(12, base["respiratory_rate"] + rng.randint(-2, 2))),
        "spo2_percent": rng.randint(96, 99),
        "on_oxygen": arriving,
        "systolic_bp_mmhg": round(base["systolic_bp_mmhg"] * rng.uniform(0.92, 1.06)),
        "diastolic_bp_mmhg": base["diastolic_bp_mmhg"] + rng.randint(-6, 4),
        "pulse_per_min": min(90, max(52, base["pulse_per_min"] + rng.randint(-6, 6))),
        "temperature_c": round(base["temperature_c"] + rng.uniform(-0.2, 0.3), 1),
    }
    if worrying:
        vitals.update(respiratory_rate=22, spo2_percent=93, on_oxygen=False, pulse_per_min=96)
    return vitals


def _observe(story: Story, kind: str, at: datetime, vitals: dict[str, Any]) -> None:
    recovery.record_observations(
        story.session,
        story.team.nurse,
        story.episode_id,
        {"kind": kind, "observed_at": at.isoformat(), **vitals},
        now=at + timedelta(minutes=1),
    )


def _score_aldrete(story: Story, at: datetime, *, arriving: bool) -> None:
    """Circulation is derived from the vital signs; drowsy and on oxygen on arrival."""
    points = 1 if arriving else 2
    recovery.score_aldrete(
        story.session,
        story.team.nurse,
        story.episode_id,
        AldreteIn(activity=points, respiration=2, consciousness=points, oxygen_saturation=points),
        now=at,
    )


def _score_padss(story: Story, at: datetime) -> None:
    recovery.score_padss(
        story.session,
        story.team.nurse,
        story.episode_id,
        PadssIn(
            ambulation=2, nausea_vomiting=2, pain=story.rng.choice([1, 2]), surgical_bleeding=2
        ),
        now=at,
    )


def _complete_checklist(story: Story, at: datetime) -> None:
    stay = recovery.stay_of(story.session, story.episode_id)
    assert stay is not None
    recovery.update_checklist(
        story.session,
        story.team.nurse,
        story.episode_id,
        ChecklistIn(
            version=stay.version,
            escort_confirmed=True,
            escort_name=story.rng.choice(["Daughter", "Son", "Husband", "Wife", "Neighbour"]),
            pain_relief_given=True,
            antibiotics_prescribed=False,
            instructions_given=True,
            follow_up_booked=True,
            follow_up_note="Phone call tomorrow, clinic visit in two weeks",
        ),
        now=at,
    )


def _discharge(story: Story, at: datetime) -> None:
    """Home once every readiness item is met; discharge starts the follow-up plan."""
    stay = recovery.stay_of(story.session, story.episode_id)
    assert stay is not None
    recovery.discharge(
        story.session,
        story.team.physician,
        story.episode_id,
        DischargeIn(version=stay.version),
        now=at,
    )


# ---- Follow-up: the questionnaires ----------------------------------------------------------

# How much of the starting pain and disability has gone by each contact (a typical course).
_IMPROVEMENT = {"day_1": 0.35, "week_2": 0.5, "month_3": 0.7, "month_12": 0.75}


def _record_due_outcomes(story: Story, start: datetime, end: datetime) -> None:
    """Answers for every planned contact that fell due between ``start`` and ``end``."""
    plan = records.plan_of(story.session, story.episode_id)
    if plan is None:
        return
    contacts = story.session.scalars(
        select(FollowUpContact)
        .where(FollowUpContact.plan_id == plan.id, FollowUpContact.status == "planned")
        .order_by(FollowUpContact.due_date, FollowUpContact.sequence)
    ).all()
    for contact in contacts:
        moment = _contact_moment(story, contact, end)
        if start <= moment and story.local_date(moment) >= contact.due_date:
            _record_outcome(story, contact.code, moment, contact.mode)


def _contact_moment(story: Story, contact: FollowUpContact, end: datetime) -> datetime:
    """A working-hours moment in the contact's first days, and no later than ``end``."""
    rng = story.rng
    day = contact.due_date + timedelta(days=rng.randint(0, min(contact.window_days, 4)))
    moment = datetime.combine(
        day, time(rng.randint(9, 15), rng.choice([0, 15, 30, 45])), tzinfo=story.zone
    )
    return min(moment, end - timedelta(minutes=10))


def _record_outcome(story: Story, time_point: str, at: datetime, method: str) -> None:
    improved = _IMPROVEMENT.get(time_point, 0.0 if time_point == "baseline" else 0.5)
    nrs, odi_percent, rmdq = _answers(story, improved)
    outcomes.record_outcome(
        story.session,
        story.team.nurse,
        story.episode_id,
        OutcomeIn(
            time_point=time_point,
            collected_on=story.local_date(at),
            method="visit" if method == "visit" else "phone",
            nrs=nrs,
            odi_sections=_odi_sections(story.rng, odi_percent),
            rmdq_items=_rmdq_items(story.rng, rmdq),
        ),
        now=at,
    )


def _answers(story: Story, improved: float) -> tuple[int, int, int]:
    """NRS, ODI percent and RMDQ once ``improved`` (a fraction) of the baseline has gone: a
    little scatter, never worse than the answers before."""
    outlook = story.outlook
    if not improved or story.answers is None:
        story.answers = (outlook.nrs, outlook.odi_percent, outlook.rmdq)
        return story.answers
    left = 1 - improved
    wobble = story.rng.choice([-1, 0, 0, 1])
    expected = (
        round(outlook.nrs * left) + wobble,
        2 * round(outlook.odi_percent * left / 2) + 2 * wobble,
        round(outlook.rmdq * left) + wobble,
    )
    story.answers = (
        max(0, min(expected[0], story.answers[0] - 1)),
        max(0, min(expected[1], story.answers[1] - 2)),
        max(0, min(expected[2], story.answers[2])),
    )
    return story.answers


def _odi_sections(rng: random.Random, percent: int) -> list[int]:
    """Ten ODI sections of 0-5 points whose total out of 50, doubled, is ``percent``."""
    sections = [0] * 10
    for _ in range(min(50, percent // 2)):
        open_sections = [index for index, points in enumerate(sections) if points < 5]
        sections[rng.choice(open_sections)] += 1
    return sections


def _rmdq_items(rng: random.Random, score: int) -> list[bool]:
    ticked = set(rng.sample(range(24), min(24, score)))
    return [item in ticked for item in range(24)]
