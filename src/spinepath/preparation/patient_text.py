"""The signed plan in plain language, in the clinic's time zone.

One document, :class:`PatientPlan`, is built here from the stored inputs and plan; the web page,
the PDF and the calendar file are all drawn from it, so the three never disagree. The words aim
at a reading grade of 6 or below (short sentences, everyday words); tests measure every output.

What a patient is told about each medicine follows the plan's action and nothing else:

- ``hold``: the last dose (a usual dose time, or the latest moment allowed) and when to start
  again (the first usual dose after the restart time, or the restart time itself; when the
  source gives none, the care team will say);
- ``continue``: keep taking it as usual;
- ``review``: the care team will call about it. No stop or restart time is ever guessed.

A physician's decision on a medicine wins over the rule: a hold with the decided last dose and
restart, continue, one dose left out, or a call from the care team, each followed by the
physician's own instructions word for word (on the page, the PDF and in the calendar).

Calendar alarms never ring in the clinic's quiet hours (21:00-07:00 unless the clinic sets
others): such an alarm moves to the evening before, one hour before quiet hours begin, and says
what is coming and when.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

CARE_TEAM_WILL_CALL = "Your care team will call you about this medicine."

# The fasting items of the plan, in the order they end under ASA.
_SOLID, _LIGHT, _MILK, _CLEAR = "solid_food", "light_meal", "non_human_milk", "clear_liquids"


@dataclass(frozen=True)
class MedicineNote:
    name: str
    action: str
    sentences: tuple[str, ...]


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    paragraphs: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    after_items: tuple[str, ...] = ()
    medicines: tuple[MedicineNote, ...] = ()


@dataclass(frozen=True)
class Alarm:
    before: timedelta
    text: str
    moved_from_quiet_hours: bool = False


@dataclass(frozen=True)
class Reminder:
    """One calendar event: a stop, a restart, a fasting start, the arrival, the follow-up."""

    key: str
    title: str
    description: str
    start: datetime
    minutes: int
    alarms: tuple[Alarm, ...] = field(default_factory=tuple)


DEFAULT_QUIET_HOURS = (time(21, 0), time(7, 0))


@dataclass(frozen=True)
class ClinicContact:
    """What the patient's copies say about the clinic (any part may be unknown)."""

    name: str = ""
    phone: str = ""
    address: str = ""


@dataclass(frozen=True)
class PatientPlan:
    title: str
    patient_name: str
    time_zone: str
    zone_note: str
    intro: tuple[str, ...]
    sections: tuple[Section, ...]
    checked_by: str
    reminders: tuple[Reminder, ...]
    procedure_start: datetime
    paper_size: str = "A4"


def zone_label(zone_name: str) -> str:
    """ "America/Chicago" → "Chicago"; "UTC" stays "UTC"."""
    return zone_name.rsplit("/", 1)[-1].replace("_", " ")


def day_text(day: date) -> str:
    return f"{day:%A, %B} {day.day}"


def clock_text(moment: datetime) -> str:
    if (moment.hour, moment.minute) == (0, 0):
        return "midnight"
    if (moment.hour, moment.minute) == (12, 0):
        return "noon"
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"


def moment_text(moment: datetime) -> str:
    """ "Saturday, November 28 at 8:00 AM"; local midnight is the end of the day before."""
    if (moment.hour, moment.minute) == (0, 0):
        return f"midnight at the end of {day_text(moment.date() - timedelta(days=1))}"
    return f"{day_text(moment.date())} at {clock_text(moment)}"


def _local(value: str | None, zone: ZoneInfo) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(zone) if value else None


def _is_midnight(moment: datetime) -> bool:
    return (moment.hour, moment.minute) == (0, 0)


def _same(first: datetime, second: datetime) -> bool:
    # Aware datetimes sharing a zone compare by wall clock: compare the moments in UTC.
    return first.astimezone(UTC) == second.astimezone(UTC)


def _restart_sentence(medicine: Mapping[str, Any], zone: ZoneInfo) -> tuple[str, datetime | None]:
    first = _local(medicine.get("first_usual_dose_after_restart"), zone)
    if first is not None:
        return f"Start it again with your usual dose on {moment_text(first)}.", first
    restart = _local(medicine.get("restart_at"), zone)
    if restart is not None:
        if _is_midnight(restart):
            return f"You may start it again on {day_text(restart.date())}.", restart
        return f"You may start it again on {moment_text(restart)} or later.", restart
    return "Your care team will tell you when to start it again.", None


