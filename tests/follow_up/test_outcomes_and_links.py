"""Patient-reported outcomes: staff entry, the personal link (expiry, reuse, one patient),
trajectory against baseline with responder status, and named errors for invalid answers."""

from __future__ import annotations

import hashlib
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from spinepath.accounts.roles import Role
from spinepath.follow_up.models import OutcomeRecord, PatientLink
from tests.api.helpers import error_fields
from tests.follow_up.helpers import contact, discharged_episode, follow_up, odi, token_of
from tests.support import ClinicUsers

BASELINE_ODI = odi(4, 3, 5, 4, 3, 4, 3, None, 4, 4)  # 34 of 45 → 75.6 %
WEEK_2_ODI = odi(2, 1, 3, 2, 1, 2, 1, None, 2, 2)  # 16 of 45 → 35.6 %


def _record(client: Any, episode_id: str, **body: Any) -> Any:
    return client.post(f"/api/v1/episodes/{episode_id}/outcomes", json=body)


def test_staff_entry_gives_the_trajectory_with_responders(clinic: ClinicUsers) -> None:
    episode = discharged_episode(clinic)
    with clinic.client(Role.NURSE) as client:
        base = _record(
            client,
            episode["id"],
            time_point="baseline",
            method="visit",
            nrs=8,
            odi_sections=BASELINE_ODI,
            rmdq_items=[True] * 18 + [False] * 6,
        )
        assert base.status_code == 201, base.text
        assert base.json()["odi_percent"] == 75.6
        assert base.json()["rmdq_score"] == 18
        week_2 = _record(
            client,
            episode["id"],
            time_point="week_2",
            nrs=7,
            odi_sections=WEEK_2_ODI,
            rmdq_items=[True] * 14 + [False] * 10,
        )
        assert week_2.status_code == 201, week_2.text
        body = week_2.json()
        # 8 → 7: 1 point, 12.5 %: not a pain responder. ODI 75.6 → 35.6: 40 points: responder.
        # RMDQ 18 → 14: 4 points, below the 5-point MCID.
        assert (body["nrs_change"], body["nrs_responder"]) == (1, False)
        assert (body["odi_change"], body["odi_responder"]) == (40.0, True)
        assert (body["rmdq_change"], body["rmdq_responder"]) == (4, False)
        assert body["results"]["odi"]["edition"].startswith("ODI v2.1a")
        month_3 = _record(client, episode["id"], time_point="month_3", nrs=5).json()
        assert (month_3["nrs_change"], month_3["nrs_responder"]) == (3, True)
        view = follow_up(client, episode["id"])
    assert [p["time_point"] for p in view["trajectory"]] == ["baseline", "week_2", "month_3"]
    assert contact(view, "week_2")["state"] == "done"  # the answers complete the contact
    assert contact(view, "month_3")["state"] == "done"


def test_a_baseline_entered_late_fills_in_the_changes(clinic: ClinicUsers) -> None:
    episode = discharged_episode(clinic)
    with clinic.client(Role.NURSE) as client:
        first = _record(client, episode["id"], time_point="week_2", nrs=3).json()
        assert first["nrs_change"] is None and first["nrs_responder"] is None
        _record(client, episode["id"], time_point="baseline", nrs=4)
        (week_2,) = [
            p for p in follow_up(client, episode["id"])["trajectory"] if p["time_point"] == "week_2"
        ]
    # 4 → 3: one point, 25 %: below both thresholds.
    assert (week_2["nrs_change"], week_2["nrs_responder"]) == (1, False)


def test_invalid_answers_name_every_field_and_store_nothing(clinic: ClinicUsers) -> None:
    episode = discharged_episode(clinic)
    with clinic.client(Role.NURSE) as client:
        bad = _record(
            client,
            episode["id"],
            time_point="month_7",
            nrs=11,
            odi_sections=[1, 2, 9, 1, "a", 1, 1, 1, 1, 1],
            rmdq_items=[True] * 23,
            collected_on="2999-01-01",
        )
        assert bad.status_code == 422
        assert error_fields(bad) == {
            "nrs",
            "time_point",
            "collected_on",
            "odi_sections.2",
            "odi_sections.4",
            "rmdq_items",
        }
        none = _record(client, episode["id"], time_point="baseline")
        assert none.status_code == 422 and error_fields(none) == {"nrs"}
        unscorable = _record(
            client,
            episode["id"],
            time_point="baseline",
            odi_sections=odi(1, 1, 1, 1, 1, 1, 1, 1, None, None),
        )
        assert unscorable.status_code == 422 and error_fields(unscorable) == {"odi_sections"}
        assert follow_up(client, episode["id"])["trajectory"] == []
        assert _record(client, episode["id"], time_point="baseline", nrs=6).status_code == 201
        again = _record(client, episode["id"], time_point="baseline", nrs=5)
        assert again.status_code == 409


def _link(client: Any, episode_id: str, time_point: str) -> tuple[str, dict[str, Any]]:
    made = client.post(
        f"/api/v1/episodes/{episode_id}/outcome-links", json={"time_point": time_point}
    )
    assert made.status_code == 201, made.text
    return token_of(made.json()["url"]), made.json()


