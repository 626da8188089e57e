"""Case builders for the candidacy tests: a complete, qualifying case and dotted-path edits.

``QUALIFYING`` is the specification's example case, completed: an 82-year-old woman seen as an
outpatient 41 days after an osteoporotic L1 fracture with oedema on MRI, worsening NRS 7 pain
despite optimal care, everything screened and the osteoporosis care done. It meets both criteria
sets.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from spinepath.clinical.candidacy import evaluate_case

QUALIFYING: dict[str, Any] = {
    "assessment_date": "2026-11-20",
    "setting": "outpatient",
    "patient": {"birth_date": "1944-03-02", "sex": "female", "pregnant": False},
    "fractures": [
        {
            "level": "L1",
            "etiology": "osteoporotic",
            "symptom_onset": "2026-10-10",
            "mri_edema": True,
            "bone_scan_uptake": None,
            "height_loss_percent": 30,
            "kyphotic_deformity": True,
            "height_loss_progression": None,
            "pain_confirmed_at_level": True,
            "osteolytic_lesion": False,
            "of_type": None,
        }
    ],
    "pain": {"nrs": 7, "trend": "worsening", "severe": True},
    "function": {"rdq": 19, "odi_percent": None},
    "conservative_care": {
        "optimal_management_tried": True,
        "started": "2026-10-12",
        "modalities": ["analgesics", "bracing", "physical_therapy", "rest"],
        "intolerable_side_effects": False,
    },
    "screening": {
        "active_infection": False,
        "uncorrectable_coagulopathy": False,
        "cement_or_contrast_allergy": False,
        "neurological_deficit": False,
        "myelopathy": False,
        "radicular_pain": False,
        "spinal_instability": False,
        "retropulsion": False,
        "pain_from_other_cause": False,
    },
    "osteoporosis_care": {"bmd_referral": True, "education": True, "program_instruction": True},
}

_STEP = re.compile(r"([a-z_0-9]+)(?:\[(\d+)\])?")
DELETE = object()


def _steps(path: str) -> list[str | int]:
    steps: list[str | int] = []
    for part in path.split("."):
        match = _STEP.fullmatch(part)
        if match is None:
            raise ValueError(f"bad path {path!r}")
        steps.append(match.group(1))
        if match.group(2) is not None:
            steps.append(int(match.group(2)))
    return steps


def edit(case: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``case`` with each dotted path (``fractures[0].mri_edema``) set, or deleted."""
    result = copy.deepcopy(dict(case))
    for path, value in changes.items():
        steps = _steps(path)
        node: Any = result
        for step in steps[:-1]:
            node = node[step]
        if value is DELETE:
            del node[steps[-1]]
        else:
            node[steps[-1]] = copy.deepcopy(value)
    return result


def case(changes: Mapping[str, Any] | None = None, **more: Any) -> dict[str, Any]:
    """The qualifying case with dotted-path changes: ``case({"pain.nrs": 4})``."""
    return edit(QUALIFYING, {**(changes or {}), **more})


def fracture(**fields: Any) -> dict[str, Any]:
    """A qualifying L1 fracture with changes."""
    base = copy.deepcopy(QUALIFYING["fractures"][0])
    base.update(fields)
    return base


def run(raw: Mapping[str, Any], sets: tuple[str, ...] | None = None) -> dict[str, Any]:
    return evaluate_case(raw, criteria_sets=sets)


def criterion(result: Mapping[str, Any], set_name: str, criterion_id: str) -> dict[str, Any]:
    for item in result["criteria_sets"][set_name]["criteria"]:
        if item["id"] == criterion_id:
            return dict(item)
    raise KeyError(f"{set_name} has no criterion {criterion_id}")


def lcd(raw: Mapping[str, Any], criterion_id: str) -> dict[str, Any]:
    return criterion(run(raw, ("cms_lcd_l38201",)), "cms_lcd_l38201", criterion_id)


def nice(raw: Mapping[str, Any], criterion_id: str) -> dict[str, Any]:
    return criterion(run(raw, ("nice_ta279",)), "nice_ta279", criterion_id)


def action(raw: Mapping[str, Any], sets: tuple[str, ...] | None = None) -> str:
    return str(run(raw, sets)["recommendation"]["action"])


def onset_days_before(days: int, assessment: str = "2026-11-20") -> str:
    from datetime import date, timedelta

    return (date.fromisoformat(assessment) - timedelta(days=days)).isoformat()
