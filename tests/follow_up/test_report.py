"""The outcome report checked against a fixture cohort worked out by hand (cohort.py).

Hand calculation (figures shown to one decimal, halves away from zero; quartiles by linear
interpolation: for n sorted values, h = (n − 1)p, value = x[⌊h⌋] + (h − ⌊h⌋)(x[⌊h⌋+1] − x[⌊h⌋])):

Volumes: augmentation E1–E4 = 4, conservative E5 = 1 (5 episodes). Fracture levels:
augmentation L1 ×2 (E1, E3), L2 ×1 (E3), T12 ×2 (E2, E4); conservative L3 ×1.

Pain (NRS):
- baseline 8, 7, 9, 6, 5 → sorted 5 6 7 8 9; median (h=2) 7; Q1 (h=1) 6; Q3 (h=3) 8.
- week_2 (E1–E4) 4, 6, 5, 3 → 3 4 5 6; Q1 h=0.75 → 3.75 (3.8); median 4.5; Q3 h=2.25 → 5.25 (5.3).
  Changes 4, 1, 4, 3 → 1 3 4 4; Q1 h=0.75 → 1 + 0.75×2 = 2.5; median 3.5; Q3 h=2.25 → 4.
  Responders (≥ 2 points or ≥ 30 %): E1 yes (4), E2 no (1 of 7 = 14 %), E3 yes, E4 yes → 3/4.
- month_3: E1 only, 2 (change 6, responder) → 1/1.
- week_2_4: E5 4 (change 1 of 5 = 20 %: not a responder) → 0/1.
ODI (%): points × 2.
- baseline E1 60, E2 50, E3 70, E5 40 → 40 50 60 70; Q1 h=0.75 → 47.5; median 55; Q3 h=2.25 → 62.5.
- week_2 E1 40, E2 48, E3 60 → median 48; Q1 h=0.5 → 44; Q3 h=1.5 → 54. Changes 20, 2, 10 →
  2 10 20: median 10, Q1 6, Q3 15. Responders (≥ 10 points): E1, E3 (exactly 10) → 2/3 = 66.7 %.
Events: new vertebral fracture E1 (T12, adjacent to L1) and E3 (T8, not adjacent) → 2/5 = 40 %,
1 adjacent; complication E2 → 1/5 = 20 %; readmission E4 → 1/5 = 20 %; deaths 0/5.
Fracture liaison (every window closed):
- DXA within 12 weeks: E1, E3, E4 met; E2 late; E5 none → 3/5 = 60 % → 50-80 %.
- medicine within 16 weeks: E1, E3 (6 days early), E4 → 3/5 = 60 % → 50-80 %.
- still taken at 52 weeks: E1, E4 (checked on the 52-week day) met; E3 stopped; E2, E5 no check
  → 2/5 = 40 % → below 50 %, 2 without a check.
Completion (contacts whose window has passed; month_12 windows closed in spring 2026):
- day_1: E1 done, E2 missed, E3 and E4 overdue → 1/4 = 25 %.
- week_2: E1–E4 done by their answers → 4/4 = 100 %.   month_3: E1 done, 3 overdue → 1/4 = 25 %.
- month_12: 0/4.   week_2_4: E5 done → 1/1.   All: 7 of 4 + 4 + 4 + 4 + 1 = 17 → 41.2 %.
By month started: 2025-03 = E1, E2, E5: DXA 1/3 = 33.3 %; contacts done 3 + 1 + 1 = 5 of
4 + 4 + 1 = 9 → 55.6 %; new fracture 1/3 = 33.3 %. 2025-04 = E3, E4: DXA 2/2; contacts 2/8 = 25 %;
new fracture 1/2 = 50 %.
Filters: physician (E4's physician was cleared) → E1, E2, E3, E5: week_2 pain 4 6 5 → median 5.
April 2025 only → E3, E4. Conservative only → E5.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest

from spinepath.accounts.roles import Role
from tests.api.helpers import error_fields
from tests.follow_up.cohort import build
from tests.support import ClinicUsers, LiveServer, make_clinic


@pytest.fixture(scope="module")
def cohort_clinic(server: LiveServer) -> Iterator[ClinicUsers]:
    clinic = make_clinic(server)
    build(clinic)
    yield clinic


def _report(clinic: ClinicUsers, **params: str) -> dict[str, Any]:
    with clinic.client(Role.QUALITY_LEAD) as client:
        answer = client.get("/api/v1/reports/outcomes", params=params)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _point(report: dict[str, Any], code: str) -> dict[str, Any]:
    return next(t for t in report["time_points"] if t["time_point"] == code)


def test_volumes_by_treatment_and_level(cohort_clinic: ClinicUsers) -> None:
    report = _report(cohort_clinic)
    assert report["episodes"] == 5
    assert report["by_kind"] == {"post_procedure": 4, "conservative": 1}
    assert [(r["kind"], r["level"], r["count"]) for r in report["levels"]] == [
        ("conservative", "L3", 1),
        ("post_procedure", "T12", 2),
        ("post_procedure", "L1", 2),
        ("post_procedure", "L2", 1),
    ]


def test_pain_and_odi_medians_and_spread_at_each_time_point(cohort_clinic: ClinicUsers) -> None:
    report = _report(cohort_clinic)
    order = [t["time_point"] for t in report["time_points"]]
    assert order == ["baseline", "week_2", "month_3", "week_2_4"]
    baseline = _point(report, "baseline")
    assert baseline["pain"] == {"n": 5, "median": 7.0, "q1": 6.0, "q3": 8.0}
    assert baseline["odi"] == {"n": 4, "median": 55.0, "q1": 47.5, "q3": 62.5}
    week_2 = _point(report, "week_2")
    assert week_2["pain"] == {"n": 4, "median": 4.5, "q1": 3.8, "q3": 5.3}
    assert week_2["pain_change"] == {"n": 4, "median": 3.5, "q1": 2.5, "q3": 4.0}
    assert week_2["pain_responders"] == {"numerator": 3, "denominator": 4, "percent": 75.0}
    assert week_2["odi"] == {"n": 3, "median": 48.0, "q1": 44.0, "q3": 54.0}
    assert week_2["odi_change"] == {"n": 3, "median": 10.0, "q1": 6.0, "q3": 15.0}
    assert week_2["odi_responders"] == {"numerator": 2, "denominator": 3, "percent": 66.7}
    month_3 = _point(report, "month_3")
    assert month_3["pain_change"]["median"] == 6.0
    assert month_3["pain_responders"]["percent"] == 100.0
    conservative = _point(report, "week_2_4")
    assert conservative["pain_responders"] == {"numerator": 0, "denominator": 1, "percent": 0.0}


def test_events_and_rates(cohort_clinic: ClinicUsers) -> None:
    report = _report(cohort_clinic)
    assert report["new_fracture"] == {"numerator": 2, "denominator": 5, "percent": 40.0}
    assert report["new_fracture_adjacent"] == 1
    assert report["complications"] == {"numerator": 1, "denominator": 5, "percent": 20.0}
    assert report["complications_by_type"] == {"fever": 1}
    assert report["readmissions"]["numerator"] == 1
    assert report["deaths"] == {"numerator": 0, "denominator": 5, "percent": 0.0}
    # The four treated patients' procedure records show no cement leakage.
    assert report["cement_leakage"] == {"numerator": 0, "denominator": 4, "percent": 0.0}


def test_fracture_liaison_indicators_with_achievement_bands(cohort_clinic: ClinicUsers) -> None:
    kpis = {k["code"]: k for k in _report(cohort_clinic)["kpis"]}
    dxa, treatment, adherence = (
        kpis["dxa_12_weeks"],
        kpis["treatment_16_weeks"],
        kpis["on_treatment_52_weeks"],
    )
    assert (dxa["met"], dxa["eligible"], dxa["percent"], dxa["band"]) == (3, 5, 60.0, "50_to_80")
    assert (treatment["met"], treatment["eligible"], treatment["band"]) == (3, 5, "50_to_80")
    assert (adherence["met"], adherence["eligible"], adherence["percent"]) == (2, 5, 40.0)
    assert (adherence["band"], adherence["no_data"], adherence["pending"]) == ("below_50", 2, 0)


def test_follow_up_completion(cohort_clinic: ClinicUsers) -> None:
    report = _report(cohort_clinic)
    rows = {
        c["code"]: (c["done"], c["missed"], c["overdue"], c["percent"])
        for c in report["completion"]
    }
    assert rows == {
        "day_1": (1, 1, 2, 25.0),
        "week_2": (4, 0, 0, 100.0),
        "month_3": (1, 0, 3, 25.0),
        "month_12": (0, 0, 4, 0.0),
        "week_2_4": (1, 0, 0, 100.0),
    }
    assert report["completion_total"] == {"numerator": 7, "denominator": 17, "percent": 41.2}


def test_rates_by_month_started(cohort_clinic: ClinicUsers) -> None:
    months = {m["month"]: m for m in _report(cohort_clinic)["months"]}
    assert set(months) == {"2025-03", "2025-04"}
    march, april = months["2025-03"], months["2025-04"]
    assert march["episodes"] == 3 and april["episodes"] == 2
    assert march["dxa"]["percent"] == 33.3 and april["dxa"]["percent"] == 100.0
    assert march["completion"] == {"numerator": 5, "denominator": 9, "percent": 55.6}
    assert april["completion"] == {"numerator": 2, "denominator": 8, "percent": 25.0}
    assert march["new_fracture"]["percent"] == 33.3 and april["new_fracture"]["percent"] == 50.0


def test_filters_by_physician_date_range_and_treatment(cohort_clinic: ClinicUsers) -> None:
    physician = str(cohort_clinic.users[Role.PHYSICIAN].id)
    by_physician = _report(cohort_clinic, physician_id=physician)
    assert by_physician["episodes"] == 4
    assert _point(by_physician, "week_2")["pain"]["median"] == 5.0
    april = _report(cohort_clinic, date_from="2025-04-01", date_to="2025-04-30")
    assert april["episodes"] == 2
    assert april["by_kind"] == {"post_procedure": 2}
    conservative = _report(cohort_clinic, procedure="conservative")
    assert conservative["episodes"] == 1
    assert [t["time_point"] for t in conservative["time_points"]] == ["baseline", "week_2_4"]
    with cohort_clinic.client(Role.QUALITY_LEAD) as client:
        bad = client.get(
            "/api/v1/reports/outcomes",
            params={"date_from": "2025-05-01", "date_to": "2025-04-01", "procedure": "surgery"},
        )
        assert bad.status_code == 422
        assert error_fields(bad) == {"date_to", "procedure"}
        bad = client.get("/api/v1/reports/outcomes", params={"date_from": "last week"})
        assert bad.status_code == 422 and error_fields(bad) == {"date_from"}


def test_csv_export_holds_the_same_figures(cohort_clinic: ClinicUsers) -> None:
    with cohort_clinic.client(Role.QUALITY_LEAD) as client:
        answer = client.get("/api/v1/reports/outcomes.csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    pain_change = next(
        r for r in rows if r["item"] == "pain change from baseline" and r["time_point"] == "week_2"
    )
    assert (pain_change["n"], pain_change["median"], pain_change["q1"], pain_change["q3"]) == (
        "4",
        "3.5",
        "2.5",
        "4.0",
    )
    dxa = next(r for r in rows if r["section"] == "fracture liaison" and "DXA" in r["item"])
    assert (dxa["value"], dxa["n"], dxa["percent"], dxa["band"]) == ("3", "5", "60.0", "50-80 %")


def test_only_the_own_clinic_is_counted_and_admins_cannot_read(
    cohort_clinic: ClinicUsers, other_clinic: ClinicUsers
) -> None:
    assert _report(other_clinic)["episodes"] == 0
    with cohort_clinic.client(Role.ADMIN) as client:
        assert client.get("/api/v1/reports/outcomes").status_code == 403
