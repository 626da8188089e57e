"""Schedules start at discharge or conservative treatment; contacts reach the worklist, turn
overdue by the clinic's calendar, and can be rescheduled."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from spinepath.accounts.roles import Role
from tests.api.helpers import error_fields
from tests.follow_up.helpers import (
    conservative_episode,
    contact,
    discharged_episode,
    follow_up,
    set_anchor,
)
from tests.support import ClinicUsers, LiveServer, make_clinic


def _today(clinic: ClinicUsers) -> date:
    return datetime.now(ZoneInfo(clinic.time_zone)).date()


def test_discharge_creates_the_default_post_procedure_schedule(clinic: ClinicUsers) -> None:
    episode = discharged_episode(clinic)
    today = _today(clinic)
    with clinic.client(Role.NURSE) as client:
        view = follow_up(client, episode["id"])
        tasks = client.get(f"/api/v1/episodes/{episode['id']}").json()["tasks"]
    assert view["plan"]["kind"] == "post_procedure"
    assert date.fromisoformat(view["plan"]["anchor_date"]) == today
    codes = [(c["code"], c["mode"], c["due_date"]) for c in view["contacts"]]
    assert codes[0] == ("day_1", "phone", (today + timedelta(days=1)).isoformat())
    assert codes[1] == ("week_2", "visit", (today + timedelta(days=14)).isoformat())
    assert [c[0] for c in codes] == ["day_1", "week_2", "month_3", "month_12"]
    assert contact(view, "week_2")["window_end"] == (today + timedelta(days=28)).isoformat()
    # Each contact is a task on the worklist; the pathway's own phone check is reused, not doubled.
    contact_tasks = {c["task_id"] for c in view["contacts"]}
    assert len(contact_tasks) == 4 and None not in contact_tasks
    assert [t["code"] for t in tasks].count("phone_check") == 1
    phone_task = next(t for t in tasks if t["id"] == contact(view, "day_1")["task_id"])
    assert phone_task["code"] == "phone_check"
    # Bone health gap tasks start too.
    assert {"flp_dxa", "flp_treatment", "flp_adherence", "flp_letter"} <= {t["code"] for t in tasks}


def test_treated_conservatively_gets_one_visit_at_two_to_four_weeks(clinic: ClinicUsers) -> None:
    episode = conservative_episode(clinic)
    today = _today(clinic)
    with clinic.client(Role.NURSE) as client:
        view = follow_up(client, episode["id"])
    assert view["plan"]["kind"] == "conservative"
    (visit,) = view["contacts"]
    assert visit["code"] == "week_2_4"
    assert visit["due_date"] == (today + timedelta(days=14)).isoformat()
    assert visit["window_end"] == (today + timedelta(days=28)).isoformat()
    assert visit["source_id"] == "hirsch-2018-vcf-pathway"


def test_a_clinic_schedule_is_used_for_new_plans(clinic: ClinicUsers) -> None:
    schedule = {
        "conservative": [
            {"code": "week_3", "label": "Call at 3 weeks", "mode": "phone", "offset_days": 21},
            {"code": "month_6", "label": "Visit at 6 months", "mode": "visit", "offset_months": 6},
        ]
    }
    with clinic.client(Role.ADMIN) as admin:
        saved = admin.put("/api/v1/follow-up/settings", json={"schedules": schedule})
        assert saved.status_code == 200, saved.text
        bad = admin.put(
            "/api/v1/follow-up/settings",
            json={"schedules": {"conservative": [{"code": "X", "mode": "fax"}], "weekly": []}},
        )
    assert bad.status_code == 422
    assert {"schedules.conservative.0.code", "schedules.conservative.0.mode"} <= error_fields(bad)
    assert "schedules.weekly" in error_fields(bad)
    with clinic.client(Role.NURSE) as nurse:
        refused = nurse.put("/api/v1/follow-up/settings", json={"schedules": schedule})
        assert refused.status_code == 403
    episode = conservative_episode(clinic)
    with clinic.client(Role.NURSE) as client:
        view = follow_up(client, episode["id"])
    assert [c["code"] for c in view["contacts"]] == ["week_3", "month_6"]
    assert [c["source_id"] for c in view["contacts"]] == [None, None]


def test_rescheduling_moves_the_contact_its_window_and_its_task(clinic: ClinicUsers) -> None:
    episode = discharged_episode(clinic)
    with clinic.client(Role.COORDINATOR) as client:
        view = follow_up(client, episode["id"])
        visit = contact(view, "week_2")
        new_day = date.fromisoformat(visit["due_date"]) + timedelta(days=5)
        v = visit["version"]
        moved = client.post(
            f"/api/v1/follow-up/contacts/{visit['id']}/reschedule",
            json={"due_date": new_day.isoformat(), "reason": "patient away", "version": v},
        )
        assert moved.status_code == 200, moved.text
        body = moved.json()
        assert body["due_date"] == new_day.isoformat()
        assert body["window_end"] == (new_day + timedelta(days=14)).isoformat()
        assert body["planned_due_date"] == visit["due_date"]
        assert body["reschedule_reason"] == "patient away"
        tasks = client.get(f"/api/v1/episodes/{episode['id']}").json()["tasks"]
        task = next(t for t in tasks if t["id"] == visit["task_id"])
        zone = ZoneInfo(clinic.time_zone)
        assert datetime.fromisoformat(task["due_at"]).astimezone(zone).date() == (
            new_day + timedelta(days=14)
        )
        stale = client.post(
            f"/api/v1/follow-up/contacts/{visit['id']}/reschedule",
            json={"due_date": new_day.isoformat(), "reason": "again", "version": v},
        )
        assert stale.status_code == 409
        missing = client.post(
            f"/api/v1/follow-up/contacts/{visit['id']}/reschedule", json={"version": v + 1}
        )
        assert missing.status_code == 422
        assert {"due_date", "reason"} <= error_fields(missing)


def test_moving_the_plan_start_replans_every_planned_contact(clinic: ClinicUsers) -> None:
    episode = discharged_episode(clinic)
    with clinic.client(Role.PHYSICIAN) as client:
        view = set_anchor(client, episode["id"], "2026-01-31")
    assert [(c["code"], c["due_date"]) for c in view["contacts"]] == [
        ("day_1", "2026-02-01"),
        ("week_2", "2026-02-14"),
        ("month_3", "2026-04-30"),
        ("month_12", "2027-01-31"),
    ]


def _due_list(client: httpx.Client, as_of: str, *states: str) -> list[dict]:  # type: ignore[type-arg]
    answer = client.get(
        "/api/v1/follow-up/contacts", params=[("as_of", as_of), *(("state", s) for s in states)]
    )
    assert answer.status_code == 200, answer.text
    return list(answer.json())


def test_overdue_follows_each_clinics_own_midnight(server: LiveServer) -> None:
    auckland = make_clinic(server, time_zone="Pacific/Auckland")
    los_angeles = make_clinic(server, time_zone="America/Los_Angeles")
    for clinic in (auckland, los_angeles):
        episode = discharged_episode(clinic)
        with clinic.client(Role.PHYSICIAN) as client:
            set_anchor(client, episode["id"], "2026-11-30")  # day_1 is due on 1 Dec 2026
    # 1 Dec 2026 10:59:59Z is 23:59:59 on 1 Dec in Auckland (UTC+13): still due there.
    checks = [
        (auckland, "2026-12-01T10:59:59Z", "due"),
        (auckland, "2026-12-01T11:00:00Z", "overdue"),
        (los_angeles, "2026-12-01T20:00:00Z", "due"),  # noon on 1 Dec in Los Angeles
        (los_angeles, "2026-12-02T07:59:59Z", "due"),
        (los_angeles, "2026-12-02T08:00:00Z", "overdue"),
    ]
    for clinic, moment, expected in checks:
        with clinic.client(Role.NURSE) as client:
            found = _due_list(client, moment, "due", "overdue")
        day_1 = [c for c in found if c["code"] == "day_1"]
        assert [c["state"] for c in day_1] == [expected], (clinic.time_zone, moment)
    with auckland.client(Role.NURSE) as client:
        (phone,) = [c for c in _due_list(client, "2026-12-01T11:00:00Z", "overdue")]
        assert phone["overdue_from"] in ("2026-12-02T00:00:00+13:00", "2026-12-01T11:00:00Z")
        assert datetime.fromisoformat(phone["overdue_from"]) == datetime(
            2026, 12, 1, 11, tzinfo=UTC
        )
        # The worklist flags the task as overdue against the same instant.
        episode_tasks = client.get(f"/api/v1/episodes/{phone['episode_id']}").json()["tasks"]
        task = next(t for t in episode_tasks if t["id"] == phone["task_id"])
        assert datetime.fromisoformat(task["due_at"]) < datetime(2026, 12, 1, 11, tzinfo=UTC)
        last_second = datetime(2026, 12, 1, 10, 59, 59, tzinfo=UTC)
        assert datetime.fromisoformat(task["due_at"]) > last_second


def test_a_contact_past_its_window_is_flagged_overdue_on_the_worklist(
    clinic: ClinicUsers,
) -> None:
    late = discharged_episode(clinic, family_name="Latecomer")
    on_time = discharged_episode(clinic, family_name="Punctual")
    with clinic.client(Role.PHYSICIAN) as client:
        set_anchor(client, late["id"], (_today(clinic) - timedelta(days=3)).isoformat())
        view = follow_up(client, late["id"])
        assert contact(view, "day_1")["state"] == "overdue"
        assert contact(view, "week_2")["state"] == "upcoming"
        worklist = client.get("/api/v1/worklist", params={"overdue": "true"}).json()
    flagged = {item["episode_id"] for item in worklist["items"]}
    assert late["id"] in flagged and on_time["id"] not in flagged


def test_contact_list_refuses_bad_states_and_naive_times(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        bad = client.get(
            "/api/v1/follow-up/contacts",
            params=[("state", "late"), ("as_of", "2026-12-01T10:00:00")],
        )
    assert bad.status_code == 422
    assert error_fields(bad) == {"state", "as_of"}


def test_marking_a_contact_done_closes_its_task_and_other_clinics_cannot(
    clinic: ClinicUsers, other_clinic: ClinicUsers
) -> None:
    episode = discharged_episode(clinic)
    with clinic.client(Role.NURSE) as client:
        phone = contact(follow_up(client, episode["id"]), "day_1")
        with other_clinic.client(Role.NURSE) as stranger:
            assert (
                stranger.patch(
                    f"/api/v1/follow-up/contacts/{phone['id']}",
                    json={"status": "done", "version": phone["version"]},
                ).status_code
                == 404
            )
            assert stranger.get(f"/api/v1/episodes/{episode['id']}/follow-up").status_code == 404
        done = client.patch(
            f"/api/v1/follow-up/contacts/{phone['id']}",
            json={"status": "done", "version": phone["version"]},
        )
        assert done.status_code == 200, done.text
        assert done.json()["state"] == "done"
        tasks = client.get(f"/api/v1/episodes/{episode['id']}").json()["tasks"]
        assert next(t for t in tasks if t["id"] == phone["task_id"])["status"] == "done"


def test_an_ended_episode_cancels_its_planned_contacts(clinic: ClinicUsers) -> None:
    episode = discharged_episode(clinic)
    with clinic.client(Role.PHYSICIAN) as client:
        answer = client.post(
            f"/api/v1/episodes/{episode['id']}/follow-up-events",
            json={"kind": "death", "occurred_on": _today(clinic).isoformat()},
        )
        assert answer.status_code == 201, answer.text
        view = follow_up(client, episode["id"])
        assert {c["state"] for c in view["contacts"]} == {"cancelled"}
        assert {r["status"] for r in view["reminders"]} <= {"cancelled"}
        assert client.get(f"/api/v1/episodes/{episode['id']}").json()["stage"] == "died"
