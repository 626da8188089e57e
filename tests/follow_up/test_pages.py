"""The follow-up web pages over real HTTP: staff entry with named errors, the patient's page
(plain language, named errors, single use), the report page and its CSV."""

from __future__ import annotations

from spinepath.accounts.roles import Role
from spinepath.follow_up import messages, patient_text
from tests.follow_up.helpers import (
    discharged_episode,
    follow_up,
    page_csrf,
    token_of,
    web_client,
)
from tests.follow_up.plain import page_text, reading_grade
from tests.support import ClinicUsers

GRADE_LIMIT = 6.0


def _patient_link(clinic: ClinicUsers, episode_id: str, time_point: str = "week_2") -> str:
    with clinic.client(Role.NURSE) as client:
        made = client.post(
            f"/api/v1/episodes/{episode_id}/outcome-links", json={"time_point": time_point}
        )
        assert made.status_code == 201, made.text
        return token_of(made.json()["url"])


def test_the_questionnaire_page_reads_at_grade_six_or_below(clinic: ClinicUsers) -> None:
    episode = discharged_episode(clinic)
    token = _patient_link(clinic, episode["id"])
    with clinic.server.client() as anonymous:
        page = anonymous.get(f"/q/{token}")
    assert page.status_code == 200
    blocks = page_text(page.text)
    assert patient_text.NRS_QUESTION in blocks
    assert reading_grade(blocks) <= GRADE_LIMIT, reading_grade(blocks)


def test_every_patient_message_reads_at_grade_six_or_below() -> None:
    from datetime import date

    _, body = messages.questionnaire_email(
        "Ann", "Demo Spine Clinic", "https://clinic.example/q/abc", date(2026, 12, 1)
    )
    email_lines = [line for line in body.splitlines() if line.strip() and "/q/" not in line]
    texts = {
        "email": email_lines,
        "thanks": [patient_text.THANK_YOU],
        "not found": [patient_text.NOT_FOUND_TEXT],
        **{f"gone {k}": [v] for k, v in patient_text.GONE_TEXT.items()},
        "errors": [patient_text.FIX_ANSWERS, "Please pick a number from 0 to 10."],
    }
    for name, blocks in texts.items():
        assert reading_grade(blocks) <= GRADE_LIMIT, name


def test_the_patient_page_names_each_bad_answer_and_keeps_the_link(clinic: ClinicUsers) -> None:
    episode = discharged_episode(clinic)
    token = _patient_link(clinic, episode["id"])
    with clinic.server.client() as anonymous:
        answers = {"nrs": "12", "odi_1": "3", "odi_2": "7", "rmdq_1": "yes", "rmdq_2": "no"}
        refused = anonymous.post(f"/q/{token}", data=answers)
        assert refused.status_code == 422
        blocks = page_text(refused.text)
        assert "Please pick a number from 0 to 10." in blocks
        assert 'id="q-odi_2"' in refused.text and 'id="q-rmdq_3"' in refused.text
        marked = [b for b in refused.text.split("<fieldset")[1:] if "has-error" in b.split(">")[0]]
        ids = {b.split('id="')[1].split('"')[0] for b in marked}
        assert {"q-nrs", "q-odi_2"} <= ids
        assert {f"q-rmdq_{n}" for n in range(3, 25)} <= ids  # unanswered statements
        assert "q-rmdq_1" not in ids and "q-odi_1" not in ids
        assert reading_grade(blocks) <= GRADE_LIMIT
        good = {"nrs": "3", **{f"odi_{n}": "1" for n in range(1, 11)}}
        sent = anonymous.post(f"/q/{token}", data=good)
        assert sent.status_code == 200
        assert patient_text.THANK_YOU in sent.text
        reused = anonymous.post(f"/q/{token}", data=good)
        assert reused.status_code == 410
        assert patient_text.GONE_TEXT["used"] in reused.text
        assert anonymous.get("/q/unknown-token").status_code == 404
    with clinic.client(Role.NURSE) as client:
        (point,) = follow_up(client, episode["id"])["trajectory"]
    assert (point["nrs"], point["odi_percent"], point["method"]) == (3, 20.0, "patient_link")


def test_staff_record_a_phone_call_on_the_follow_up_page(clinic: ClinicUsers) -> None:
    episode = discharged_episode(clinic)
    with web_client(clinic, Role.NURSE) as web:
        page = web.get(f"/episodes/{episode['id']}/follow-up")
        assert page.status_code == 200
        assert "Phone check the day after" in page.text
        csrf = page_csrf(page.text)
        bad = web.post(
            f"/episodes/{episode['id']}/follow-up/outcomes",
            data={"csrf_token": csrf, "time_point": "baseline", "nrs": "eleven", "odi_3": "6"},
        )
        assert bad.status_code == 422
        assert "odi 3" in bad.text and "<strong>nrs</strong>" in bad.text
        good = web.post(
            f"/episodes/{episode['id']}/follow-up/outcomes",
            data={"csrf_token": csrf, "time_point": "baseline", "nrs": "8", "method": "phone"},
        )
        assert good.status_code == 200  # followed the redirect back to the page
        assert "Answers recorded" in good.text
        linked = web.post(
            f"/episodes/{episode['id']}/follow-up/link",
            data={"csrf_token": csrf, "time_point": "week_2"},
        )
        assert linked.status_code == 200 and "/q/" in linked.text
        episode_page = web.get(f"/episodes/{episode['id']}")
        assert f"/episodes/{episode['id']}/follow-up" in episode_page.text
    with clinic.client(Role.NURSE) as client:
        (point,) = follow_up(client, episode["id"])["trajectory"]
    assert (point["time_point"], point["nrs"], point["method"]) == ("baseline", 8, "phone")


def test_the_report_page_and_csv_for_the_quality_lead(clinic: ClinicUsers) -> None:
    discharged_episode(clinic)
    with web_client(clinic, Role.QUALITY_LEAD) as web:
        page = web.get("/reports/outcomes")
        assert page.status_code == 200
        assert 'id="episode-count">1<' in page.text
        assert 'href="/reports/outcomes"' in page.text  # the nav link
        bad = web.get(
            "/reports/outcomes", params={"date_from": "2026-02-01", "date_to": "2026-01-01"}
        )
        assert bad.status_code == 422 and "must be on or after" in bad.text
        csv_file = web.get("/reports/outcomes.csv")
        assert csv_file.status_code == 200
        assert csv_file.text.splitlines()[0].startswith("section,item,time_point,n,value")