def _decided(
    index: int, name: str, decision: Mapping[str, Any], zone: ZoneInfo
) -> tuple[MedicineNote, list[Reminder]]:
    """What the patient is told when a physician decided about the medicine."""
    action = str(decision["action"])
    words = str(decision.get("instructions") or "").strip()
    own = (words,) if words else ()
    tail = f" {words}" if words else ""
    if action == "continue":
        return MedicineNote(name, "continue", ("Keep taking it as usual.", *own)), []
    if action == "skip_dose":
        skip = _local(decision.get("skip_dose_at"), zone)
        assert skip is not None
        sentences = (
            f"Do not take the dose on {moment_text(skip)}.",
            "Take your other doses as usual.",
            *own,
        )
        reminder = Reminder(
            key=f"skip-{index}",
            title=f"Skip your dose of {name}",
            description=f"Do not take this dose of {name}.{tail}",
            start=skip,
            minutes=15,
            alarms=(Alarm(timedelta(0), f"Do not take {name} now."),),
        )
        return MedicineNote(name, "skip", sentences), [reminder]
    last = _local(decision.get("last_dose_at"), zone)
    if action != "hold" or last is None:
        return MedicineNote(name, "review", (CARE_TEAM_WILL_CALL, *own)), []
    restart = _local(decision.get("restart_at"), zone)
    restart_text = (
        f"Start it again on {moment_text(restart)}."
        if restart is not None
        else "Your care team will tell you when to start it again."
    )
    reminders = [
        Reminder(
            key=f"stop-{index}",
            title=f"Last dose of {name}",
            description=f"Take your last dose of {name} now. Then stop taking it. "
            + restart_text
            + tail,
            start=last,
            minutes=15,
            alarms=(Alarm(timedelta(0), f"Take your last dose of {name} now."),),
        )
    ]
    if restart is not None:
        reminders.append(
            Reminder(
                key=f"restart-{index}",
                title=f"Start {name} again",
                description=restart_text + tail,
                start=restart,
                minutes=15,
                alarms=(Alarm(timedelta(0), f"You may start {name} again."),),
            )
        )
    sentences = (
        f"Take your last dose on {moment_text(last)}.",
        "Then stop taking it.",
        restart_text,
        *own,
    )
    return MedicineNote(name, "hold", sentences), reminders


def _medicine(
    index: int, medicine: Mapping[str, Any], zone: ZoneInfo
) -> tuple[MedicineNote, list[Reminder]]:
    name = str(medicine["input"]).strip()
    decision = medicine.get("decision")
    if decision:
        return _decided(index, name, decision, zone)
    action = str(medicine["action"])
    last = _local(medicine.get("last_dose_at"), zone)
    if action == "continue":
        return MedicineNote(name, action, ("Keep taking it as usual.",)), []
    if action != "hold" or last is None:
        return MedicineNote(name, "review", (CARE_TEAM_WILL_CALL,)), []

    restart_text, restart_at = _restart_sentence(medicine, zone)
    reminders: list[Reminder] = []
    sentences: tuple[str, ...]
    if medicine.get("last_dose_basis") == "usual_dose_time":
        sentences = (
            f"Take your last dose on {moment_text(last)}.",
            "Then stop taking it.",
            restart_text,
        )
        reminders.append(
            Reminder(
                key=f"stop-{index}",
                title=f"Last dose of {name}",
                description=f"Take your last dose of {name} now. Then stop taking it. "
                + restart_text,
                start=last,
                minutes=15,
                alarms=(Alarm(timedelta(0), f"Take your last dose of {name} now."),),
            )
        )
    else:
        sentences = (f"Do not take it after {moment_text(last)}.", restart_text)
        reminders.append(
            Reminder(
                key=f"stop-{index}",
                title=f"Stop {name}",
                description=f"Do not take {name} after this time. " + restart_text,
                start=last,
                minutes=15,
                alarms=(Alarm(timedelta(hours=1), f"In one hour, stop taking {name}."),),
            )
        )
    if restart_at is not None:
        reminders.append(
            Reminder(
                key=f"restart-{index}",
                title=f"Start {name} again",
                description=restart_text,
                start=restart_at,
                minutes=15,
                alarms=(Alarm(timedelta(0), f"You may start {name} again."),),
            )
        )
    return MedicineNote(name, action, sentences), reminders


def _note_reminder(index: int, name: str, words: str) -> Reminder:
    """A placeholder carrying a decision's words to the procedure event (see ``build``)."""
    return Reminder(f"note-{index}", name, words, datetime.min.replace(tzinfo=UTC), 0)