def test_a_personal_link_works_once_for_one_patient(clinic: ClinicUsers) -> None:
    mine = discharged_episode(clinic, given_name="Opal")
    other = discharged_episode(clinic, given_name="Ruby")
    with clinic.client(Role.NURSE) as client:
        token, made = _link(client, mine["id"], "week_2")
    server = clinic.server
    with server.client() as anonymous:  # no login
        opened = anonymous.get(f"/api/v1/questionnaires/{token}")
        assert opened.status_code == 200, opened.text
        assert opened.json()["time_point"] == "week_2"
        assert "Opal" not in opened.text
        page = anonymous.get(f"/q/{token}")
        assert page.status_code == 200 and "Opal" not in page.text
        sent = anonymous.post(
            f"/api/v1/questionnaires/{token}", json={"nrs": 2, "odi_sections": WEEK_2_ODI}
        )
        assert sent.status_code == 201, sent.text
        again = anonymous.post(f"/api/v1/questionnaires/{token}", json={"nrs": 1})
        assert again.status_code == 410
        assert anonymous.get(f"/q/{token}").status_code == 410
        assert anonymous.get("/api/v1/questionnaires/not-a-real-token").status_code == 404
    with clinic.client(Role.NURSE) as client:
        answered = follow_up(client, mine["id"])["trajectory"]
        untouched = follow_up(client, other["id"])["trajectory"]
    assert [(p["time_point"], p["nrs"], p["method"]) for p in answered] == [
        ("week_2", 2, "patient_link")
    ]
    assert untouched == []
    with server.session_factory() as session:
        stored = session.scalar(
            select(PatientLink).where(PatientLink.episode_id == uuid.UUID(mine["id"]))
        )
        assert stored is not None
        assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in stored.token_hash
        assert stored.used_at is not None
    assert made["expires_at"]


def test_an_expired_link_is_refused_and_invalid_answers_do_not_spend_it(
    clinic: ClinicUsers,
) -> None:
    episode = discharged_episode(clinic)
    with clinic.client(Role.NURSE) as client:
        token, _ = _link(client, episode["id"], "month_3")
        stale, _ = _link(client, episode["id"], "month_12")
    server = clinic.server
    with server.client() as anonymous:
        wrong = anonymous.post(
            f"/api/v1/questionnaires/{token}",
            json={"nrs": -1, "odi_sections": [0] * 9, "rmdq_items": ["yes"] * 24},
        )
        assert wrong.status_code == 422
        assert error_fields(wrong) == {"nrs", "odi_sections"} | {
            f"rmdq_items.{i}" for i in range(24)
        }
        assert anonymous.post(f"/api/v1/questionnaires/{token}", json={"nrs": 4}).status_code == 201
    # A day passes beyond the link's lifetime.
    with server.session_factory() as session, session.begin():
        session.execute(
            update(PatientLink)
            .where(PatientLink.token_hash == hashlib.sha256(stale.encode()).hexdigest())
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    with server.client() as anonymous:
        assert anonymous.get(f"/api/v1/questionnaires/{stale}").status_code == 410
        refused = anonymous.post(f"/api/v1/questionnaires/{stale}", json={"nrs": 3})
        assert refused.status_code == 410
        assert "expired" in refused.json()["detail"]
    with server.session_factory() as session:
        points = session.scalars(
            select(OutcomeRecord.time_point).where(
                OutcomeRecord.episode_id == uuid.UUID(episode["id"])
            )
        ).all()
    assert points == ["month_3"]


def test_two_submissions_at_once_store_one_answer_set(clinic: ClinicUsers) -> None:
    episode = discharged_episode(clinic)
    with clinic.client(Role.NURSE) as client:
        token, _ = _link(client, episode["id"], "week_2")
    codes: list[int] = []
    start = threading.Barrier(4)

    def submit(nrs: int) -> None:
        with clinic.server.client() as anonymous:
            start.wait()
            codes.append(
                anonymous.post(f"/api/v1/questionnaires/{token}", json={"nrs": nrs}).status_code
            )

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [201, 410, 410, 410]
    with clinic.client(Role.NURSE) as client:
        assert len(follow_up(client, episode["id"])["trajectory"]) == 1


def test_a_quality_lead_reads_but_cannot_enter_answers(clinic: ClinicUsers) -> None:
    episode = discharged_episode(clinic)
    with clinic.client(Role.QUALITY_LEAD) as client:
        assert client.get(f"/api/v1/episodes/{episode['id']}/follow-up").status_code == 200
        refused = _record(client, episode["id"], time_point="baseline", nrs=5)
        assert refused.status_code == 403


def test_a_baseline_taken_before_discharge_joins_the_follow_up(clinic: ClinicUsers) -> None:
    from tests.api.helpers import create_patient, open_episode
    from tests.follow_up.helpers import discharge

    with clinic.client(Role.PHYSICIAN) as client:
        patient = create_patient(client)
        episode = open_episode(client, patient["id"])
        early = _record(client, episode["id"], time_point="baseline", nrs=9)
        assert early.status_code == 201, early.text
        report = client.get("/api/v1/reports/outcomes").json()
        assert report["time_points"] == []  # not in follow-up yet: not counted
        assert _record(client, episode["id"], time_point="week_2", nrs=3).status_code == 422
        discharge(client, episode)
        week_2 = _record(client, episode["id"], time_point="week_2", nrs=3).json()
        assert (week_2["nrs_change"], week_2["nrs_responder"]) == (6, True)
        report = client.get("/api/v1/reports/outcomes").json()
    baseline = next(t for t in report["time_points"] if t["time_point"] == "baseline")
    assert baseline["pain"]["n"] == 1 and baseline["pain"]["median"] == 9.0
