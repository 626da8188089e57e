"""The episode page is the patient's clinical summary: an episode walked through the pathway
shows each fact, each block links to its page, a page that does not exist yet is not linked,
and the timeline shows each clinical event beside the stage moves. The worklist's clinical
columns sort."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from spinepath.accounts.roles import Role
from tests.api.helpers import colleague, create_patient, open_episode
from tests.browser.conftest import log_in
from tests.procedures.builders import (
    ALDRETE_10,
    CHECKLIST_DONE,
    PADSS_10,
    in_recovery,
    record_vitals,
)
from tests.support import ClinicUsers

pytestmark = pytest.mark.browser

HIGH_NEWS2 = {"respiratory_rate": 26, "pulse_per_min": 115, "temperature_c": 39.5}  # NEWS2 7
SINGLE_3 = {"respiratory_rate": 26}  # a 3 in one parameter: a ward-level response
BASELINE_ODI = [4, 3, 5, 4, 3, 4, 3, None, 4, 4]  # 34 of 45: 75.6 %


def _fact(page: Page, block: str, code: str) -> Any:
    return page.locator(f"#summary-{block} [data-fact='{code}'] dd")


def _walked_and_discharged(client: httpx.Client) -> str:
    """Baseline questionnaires, decision, signed plan, time-out, procedure, an alert raised and
    acknowledged in recovery, discharge (the follow-up plan and bone health start)."""
    patient = create_patient(
        client, family_name="Summerfield", given_name="Ada", birth_date="1944-03-02", sex="female"
    )
    episode = open_episode(
        client,
        patient["id"],
        referral_source="Dr Hale, primary care",
        fractures=[{"level": "L1", "onset_date": "2026-10-10", "etiology": "osteoporotic"}],
    )
    baseline = client.post(
        f"/api/v1/episodes/{episode['id']}/outcomes",
        json={
            "time_point": "baseline",
            "method": "visit",
            "nrs": 8,
            "odi_sections": BASELINE_ODI,
            "rmdq_items": [True] * 18 + [False] * 6,
        },
    )
    assert baseline.status_code == 201, baseline.text
    episode_id = str(in_recovery(client, episode=episode)["episode_id"])
    alert = record_vitals(client, episode_id, **SINGLE_3)["alert"]
    with colleague(client, Role.PHYSICIAN) as physician:
        answer = physician.post(
            f"/api/v1/alerts/{alert['id']}/acknowledge",
            json={"note": "Reviewed: rigors after cement", "version": alert["version"]},
        )
        assert answer.status_code == 200, answer.text
    again = record_vitals(client, episode_id, **SINGLE_3)["alert"]  # a new crossing
    assert again is not None
    record_vitals(client, episode_id)  # scores below the threshold: the new alert resolves
    recovery = f"/api/v1/episodes/{episode_id}/recovery"
    assert client.post(f"{recovery}/aldrete", json=ALDRETE_10).status_code == 201
    assert client.post(f"{recovery}/padss", json=PADSS_10).status_code == 201
    version = client.get(recovery).json()["stay"]["version"]
    answer = client.patch(recovery, json={**CHECKLIST_DONE, "version": version})
    assert answer.status_code == 200, answer.text
    version = client.get(recovery).json()["stay"]["version"]
    answer = client.post(f"{recovery}/discharge", json={"version": version})
    assert answer.status_code == 200, answer.text
    first = client.get(f"/api/v1/episodes/{episode_id}/follow-up").json()["contacts"][0]
    answer = client.post(
        f"/api/v1/episodes/{episode_id}/outcomes",
        json={
            "time_point": first["code"],
            "method": "phone",
            "nrs": 3,
            "odi_sections": [1, 1, 2, 1, 1, 1, 1, None, 1, 1],
            "rmdq_items": [True] * 6 + [False] * 18,
        },
    )
    assert answer.status_code == 201, answer.text
    return episode_id


def test_the_summary_shows_each_fact_of_an_episode_walked_through_the_pathway(
    page: Page, web_clinic: ClinicUsers, tmp_path: Path
) -> None:
    with web_clinic.client(Role.PHYSICIAN) as client:
        episode_id = _walked_and_discharged(client)
    log_in(page, web_clinic, Role.NURSE, f"/episodes/{episode_id}")
    page.screenshot(path=str(tmp_path / "episode-summary.png"), full_page=True)

    header = page.locator("#patient-facts")
    expect(page.locator("h1")).to_contain_text("Summerfield, Ada")
    expect(header.locator("[data-fact='age'] dd")).to_contain_text("born 02 Mar 1944")
    expect(header.locator("[data-fact='sex'] dd")).to_have_text("Female")
    expect(page.locator("h1")).to_contain_text("MRN MRN-")
    expect(header.locator("[data-fact='referrer'] dd")).to_have_text("Dr Hale, primary care")
    expect(header.locator("[data-fact='allergies'] dd")).to_contain_text("None known")
    expect(page.locator("#current-stage")).to_have_text("Discharged")

    expect(_fact(page, "fractures", "fracture-L1")).to_contain_text("Osteoporotic")
    expect(_fact(page, "outcomes", "baseline")).to_contain_text("pain 8/10, ODI 75.6 %, RMDQ 18/24")
    expect(_fact(page, "outcomes", "latest-outcome")).to_contain_text("pain 3/10")
    expect(_fact(page, "outcomes", "responder")).to_contain_text("pain responder")
    expect(_fact(page, "assessment", "assessment")).to_contain_text("assessment 1")
    expect(_fact(page, "assessment", "decision")).to_contain_text(
        "Proceed to vertebral augmentation, vertebroplasty"
    )
    expect(_fact(page, "preparation", "plan-status")).to_contain_text("signed")
    expect(_fact(page, "preparation", "procedure-planned")).not_to_be_empty()
    expect(_fact(page, "preparation", "hold")).to_have_text("none")
    expect(_fact(page, "procedure", "procedure-date")).to_contain_text("L1 vertebroplasty")
    expect(_fact(page, "procedure", "complications")).to_have_text("none")
    expect(_fact(page, "recovery", "news2")).to_contain_text("0 (low risk")
    expect(_fact(page, "recovery", "open-alert")).to_have_text("none open")
    expect(_fact(page, "recovery", "discharge")).to_contain_text("discharged")
    expect(_fact(page, "follow-up", "next-contact")).to_contain_text("due")
    expect(_fact(page, "follow-up", "liaison-dxa_12_weeks")).to_contain_text("(by ")
    expect(_fact(page, "follow-up", "liaison-letter")).to_have_text("not printed yet")

    # Each block links to its full page; the letter exists once follow-up has started.
    for link in (
        "consultation-link",
        "assessment-link",
        "preparation-link",
        "time-out-link",
        "procedure-link",
        "recovery-link",
        "follow-up-link",
    ):
        expect(page.locator(f"#{link}")).to_have_count(1)
    expect(
        page.locator("#summary-follow-up").get_by_role("link", name="Bone health letter")
    ).to_be_visible()

    kinds = page.locator("#timeline li").evaluate_all("items => items.map(i => i.dataset.kind)")
    for kind in (
        "stage",
        "questionnaire",
        "assessment",
        "decision",
        "signature",
        "time-out",
        "procedure",
        "recovery",
        "alert",
        "alert-acknowledged",
        "alert-resolved",
        "discharge",
        "follow-up",
    ):
        assert kind in kinds, kind
    acknowledged = page.locator("#timeline [data-kind='alert-acknowledged']")
    expect(acknowledged).to_contain_text("Reviewed: rigors after cement")

    page.locator("#follow-up-link").click()
    expect(page).to_have_url(f"{web_clinic.server.base_url}/episodes/{episode_id}/follow-up")


def test_a_new_episode_shows_no_links_to_pages_it_does_not_have_yet(
    page: Page, web_clinic: ClinicUsers
) -> None:
    with web_clinic.client(Role.COORDINATOR) as client:
        patient = create_patient(client, family_name="Newcomer")
        episode_id = open_episode(client, patient["id"], referral_source=None)["id"]
    log_in(page, web_clinic, Role.COORDINATOR, f"/episodes/{episode_id}")
    expect(page.locator("#patient-facts [data-fact='allergies'] dd")).to_have_text(
        "not recorded (asked at the time-out)"
    )
    expect(page.locator("#patient-facts [data-fact='referrer'] dd")).to_have_text("not recorded")
    expect(page.locator("#consultation-link")).to_have_count(1)
    expect(page.locator("#preparation-link")).to_have_count(1)
    for absent in ("assessment-link", "time-out-link", "procedure-link", "recovery-link"):
        expect(page.locator(f"#{absent}")).to_have_count(0)
    expect(page.get_by_role("link", name="Bone health letter")).to_have_count(0)
    expect(page.locator("#summary-follow-up")).to_have_count(0)
    expect(page.locator("#summary-outcomes [data-fact='baseline'] dd")).to_have_text(
        "not recorded yet"
    )


def test_an_open_alert_is_shown_with_the_latest_news2_and_the_worklist_sorts_by_it(
    page: Page, web_clinic: ClinicUsers, tmp_path: Path
) -> None:
    with web_clinic.client(Role.PHYSICIAN) as client:
        episode_id = str(in_recovery(client, family_name="Alerting")["episode_id"])
        record_vitals(client, episode_id, **HIGH_NEWS2)
        create_patient(client, family_name="Quiet")  # no episode: not on the worklist
        open_episode(client, create_patient(client, family_name="Calm")["id"])
    log_in(page, web_clinic, Role.NURSE, f"/episodes/{episode_id}")
    expect(_fact(page, "recovery", "news2")).to_contain_text("7 (high risk")
    expect(_fact(page, "recovery", "open-alert")).to_contain_text("NEWS2 7")
    expect(_fact(page, "recovery", "discharge")).to_have_text("in recovery")
    page.goto(f"{web_clinic.server.base_url}/?sort=-news2")
    rows = page.locator("table.worklist tbody tr")
    expect(rows.first).to_contain_text("Alerting")
    expect(rows.first.locator(".col-news2")).to_have_text("7")
    expect(rows.first.locator(".col-level")).to_have_text("L1")
    # The procedure is done: the preparation plan's time is no longer an appointment.
    expect(rows.first.locator(".col-appointment")).to_have_text("None")
    page.get_by_label("Sort by").select_option("name")
    expect(page.locator("th[aria-sort='ascending']")).to_contain_text("Patient")
    expect(page.locator("table.worklist tbody tr").first).to_contain_text("Alerting")
    page.screenshot(path=str(tmp_path / "worklist.png"), full_page=True)
    page.get_by_role("link", name="Age").click()  # a header sorts by its column
    expect(page.locator("th[aria-sort='ascending']")).to_contain_text("Age")
