"""The patient's plan as a calendar file (iCalendar, RFC 5545).

One event for every reminder of the plain-language plan (each medicine stop and restart, each
fasting start, the arrival, the procedure and the follow-up), at its local time in the clinic's
time zone (with that zone's VTIMEZONE), each with display alarms.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Alarm, Calendar, Event

from spinepath.preparation.patient_text import PatientPlan


def render_ics(
    document: PatientPlan, *, uid_base: str, stamp: datetime, sequence: int = 0
) -> bytes:
    """Events keep their UID from one signed version to the next (a higher SEQUENCE), so a
    calendar that imports the new file updates the events instead of adding them twice."""
    calendar = Calendar()
    calendar.add("prodid", "-//spinepath//preparation plan//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", document.title)
    calendar.add("x-wr-timezone", document.time_zone)
    for reminder in document.reminders:
        event = Event()
        event.add("uid", f"{uid_base}-{reminder.key}@spinepath")
        event.add("dtstamp", stamp)
        event.add("sequence", sequence)
        event.add("dtstart", reminder.start)
        event.add("dtend", reminder.start + timedelta(minutes=reminder.minutes))
        event.add("summary", reminder.title)
        event.add("description", reminder.description)
        event.add("transp", "TRANSPARENT")
        for alarm_spec in reminder.alarms:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", alarm_spec.text)
            alarm.add("trigger", -alarm_spec.before)
            event.add_component(alarm)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    body: bytes = calendar.to_ical()
    return body
