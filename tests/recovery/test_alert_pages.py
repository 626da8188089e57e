"""The recovery page over real HTTP with a cookie session: ACVPU and oxygen must be chosen, an
urgent alert's form refuses an acknowledgement without the action taken (shown beside it), and
the alert history stays on the page after the response."""

from __future__ import annotations

from spinepath.accounts.roles import Role
from tests.follow_up.helpers import page_csrf, web_client
from tests.procedures.builders import in_recovery, record_vitals
from tests.support import ClinicUsers

TOTAL_5 = {"respiratory_rate": 22, "spo2_percent": 94, "pulse_per_min": 115}


def test_the_vitals_form_refuses_an_unchosen_acvpu_and_oxygen(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        episode_id = in_recovery(client)["episode_id"]
    with web_client(clinic, Role.NURSE) as browser:
        page = browser.get(f"/episodes/{episode_id}/recovery")
        answer = browser.post(
            f"/episodes/{episode_id}/recovery/observations",
            data={
                "csrf_token": page_csrf(page.text),
                "kind": "recovery",
                "respiratory_rate": "16",
                "spo2_percent": "97",
                "systolic_bp_mmhg": "130",
                "pulse_per_min": "72",
                "temperature_c": "36.8",
                "on_oxygen": "",
                "consciousness": "",
            },
        )
    assert '<option value="" selected>Choose…</option>' in page.text
    assert answer.status_code == 422
    assert 'id="v-consciousness" name="consciousness" required aria-invalid="true"' in answer.text
    assert 'id="v-on_oxygen" name="on_oxygen" required aria-invalid="true"' in answer.text


def test_an_urgent_alert_without_the_action_is_refused_beside_its_form_then_kept_in_history(
    clinic: ClinicUsers,
) -> None:
    with clinic.client(Role.NURSE) as client:
        episode_id = in_recovery(client)["episode_id"]
        alert = record_vitals(client, episode_id, **TOTAL_5)["alert"]
    with web_client(clinic, Role.NURSE) as browser:
        page = browser.get(f"/episodes/{episode_id}/recovery")
        form = {"csrf_token": page_csrf(page.text), "version": "1", "back": "episode"}
        refused = browser.post(f"/alerts/{alert['id']}/acknowledge", data=form)
        done = browser.post(
            f"/alerts/{alert['id']}/acknowledge",
            data={**form, "action_taken": "Phoned Dr Osler; review within 30 min"},
        )
    assert 'id="alerts"' in page.text and "Action taken: who was called" in page.text
    assert refused.status_code == 422
    assert "an urgent alert needs the action taken" in refused.text
    assert done.status_code == 200
    assert 'id="alert-history"' in done.text
    assert "Phoned Dr Osler; review within 30 min" in done.text
    assert "Alerts waiting for a response" not in done.text
