"""The worklist: filters by stage, owner and overdue; pagination; ended episodes hidden."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import update

from spinepath.accounts.roles import Role
from spinepath.episodes.models import Task
from spinepath.store.base import utc_now
from tests.api.helpers import create_patient, move, open_episode
from tests.support import ClinicUsers


def _episode_at(client, family_name: str, *stages: str) -> dict:  # type: ignore[no-untyped-def]
    episode = open_episode(client, create_patient(client, family_name=family_name)["id"])
    for stage in stages:
        episode = move(client, episode, stage, reason="test" if stage == "cancelled" else None)
    return episode


def test_filter_by_stage(clinic: ClinicUsers) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        _episode_at(client, "Ref")
        _episode_at(client, "Cons", "consultation")
        _episode_at(client, "Img", "consultation", "imaging")
        only = client.get("/api/v1/worklist", params={"stage": "consultation"}).json()
        two = client.get(
            "/api/v1/worklist", params=[("stage", "referral"), ("stage", "imaging")]
        ).json()
        bad = client.get("/api/v1/worklist", params={"stage": "nowhere"})
    assert [i["patient"]["family_name"] for i in only["items"]] == ["Cons"]
    assert {i["patient"]["family_name"] for i in two["items"]} == {"Ref", "Img"}
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "stage.0"


def test_ended_episodes_leave_the_worklist_unless_asked_for(clinic: ClinicUsers) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        _episode_at(client, "Open")
        _episode_at(client, "Gone", "cancelled")
        default = client.get("/api/v1/worklist").json()
        everything = client.get("/api/v1/worklist", params={"include_ended": True}).json()
    assert [i["patient"]["family_name"] for i in default["items"]] == ["Open"]
    assert {i["patient"]["family_name"] for i in everything["items"]} == {"Open", "Gone"}


def test_filter_by_task_owner_role_and_by_assignee(clinic: ClinicUsers) -> None:
    nurse_id = str(clinic.users[Role.NURSE].id)
    with clinic.client(Role.PHYSICIAN) as client:
        _episode_at(client, "Referral")  # its open task is the coordinator's
        consult = _episode_at(client, "Consult", "consultation")
        nurse_task = next(t for t in consult["tasks"] if t["owner_role"] == "nurse")
        client.patch(
            f"/api/v1/tasks/{nurse_task['id']}", json={"assignee_id": nurse_id, "version": 1}
        )
        coordinator = client.get("/api/v1/worklist", params={"owner_role": "coordinator"}).json()
        physician = client.get("/api/v1/worklist", params={"owner_role": "physician"}).json()
    with clinic.client(Role.NURSE) as nurse:
        mine = nurse.get("/api/v1/worklist", params={"assignee": "me"}).json()
    # Earlier stages' tasks stay open until someone finishes them: Consult still has its
    # coordinator's "book the consultation".
    assert {i["patient"]["family_name"] for i in coordinator["items"]} == {"Referral", "Consult"}
    assert {i["patient"]["family_name"] for i in physician["items"]} == {"Consult"}
    assert [i["patient"]["family_name"] for i in mine["items"]] == ["Consult"]


def test_overdue_filter_and_counts(clinic: ClinicUsers) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        late = _episode_at(client, "Late")
        _episode_at(client, "OnTime")
        with clinic.server.session_factory() as session, session.begin():
            session.execute(
                update(Task)
                .where(Task.episode_id == uuid.UUID(late["id"]))
                .values(due_at=utc_now() - timedelta(days=2))
            )
        overdue = client.get("/api/v1/worklist", params={"overdue": True}).json()
        everyone = client.get("/api/v1/worklist").json()
    assert [i["patient"]["family_name"] for i in overdue["items"]] == ["Late"]
    counts = {i["patient"]["family_name"]: i["overdue_tasks"] for i in everyone["items"]}
    assert counts == {"Late": 1, "OnTime": 0}
    assert everyone["items"][0]["patient"]["family_name"] == "Late"  # most urgent first


def test_pages_cover_every_episode_once(clinic: ClinicUsers) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        for number in range(7):
            _episode_at(client, f"P{number}")
        pages = [
            client.get("/api/v1/worklist", params={"per_page": 3, "page": n}).json()
            for n in (1, 2, 3)
        ]
        too_many = client.get("/api/v1/worklist", params={"per_page": 1000})
    ids = [item["episode_id"] for page in pages for item in page["items"]]
    assert pages[0]["total"] == 7 and pages[0]["pages"] == 3
    assert len(ids) == 7 and len(set(ids)) == 7
    assert too_many.status_code == 422


def test_each_item_names_the_next_task(clinic: ClinicUsers) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        _episode_at(client, "Next")
        item = client.get("/api/v1/worklist").json()["items"][0]
    assert item["next_task"]["code"] == "book_consultation"
    assert item["open_tasks"] == 1 and item["stage_label"] == "Referral"