def _medicines_section(
    medications: list[Mapping[str, Any]], zone: ZoneInfo
) -> tuple[Section, list[Reminder]]:
    notes: list[MedicineNote] = []
    reminders: list[Reminder] = []
    for index, medicine in enumerate(medications):
        note, events = _medicine(index, medicine, zone)
        notes.append(note)
        reminders.extend(events)
        words = str((medicine.get("decision") or {}).get("instructions") or "").strip()
        if words and not events:  # no event of its own: the words go with the procedure
            reminders.append(_note_reminder(index, note.name, words))
    paragraphs = [
        "Some medicines make you bleed more. You may need to stop them for a short time.",
        "Here is what to do with each of your medicines.",
    ]
    if not notes:
        paragraphs = ["We have no medicines on your list."]
    after = [
        "Do you take a medicine that is not on this list? Please tell us before your "
        "procedure. This also counts for vitamins and herbs.",
    ]
    if any(note.action == "review" for note in notes):
        after.append("If no one has called you in the next two days, please call us.")
    section = Section(
        key="medicines",
        heading="Your medicines",
        paragraphs=tuple(paragraphs),
        medicines=tuple(notes),
        after_items=tuple(after),
    )
    return section, reminders


_FASTING_TITLES = {
    _SOLID: "Stop fried or fatty food and meat",
    _LIGHT: "Stop eating",
    _MILK: "Stop drinking milk",
    _CLEAR: "Stop eating and drinking",
}


def _fasting_section(fasting: Mapping[str, Any], zone: ZoneInfo) -> tuple[Section, list[Reminder]]:
    until: dict[str, datetime] = {}
    for item in (_SOLID, _LIGHT, _MILK, _CLEAR):
        moment = _local(fasting.get(f"{item}_until"), zone)
        if moment is not None:
            until[item] = moment
    solid, light, milk, clear = until[_SOLID], until[_LIGHT], until[_MILK], until[_CLEAR]
    paragraphs: list[str] = []
    glp1 = fasting.get("glp1") or {}
    if glp1.get("liquid_diet_from"):
        names = " and ".join(str(name) for name in glp1.get("medicines", []))
        paragraphs.append(f"You take {names}. So you need to stop eating a day early.")
    if _same(clear, light):
        paragraphs.append(f"You may eat and drink as usual until {moment_text(clear)}.")
        paragraphs.append("After that, do not eat or drink anything at all.")
    else:
        paragraphs.append(f"You may eat as usual until {moment_text(solid)}.")
        if not _same(light, solid):
            paragraphs.append(
                "After that, do not eat fried or fatty food or meat. You may eat a light meal, "
                f"like toast and a clear drink, until {moment_text(light)}."
            )
        paragraphs.append(f"After {moment_text(light)}, do not eat any food.")
        if _same(milk, light):
            paragraphs.append("Stop drinking milk at that time too.")
            paragraphs.append(f"You may drink clear liquids until {moment_text(clear)}.")
        elif _same(milk, clear):
            paragraphs.append(f"You may drink milk and clear liquids until {moment_text(clear)}.")
        else:
            paragraphs.append(f"You may drink milk until {moment_text(milk)}.")
            paragraphs.append(f"You may drink clear liquids until {moment_text(clear)}.")
        paragraphs.append(
            "Clear liquids are water, clear juice with no pulp, clear tea, and coffee with no "
            "milk or cream."
        )
        paragraphs.append(f"After {moment_text(clear)}, do not eat or drink anything at all.")

    reminders: list[Reminder] = []
    moments: dict[datetime, tuple[datetime, list[str]]] = {}
    for item, moment in until.items():
        moments.setdefault(moment.astimezone(UTC), (moment, []))[1].append(item)
    for number, (_, (moment, items)) in enumerate(sorted(moments.items())):
        if _CLEAR in items:
            title, text = _FASTING_TITLES[_CLEAR], "From now on, do not eat or drink anything."
        elif _LIGHT in items:
            title = _FASTING_TITLES[_LIGHT] + (" and drinking milk" if _MILK in items else "")
            text = "From now on, do not eat any food." + (
                " Do not drink milk." if _MILK in items else ""
            )
            text += f" You may drink clear liquids until {moment_text(clear)}."
        elif _SOLID in items:
            title = _FASTING_TITLES[_SOLID]
            text = f"From now on, eat only a light meal, like toast, until {moment_text(light)}."
        else:
            title = _FASTING_TITLES[_MILK]
            text = (
                "From now on, do not drink milk. You may drink clear liquids until "
                f"{moment_text(clear)}."
            )
        reminders.append(
            Reminder(
                key=f"fasting-{number}",
                title=title,
                description=text,
                start=moment,
                minutes=15,
                alarms=(Alarm(timedelta(hours=1), f"In one hour: {title.lower()}."),),
            )
        )
    section = Section(key="eating", heading="Eating and drinking", paragraphs=tuple(paragraphs))
    return section, reminders


