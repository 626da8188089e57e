"""The vocabulary of the procedure record: techniques, approaches, cement, leakage, sedation and
complications, each with the label the pages show.

These are the record's choices, not thresholds. The complications cover what patients are warned
of before the procedure (bleeding, rib or other fractures, fever, nerve-root irritation,
infection, cement leaking out of the bone, allergic reaction, new neurological deficit).
"""

from __future__ import annotations

from typing import Literal

Technique = Literal["vertebroplasty", "kyphoplasty"]
Approach = Literal["unipedicular", "bipedicular", "extrapedicular"]
CementType = Literal["pmma", "calcium_phosphate", "other"]
LeakageSite = Literal["disc", "paravertebral", "epidural", "foraminal", "venous"]
Sedation = Literal["local_only", "minimal", "moderate", "deep", "general"]
Complication = Literal[
    "bleeding",
    "rib_or_other_fracture",
    "fever",
    "nerve_root_irritation",
    "infection",
    "symptomatic_cement_leakage",
    "allergic_reaction",
    "new_neurological_deficit",
    "other",
]

TECHNIQUES: dict[str, str] = {
    "vertebroplasty": "Vertebroplasty",
    "kyphoplasty": "Kyphoplasty (balloon or other cavity device)",
}
APPROACHES: dict[str, str] = {
    "unipedicular": "Unipedicular",
    "bipedicular": "Bipedicular",
    "extrapedicular": "Extrapedicular",
}
CEMENT_TYPES: dict[str, str] = {
    "pmma": "PMMA (polymethylmethacrylate)",
    "calcium_phosphate": "Calcium phosphate",
    "other": "Other",
}
LEAKAGE_SITES: dict[str, str] = {
    "disc": "Disc",
    "paravertebral": "Paravertebral",
    "epidural": "Epidural",
    "foraminal": "Foraminal",
    "venous": "Venous or pulmonary",
}
# Sedation depth; the second value says whether sedation was given, which decides whether the
# modified Aldrete score is needed before discharge.
SEDATION: dict[str, tuple[str, bool]] = {
    "local_only": ("Local anaesthetic only", False),
    "minimal": ("Minimal sedation", True),
    "moderate": ("Moderate (conscious) sedation", True),
    "deep": ("Deep sedation", True),
    "general": ("General anaesthesia", True),
}
COMPLICATIONS: dict[str, str] = {
    "bleeding": "Bleeding",
    "rib_or_other_fracture": "Rib or other fracture",
    "fever": "Fever",
    "nerve_root_irritation": "Nerve-root irritation",
    "infection": "Infection",
    "symptomatic_cement_leakage": "Cement leakage with symptoms",
    "allergic_reaction": "Allergic reaction",
    "new_neurological_deficit": "New neurological deficit",
    "other": "Other",
}


def sedation_given(sedation: str) -> bool:
    return SEDATION[sedation][1]
