"""New events at follow-up, and secondary fracture prevention with tasks for the gaps."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from spinepath.accounts.roles import Role
from tests.api.helpers import error_fields
from tests.follow_up.helpers import discharged_episode, follow_up, page_csrf
from tests.support import ClinicUsers

# Onsets relative to today, so the 12/16/52-week windows are open whenever the tests run.
ONSET = date.today() - timedelta(days=30)
FRACTURES = [
    {"level": "L1", "onset_date": ONSET.isoformat(), "etiology": "osteoporotic"},
    {
        "level": "T11",
        "onset_date": (ONSET + timedelta(days=9)).isoformat(),
        "etiology": "osteoporotic",
    },
]


def _event(client, episode_id: str, **body):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/episodes/{episode_id}/follow-up-events", json=body)


def test_a_new_fracture_is_adjacent_when_it_touches_a_level_of_the_episode(
    clinic: ClinicUsers,
) -> None:
    episode = discharged_episode(clinic, fractures=FRACTURES)
    with clinic.client(Role.PHYSICIAN) as client:
        adjacent = _event(
            client,
            episode["id"],
            kind="new_vertebral_fracture",
            occurred_on=ONSET.isoformat(),
            level="t12",
        )
        assert adjacent.status_code == 201, adjacent.text
        assert (adjacent.json()["level"], adjacent.json()["adjacent"]) == ("T12", True)
        distant = _event(
            client,
            episode["id"],
            kind="new_vertebral_fracture",
            occurred_on=ONSET.isoformat(),
            level="L4",
        )
        assert distant.json()["adjacent"] is False
        leak = _event(
            client,
            episode["id"],
            kind="complication",
            occurred_on=ONSET.isoformat(),
            complication="infection",
        )
        assert leak.status_code == 201
        readmitted = _event(
            client, episode["id"], kind="readmission", occurred_on=ONSET.isoformat()
        )
        assert readmitted.status_code == 201
        kinds = [e["kind"] for e in follow_up(client, episode["id"])["events"]]
    assert kinds == [
        "new_vertebral_fracture",
        "new_vertebral_fracture",
        "complication",
        "readmission",
    ]


def test_invalid_events_name_every_field(clinic: ClinicUsers) -> None:
    episode = discharged_episode(clinic, fractures=FRACTURES)
    with clinic.client(Role.PHYSICIAN) as client:
        bad = _event(client, episode["id"], kind="new_vertebral_fracture", occurred_on="2999-01-01")
        assert bad.status_code == 422 and error_fields(bad) == {"level", "occurred_on"}
        bad = _event(
            client,
            episode["id"],
            kind="new_vertebral_fracture",
            occurred_on=ONSET.isoformat(),
            level="L1",
        )
        assert error_fields(bad) == {"level"}  # already a fracture of this episode
        bad = _event(
            client, episode["id"], kind="readmission", occurred_on=ONSET.isoformat(), level="X9",
            complication="fever",
        )  # fmt: skip
        assert error_fields(bad) == {"level", "complication"}
        bad = _event(client, episode["id"], kind="complication", occurred_on=ONSET.isoformat())
        assert error_fields(bad) == {"complication"}
        bad = _event(client, episode["id"], kind="fall", occurred_on="yesterday")
        assert error_fields(bad) == {"kind", "occurred_on"}
        assert follow_up(client, episode["id"])["events"] == []


def _tasks(client, episode_id: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    tasks = client.get(f"/api/v1/episodes/{episode_id}").json()["tasks"]
    return {t["code"]: t["status"] for t in tasks if t["code"].startswith("flp_")}


def test_liaison_indicators_and_gap_tasks(clinic: ClinicUsers) -> None:
    episode = discharged_episode(clinic, fractures=FRACTURES)
    today = datetime.now(ZoneInfo(clinic.time_zone)).date()
    with clinic.client(Role.NURSE) as client:
        liaison = client.get(f"/api/v1/episodes/{episode['id']}/fracture-liaison").json()
        # The sentinel fracture is the earliest onset; windows of 84, 112 and 364 days.
        assert liaison["fracture_date"] == ONSET.isoformat()
        deadlines = {k["code"]: k["deadline"] for k in liaison["indicators"]}
        assert deadlines == {
            "dxa_12_weeks": (ONSET + timedelta(days=84)).isoformat(),
            "treatment_16_weeks": (ONSET + timedelta(days=112)).isoformat(),
            "on_treatment_52_weeks": (ONSET + timedelta(days=364)).isoformat(),
        }
        assert _tasks(client, episode["id"]) == {
            "flp_dxa": "open",
            "flp_treatment": "open",
            "flp_adherence": "open",
            "flp_letter": "open",
        }
        saved = client.patch(
            f"/api/v1/episodes/{episode['id']}/fracture-liaison",
            json={
                "version": liaison["version"],
                "dxa_date": (ONSET + timedelta(days=20)).isoformat(),
                "treatment_start_date": today.isoformat(),
                "medicine": "alendronate",
            },
        )
        assert saved.status_code == 200, saved.text
        status = {k["code"]: k["status"] for k in saved.json()["indicators"]}
        assert status["dxa_12_weeks"] == "met"
        assert status["treatment_16_weeks"] == "met"
        assert status["on_treatment_52_weeks"] == "pending"
        assert _tasks(client, episode["id"])["flp_dxa"] == "done"
        assert _tasks(client, episode["id"])["flp_treatment"] == "done"
        assert _tasks(client, episode["id"])["flp_adherence"] == "open"
        bad = client.patch(
            f"/api/v1/episodes/{episode['id']}/fracture-liaison",
            json={
                "version": saved.json()["version"],
                "dxa_date": (today + timedelta(days=2)).isoformat(),
                "still_on_treatment": True,
                "fracture_date": None,
            },
        )
        assert bad.status_code == 422
        assert error_fields(bad) == {"dxa_date", "adherence_checked_on", "fracture_date"}
        stale = client.patch(
            f"/api/v1/episodes/{episode['id']}/fracture-liaison",
            json={"version": liaison["version"], "medicine": "denosumab"},
        )
        assert stale.status_code == 409


def test_the_letter_to_the_usual_doctor_is_a_printable_page(clinic: ClinicUsers) -> None:
    from tests.support import PASSWORD

    episode = discharged_episode(clinic, fractures=FRACTURES, family_name="Letterby")
    with clinic.client(Role.PHYSICIAN) as client:
        liaison = client.get(f"/api/v1/episodes/{episode['id']}/fracture-liaison").json()
        client.patch(
            f"/api/v1/episodes/{episode['id']}/fracture-liaison",
            json={"version": liaison["version"], "usual_doctor_name": "Dr Imogen Hart"},
        )
    with clinic.server.client() as browser:
        form = browser.get("/login")
        csrf = page_csrf(form.text)
        browser.post(
            "/login",
            data={
                "username": clinic.username(Role.PHYSICIAN),
                "password": PASSWORD,
                "csrf_token": csrf,
            },
        )
        letter = browser.get(f"/episodes/{episode['id']}/fracture-liaison/letter")
    assert letter.status_code == 200
    assert "Dr Imogen Hart" in letter.text and "Letterby" in letter.text
    assert "within 12 weeks" in letter.text
    assert (ONSET + timedelta(days=84)).strftime("%d %b %Y") in letter.text
    with clinic.client(Role.PHYSICIAN) as client:
        assert _tasks(client, episode["id"])["flp_letter"] == "done"