def _blood_tests_section(plan: Mapping[str, Any]) -> Section:
    labs = list(plan.get("labs", [])) + list(plan.get("other_labs", []))
    missing = any(lab.get("status") == "missing" or lab.get("value") is None for lab in labs)
    out_of_range = any(lab.get("status") == "out_of_range" for lab in labs)
    paragraphs: list[str] = []
    if out_of_range:
        paragraphs.append("Your care team will call you about your blood test results.")
    if missing:
        paragraphs.append(
            "You need a blood test before your procedure. Your care team will tell you when "
            "and where."
        )
    if not paragraphs:
        paragraphs.append("We have your blood test results. You do not need another test now.")
    return Section(key="blood", heading="Blood tests", paragraphs=tuple(paragraphs))


def build(
    *,
    inputs: Mapping[str, Any],
    plan: Mapping[str, Any],
    patient_name: str,
    signed_by: str,
    signed_at: datetime,
    time_zone: str,
    patient_birth_date: date | None = None,
    clinic: ClinicContact | None = None,
    quiet_hours: tuple[time, time] = DEFAULT_QUIET_HOURS,
    paper_size: str = "A4",
) -> PatientPlan:
    """The patient's plan from the stored inputs and the signed plan."""
    zone = ZoneInfo(time_zone)
    clinic = clinic or ClinicContact()
    start = datetime.fromisoformat(str(plan["procedure_start"])).astimezone(zone)
    arrival = _local(inputs.get("arrival_at"), zone)
    follow_up = _local(inputs.get("follow_up_at"), zone)

    reminders: list[Reminder] = []
    procedure_lines = [f"Your procedure is on {moment_text(start)}."]
    if arrival is not None:
        procedure_lines.append(
            f"Please come at {clock_text(arrival)} on {day_text(arrival.date())}."
        )
        reminders.append(
            Reminder(
                key="arrival",
                title="Arrive for your procedure",
                description=f"Please come at {clock_text(arrival)}. Bring this plan and a list "
                "of your medicines. An adult must take you home.",
                start=arrival,
                minutes=max(15, int((start - arrival).total_seconds() // 60)),
                alarms=(
                    Alarm(timedelta(days=1), f"Tomorrow you come in at {clock_text(arrival)}."),
                    Alarm(timedelta(hours=2), "In two hours you come in for your procedure."),
                ),
            )
        )
    else:
        procedure_lines.append("Your care team will tell you what time to come.")
    if clinic.address:
        where = f"{clinic.name}, {clinic.address}" if clinic.name else clinic.address
        procedure_lines.append(f"Come to {where}.")
    reminders.append(
        Reminder(
            key="procedure",
            title="Your back procedure",
            description="This is the time of your procedure.",
            start=start,
            minutes=60,
            alarms=()
            if arrival is not None
            else (Alarm(timedelta(days=1), "Your procedure is tomorrow."),),
        )
    )

    medicines, medicine_reminders = _medicines_section(list(plan.get("medications", [])), zone)
    eating, fasting_reminders = _fasting_section(plan["fasting"], zone)
    notes = [r for r in medicine_reminders if r.key.startswith("note-")]
    if notes:
        words = " ".join(f"{note.title}: {note.description}" for note in notes)
        reminders = [
            Reminder(
                r.key,
                r.title,
                f"{r.description} About your medicines: {words}",
                r.start,
                r.minutes,
                r.alarms,
            )
            if r.key == "procedure"
            else r
            for r in reminders
        ]
    medicine_reminders = [r for r in medicine_reminders if not r.key.startswith("note-")]
    reminders.extend(medicine_reminders)
    reminders.extend(fasting_reminders)

    after_lines = [
        "Your back may be sore for 2 or 3 days.",
        "The bone keeps healing for 8 weeks or more.",
    ]
    if follow_up is not None:
        after_lines.append(f"Your follow-up visit is on {moment_text(follow_up)}.")
        reminders.append(
            Reminder(
                key="follow-up",
                title="Your follow-up visit",
                description="This is your follow-up visit. Please do not miss it. We will "
                "check how you feel and talk about how to keep your bones strong.",
                start=follow_up,
                minutes=30,
                alarms=(Alarm(timedelta(days=1), "Your follow-up visit is tomorrow."),),
            )
        )
    else:
        after_lines.append("We will give you a date for a follow-up visit.")
    after_lines.append(
        "Please do not miss it. We will talk about how to make your bones strong. This helps "
        "stop the next break."
    )

    sections = (
        Section(key="procedure", heading="Your procedure", paragraphs=tuple(procedure_lines)),
        medicines,
        eating,
        _blood_tests_section(plan),
        Section(
            key="day",
            heading="On the day",
            paragraphs=(
                "You will get medicine to help you relax and feel sleepy.",
                "The procedure takes about 15 to 60 minutes.",
                "Then we watch you for about an hour. We check your heart, blood pressure and "
                "breathing.",
                "Most people go home the same day. An adult must take you home.",
                "Bring this plan and a list of all your medicines.",
            ),
        ),
        Section(key="after", heading="After your procedure", paragraphs=tuple(after_lines)),
        Section(
            key="call",
            heading="When to call us",
            paragraphs=("Call us right away if you have any of these:",),
            items=(
                "A fever or chills.",
                "New weakness, tingling or numb feeling in your legs.",
                "New trouble when you pee or poop.",
                "Back pain that gets much worse and does not get better with your medicine.",
                "Red skin, swelling or fluid where the needle went in.",
            ),
            after_items=(
                *((f"Our phone number is {clinic.phone}.",) if clinic.phone else ()),
                "Call for an ambulance if you have chest pain or trouble breathing.",
            ),
        ),
    )
    label = zone_label(time_zone)
    intro = [
        "This plan tells you how to get ready for your procedure.",
        "Please read all of it. Keep it until your procedure.",
    ]
    if patient_birth_date is not None:
        intro.insert(0, f"Date of birth: {birth_text(patient_birth_date)}.")
    if clinic.phone:
        intro.append(f"Do you have a question? Call us at {clinic.phone}.")
    timed = sorted(reminders, key=lambda r: (r.start.astimezone(UTC), r.key))
    return PatientPlan(
        title="Getting ready for your back procedure",
        patient_name=patient_name,
        time_zone=time_zone,
        zone_note=f"All times are {label} time.",
        intro=tuple(intro),
        sections=sections,
        checked_by=f"{signed_by} checked this plan on {day_text(signed_at.astimezone(zone))}.",
        reminders=tuple(quiet_alarms(r, zone, quiet_hours) for r in timed),
        procedure_start=start,
        paper_size=paper_size,
    )


def birth_text(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def in_quiet_hours(moment: datetime, quiet_hours: tuple[time, time]) -> bool:
    """Whether a local moment falls in [start, end) of the quiet hours (which may wrap midnight)."""
    begin, end = quiet_hours
    clock = moment.time().replace(tzinfo=None)
    if begin <= end:
        return begin <= clock < end
    return clock >= begin or clock < end


def quiet_alarms(reminder: Reminder, zone: ZoneInfo, quiet_hours: tuple[time, time]) -> Reminder:
    """The reminder with each alarm that would ring in quiet hours moved to the evening before
    (one hour before quiet hours begin), saying what is coming and when."""
    begin, end = quiet_hours
    alarms: list[Alarm] = []
    for alarm in reminder.alarms:
        rings = (reminder.start - alarm.before).astimezone(zone)
        if not in_quiet_hours(rings, quiet_hours):
            alarms.append(alarm)
            continue
        evening = rings.date()
        if begin > end and rings.time().replace(tzinfo=None) < end:
            evening -= timedelta(days=1)  # after midnight: quiet hours began the evening before
        moved = datetime.combine(evening, begin, tzinfo=zone) - timedelta(hours=1)
        moved = moved.astimezone(UTC).astimezone(zone)  # a real local moment
        text = f"Coming up on {moment_text(reminder.start)}: {reminder.title.lower()}."
        alarms.append(Alarm(reminder.start - moved, text, moved_from_quiet_hours=True))
    unique = tuple(dict.fromkeys(alarms))
    return Reminder(
        key=reminder.key,
        title=reminder.title,
        description=reminder.description,
        start=reminder.start,
        minutes=reminder.minutes,
        alarms=unique,
    )


def plain_text(document: PatientPlan) -> str:
    """The whole document as text, one block a line (for checks and plain-text use)."""
    lines = [document.title, f"For {document.patient_name}.", document.zone_note]
    lines.extend(document.intro)
    for section in document.sections:
        lines.append(section.heading)
        lines.extend(section.paragraphs)
        for medicine in section.medicines:
            lines.append(medicine.name)
            lines.extend(medicine.sentences)
        lines.extend(section.items)
        lines.extend(section.after_items)
    lines.append(document.checked_by)
    return "\n".join(lines)
