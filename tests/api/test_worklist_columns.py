"""The worklist's clinical columns: age, the fractured levels, the next appointment and the
latest NEWS2, each sortable (empty values last), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from spinepath.accounts.roles import Role
from tests.api.helpers import create_patient, open_episode
from tests.follow_up.helpers import web_client
from tests.procedures.builders import prepared_episode, record_vitals
from tests.support import ClinicUsers


def _names(answer: httpx.Response) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [item["patient"]["family_name"] for item in answer.json()["items"]]


def _three(client: httpx.Client) -> dict[str, Any]:
    oldest = create_patient(client, family_name="Oldest", birth_date="1931-05-20")
    older = open_episode(
        client, oldest["id"], fractures=[{"level": "T12", "etiology": "osteoporotic"}]
    )
    middle = prepared_episode(
        client, ("L3",), family_name="Middle", birth_date="1945-01-15"
    )  # a signed plan: the procedure is planned ten days from now
    youngest = create_patient(client, family_name="Youngest", birth_date="1958-11-30")
    young = open_episode(
        client,
        youngest["id"],
        fractures=[
            {"level": "L1", "etiology": "osteoporotic"},
            {"level": "T8", "etiology": "osteoporotic"},
        ],
    )
    earlier = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    record_vitals(client, young["id"], "baseline", observed_at=earlier, respiratory_rate=22)
    record_vitals(client, young["id"], "baseline")  # the latest: NEWS2 0
    return {"older": older, "middle": middle, "young": young}


def test_each_row_has_age_levels_next_appointment_and_latest_news2(clinic: ClinicUsers) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        _three(client)
        items = {
            i["patient"]["family_name"]: i for i in client.get("/api/v1/worklist").json()["items"]
        }
    today = datetime.now(UTC).date()
    assert items["Youngest"]["levels"] == ["T8", "L1"]
    assert items["Youngest"]["latest_news2"] == 0
    assert items["Oldest"]["latest_news2"] is None and items["Oldest"]["next_appointment"] is None
    assert 94 <= items["Oldest"]["age"] <= 96 and 67 <= items["Youngest"]["age"] <= 68
    planned = items["Middle"]["next_appointment"]
    assert planned["what"].endswith("procedure")
    assert abs((datetime.fromisoformat(planned["on"]).date() - today).days - 10) <= 1


def test_sorted_by_each_column_with_empty_values_last(clinic: ClinicUsers) -> None:
    with clinic.client(Role.COORDINATOR) as coordinator, clinic.client(Role.PHYSICIAN) as client:
        _three(client)
        url = "/api/v1/worklist"
        assert _names(coordinator.get(url, params={"sort": "age"})) == [
            "Youngest",
            "Middle",
            "Oldest",
        ]
        assert _names(coordinator.get(url, params={"sort": "-age"})) == [
            "Oldest",
            "Middle",
            "Youngest",
        ]
        # T8 (the highest level of the youngest's two) before T12, before L3.
        assert _names(coordinator.get(url, params={"sort": "level"})) == [
            "Youngest",
            "Oldest",
            "Middle",
        ]
        assert _names(coordinator.get(url, params={"sort": "-level"}))[0] == "Middle"
        assert _names(coordinator.get(url, params={"sort": "news2"}))[0] == "Youngest"
        assert _names(coordinator.get(url, params={"sort": "-news2"}))[0] == "Youngest"
        assert _names(coordinator.get(url, params={"sort": "appointment"}))[0] == "Middle"
        assert _names(coordinator.get(url, params={"sort": "-appointment"}))[0] == "Middle"
        assert _names(coordinator.get(url, params={"sort": "name"})) == [
            "Middle",
            "Oldest",
            "Youngest",
        ]


def test_an_unknown_sort_is_refused_with_422(clinic: ClinicUsers) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        for bad in ("height", "--age", "age;drop", ""):
            answer = client.get("/api/v1/worklist", params={"sort": bad})
            assert answer.status_code == 422, (bad, answer.text)
            assert answer.json()["errors"][0]["field"] == "sort"


def _book(client: httpx.Client, episode_id: str, starts_at: datetime) -> None:
    answer = client.post(
        f"/api/v1/episodes/{episode_id}/appointments",
        json={"kind": "consultation", "starts_at": starts_at.isoformat()},
    )
    assert answer.status_code == 201, answer.text


def test_a_booked_appointment_is_the_next_one_in_the_clinic_s_time(clinic: ClinicUsers) -> None:
    zone = ZoneInfo("America/Chicago")  # the test clinic's
    soon_day = datetime.now(zone).date() + timedelta(days=3)
    soon = datetime(soon_day.year, soon_day.month, soon_day.day, 10, 30, tzinfo=zone)
    with clinic.client(Role.COORDINATOR) as client:
        first = open_episode(client, create_patient(client, family_name="Soon")["id"])
        later = open_episode(client, create_patient(client, family_name="Later")["id"])
        open_episode(client, create_patient(client, family_name="Unbooked")["id"])
        _book(client, first["id"], soon.astimezone(UTC))  # sent in UTC, shown in Chicago
        _book(client, later["id"], soon + timedelta(days=2))
        items = {
            i["patient"]["family_name"]: i for i in client.get("/api/v1/worklist").json()["items"]
        }
        ascending = _names(client.get("/api/v1/worklist", params={"sort": "appointment"}))
        descending = _names(client.get("/api/v1/worklist", params={"sort": "-appointment"}))
    assert items["Soon"]["next_appointment"] == {
        "on": soon_day.isoformat(),
        "what": "10:30 consultation",
    }
    assert items["Unbooked"]["next_appointment"] is None
    assert ascending == ["Soon", "Later", "Unbooked"]
    assert descending == ["Later", "Soon", "Unbooked"]


def test_an_appointment_after_the_clocks_change_is_shown_in_the_time_then(
    clinic: ClinicUsers,
) -> None:
    zone = ZoneInfo("America/Chicago")
    today = datetime.now(zone).date()
    # Within the year ahead, one day in summer time and one in winter time.
    days = [today + timedelta(days=n) for n in range(1, 366)]
    summer = next(d for d in days if datetime(d.year, d.month, d.day, 12, tzinfo=zone).dst())
    winter = next(d for d in days if not datetime(d.year, d.month, d.day, 12, tzinfo=zone).dst())
    with clinic.client(Role.COORDINATOR) as client:
        for name, day in (("Summer", summer), ("Winter", winter)):
            episode = open_episode(client, create_patient(client, family_name=name)["id"])
            _book(client, episode["id"], datetime(day.year, day.month, day.day, 9, 15, tzinfo=zone))
        items = {
            i["patient"]["family_name"]: i for i in client.get("/api/v1/worklist").json()["items"]
        }
    assert items["Summer"]["next_appointment"]["what"] == "09:15 consultation"
    assert items["Winter"]["next_appointment"]["what"] == "09:15 consultation"


def test_the_worklist_page_shows_the_columns_and_ignores_an_unknown_sort(
    clinic: ClinicUsers,
) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        _three(client)
    with web_client(clinic, Role.COORDINATOR) as browser:
        by_level = browser.get("/", params={"sort": "level"})
        table = browser.get("/", params={"sort": "-news2"}, headers={"HX-Request": "true"})
        odd = [browser.get("/", params={"sort": bad}) for bad in ("height", "-" * 30, "age';--")]
    assert by_level.status_code == 200
    body = by_level.text
    assert body.index("Youngest") < body.index("Oldest") < body.index("Middle")
    assert 'aria-sort="ascending"' in body and "T8, L1" in body
    assert table.status_code == 200 and 'aria-sort="descending"' in table.text
    assert [answer.status_code for answer in odd] == [200, 422, 200]
