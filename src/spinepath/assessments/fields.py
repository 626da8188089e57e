"""The consultation facts as people see them: label, unit, help and the question to ask.

One table serves the consultation form, the missing facts shown as questions, and the labels of
the facts beside each criterion. Names are the places of the facts in the facts document
(``pain.nrs``); fracture facts are named once with ``fracture.`` and placed per level
(``fractures.L1.mri_edema``). Nothing here is clinical logic: the core decides what a fact means.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from spinepath.clinical.instruments.sins import COMPONENT_TABLES

Kind = Literal["bool", "int", "number", "choice", "date", "multi"]


@dataclass(frozen=True)
class FactField:
    name: str  # "pain.nrs", "fracture.mri_edema", "fracture.sins.pain"
    label: str
    kind: Kind
    question: str
    help: str = ""
    unit: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # (value, label)
    low: float | None = None
    high: float | None = None
    step: str = "1"

    def form_name(self, level: str | None = None) -> str:
        """The name in the form and in the facts (``fractures.L1.mri_edema``)."""
        if self.name.startswith("fracture."):
            return f"fractures.{level}.{self.name.removeprefix('fracture.')}"
        return self.name


@dataclass(frozen=True)
class FactGroup:
    key: str
    title: str
    intro: str
    fields: tuple[FactField, ...]


def _bool(name: str, label: str, question: str, help: str = "") -> FactField:
    return FactField(name, label, "bool", question, help)


_SINS_TITLES = {
    "pain": "SINS: pain",
    "lesion": "SINS: bone lesion",
    "alignment": "SINS: spinal alignment",
    "collapse": "SINS: vertebral body collapse",
    "posterolateral": "SINS: posterolateral involvement",
}

SINS_FIELDS: tuple[FactField, ...] = tuple(
    FactField(
        f"fracture.sins.{component}",
        title,
        "choice",
        f"{title.removeprefix('SINS: ').capitalize()} (for the SINS score)?",
        choices=tuple(
            (row.value, f"{row.meaning} ({row.points})") for row in COMPONENT_TABLES[component]
        ),
    )
    for component, title in _SINS_TITLES.items()
)

FRACTURE_FIELDS: tuple[FactField, ...] = (
    _bool(
        "fracture.mri_edema",
        "Marrow oedema on MRI",
        "Does MRI show marrow oedema at this level (STIR or T2 fat-sat)?",
        "Bright signal on STIR or T2 fat-saturated images: the fracture is acute or unhealed.",
    ),
    _bool(
        "fracture.bone_scan_uptake",
        "Uptake on bone scan",
        "Does a bone scan or SPECT-CT show uptake at this level?",
        "Used when MRI cannot be done.",
    ),
    FactField(
        "fracture.height_loss_percent",
        "Vertebral body height loss",
        "number",
        "How much vertebral body height is lost at this level (%)?",
        "Compared with the expected height (for example from the adjacent vertebrae).",
        unit="%",
        low=0,
        high=100,
        step="any",
    ),
    _bool(
        "fracture.kyphotic_deformity",
        "Kyphotic deformity",
        "Is there a kyphotic deformity at this level?",
    ),
    _bool(
        "fracture.height_loss_progression",
        "Further height loss on follow-up imaging",
        "Has the height loss progressed on follow-up imaging?",
    ),
    _bool(
        "fracture.pain_confirmed_at_level",
        "Pain confirmed at this level",
        "Is the pain confirmed at this level by examination and imaging?",
        "Tenderness on examination that matches the fracture on imaging.",
    ),
    _bool(
        "fracture.osteolytic_lesion",
        "Osteolytic metastasis or myeloma",
        "Is there an osteolytic metastasis or myeloma at this level?",
    ),
    FactField(
        "fracture.of_type",
        "AO Spine–DGOU OF type",
        "choice",
        "What is the AO Spine–DGOU OF type of this fracture?",
        "For osteoporotic fractures; spinepath computes the OF score from it.",
        choices=(
            ("1", "OF 1: no deformation (oedema on MRI only)"),
            ("2", "OF 2: deformation, posterior wall not or only slightly involved"),
            ("3", "OF 3: deformation with distinct posterior wall involvement"),
            ("4", "OF 4: loss of the vertebral frame, collapse or pincer fracture"),
            ("5", "OF 5: injury with distraction or rotation"),
        ),
    ),
    *SINS_FIELDS,
)

GROUPS: tuple[FactGroup, ...] = (
    FactGroup(
        "visit",
        "The visit",
        "",
        (
            FactField(
                "assessment_date",
                "Assessment date",
                "date",
                "On which date is the patient assessed?",
                "Leave blank to use the day you evaluate (today in the clinic's time zone). "
                "Fracture age is counted from the pain's onset to this date.",
            ),
            FactField(
                "setting",
                "Setting",
                "choice",
                "Is the patient an inpatient (admitted) or an outpatient?",
                "Admitted to hospital for the fracture, or seen as an outpatient.",
                choices=(("outpatient", "Outpatient"), ("inpatient", "Inpatient (admitted)")),
            ),
            _bool(
                "patient.pregnant",
                "Pregnant",
                "Is the patient pregnant?",
                "Pregnancy is a contraindication.",
            ),
        ),
    ),
    FactGroup(
        "pain",
        "Pain",
        "",
        (
            FactField(
                "pain.nrs",
                "Pain now",
                "int",
                "What is the pain score now (NRS 0–10)?",
                "Numeric rating scale: 0 no pain, 10 worst pain imaginable.",
                unit="/ 10",
                low=0,
                high=10,
            ),
            FactField(
                "pain.trend",
                "Pain trend",
                "choice",
                "Is the pain worsening, stable or improving?",
                "Since conservative care began.",
                choices=(
                    ("worsening", "Worsening"),
                    ("stable", "Stable"),
                    ("improving", "Improving"),
                ),
            ),
            _bool(
                "pain.severe",
                "Severe pain (your judgement)",
                "Do you judge the pain severe?",
                "NICE TA279 asks for severe ongoing pain and sets no number for it. Left "
                "unknown, it is taken from the pain score: NRS 7 or more is severe (Palos "
                "2006). Your yes or no wins.",
            ),
        ),
    ),
    FactGroup(
        "function",
        "Function",
        "",
        (
            FactField(
                "function.rdq",
                "Roland–Morris Disability Questionnaire",
                "int",
                "What is the Roland–Morris (RDQ) score (0–24)?",
                "0 no disability, 24 most severe. Use the RMDQ calculator if needed.",
                unit="/ 24",
                low=0,
                high=24,
            ),
            FactField(
                "function.odi_percent",
                "Oswestry Disability Index",
                "number",
                "What is the Oswestry Disability Index (%)?",
                "0 % no disability, 100 % bed-bound.",
                unit="%",
                low=0,
                high=100,
                step="any",
            ),
        ),
    ),
    FactGroup(
        "conservative_care",
        "Conservative care",
        "",
        (
            _bool(
                "conservative_care.optimal_management_tried",
                "Optimal non-surgical management tried",
                "Has optimal non-surgical pain management been tried?",
                "Your judgement that the care given was adequate in kind, dose and time.",
            ),
            FactField(
                "conservative_care.started",
                "Conservative care began on",
                "date",
                "When did conservative care begin?",
            ),
            FactField(
                "conservative_care.modalities",
                "What was tried",
                "multi",
                "Which conservative treatments were tried?",
                "Tick each one tried, or 'none'. Nothing ticked means not recorded.",
                choices=(
                    ("analgesics", "Analgesics"),
                    ("bracing", "Bracing"),
                    ("physical_therapy", "Physical therapy"),
                    ("rest", "Rest"),
                    ("other", "Other"),
                    ("none", "None tried"),
                ),
            ),
            _bool(
                "conservative_care.intolerable_side_effects",
                "Intolerable side effects of the medicines",
                "Did the pain medicines cause intolerable side effects?",
            ),
        ),
    ),
    FactGroup(
        "screening",
        "Contraindication screening",
        "Answer each one; 'unknown' is never taken as 'no'.",
        (
            _bool(
                "screening.active_infection",
                "Active infection",
                "Is there an active infection (osteomyelitis, discitis or systemic)?",
            ),
            _bool(
                "screening.uncorrectable_coagulopathy",
                "Coagulopathy that cannot be corrected",
                "Is there a coagulopathy that cannot be corrected?",
            ),
            _bool(
                "screening.cement_or_contrast_allergy",
                "Allergy to bone cement or contrast",
                "Is the patient allergic to bone cement or contrast?",
            ),
            _bool(
                "screening.neurological_deficit",
                "Neurological deficit",
                "Is there a neurological deficit (new weakness or numbness)?",
            ),
            _bool("screening.myelopathy", "Myelopathy", "Are there signs of myelopathy?"),
            _bool(
                "screening.radicular_pain",
                "Radicular pain",
                "Is there radicular pain (nerve root impingement)?",
            ),
            _bool(
                "screening.spinal_instability",
                "Spinal instability",
                "Is the spine unstable at the fracture?",
            ),
            _bool(
                "screening.retropulsion",
                "Retropulsed fragment",
                "Is there a retropulsed fragment narrowing the canal?",
            ),
            _bool(
                "screening.pain_from_other_cause",
                "Pain mainly from another cause",
                "Is the pain mainly from a cause other than the fracture?",
            ),
        ),
    ),
    FactGroup(
        "osteoporosis_care",
        "Osteoporosis care",
        "What a payer asks to see done for the osteoporosis itself.",
        (
            _bool(
                "osteoporosis_care.bmd_referral",
                "Referred for bone-density (BMD) evaluation",
                "Has the patient been referred for a bone-density (BMD) evaluation?",
            ),
            _bool(
                "osteoporosis_care.education",
                "Osteoporosis education given",
                "Has the patient been given osteoporosis education?",
            ),
            _bool(
                "osteoporosis_care.program_instruction",
                "Instructed to join a prevention or treatment programme",
                "Has the patient been told to join an osteoporosis programme?",
            ),
        ),
    ),
)

# Facts that come from the record, named in results but not asked on the form.
RECORD_FACTS: dict[str, tuple[str, str]] = {
    "patient.birth_date": ("Birth date", "What is the patient's birth date? (patient record)"),
    "patient.sex": ("Sex", "What is the patient's sex? (patient record)"),
    "fracture.level": ("Level", "At which level is the fracture? (episode)"),
    "fracture.etiology": ("Cause", "What caused the fracture? (episode)"),
    "fracture.symptom_onset": (
        "Pain began on",
        "When did the pain of this fracture begin? Record it on the episode page.",
    ),
    "fractures": ("Fractures", "Which vertebrae are fractured? Record them on the episode page."),
    "fractures.count": ("Number of fractures", "How many fractures are there?"),
}

ALL_FIELDS: dict[str, FactField] = {
    field.name: field for group in GROUPS for field in group.fields
} | {field.name: field for field in FRACTURE_FIELDS}

_FRACTURE_PATH = re.compile(r"^fractures\[(\d+)\]\.(.+)$")


@dataclass(frozen=True)
class PathInfo:
    """A result's path to a fact, for people: its label, the question and where to answer it."""

    path: str
    label: str
    question: str
    form_name: str | None  # the consultation form's field, or None when the record holds it
    level: str | None = None


def describe_path(path: str, levels: list[str]) -> PathInfo:
    """``fractures[0].mri_edema`` → "L1: Marrow oedema on MRI", its question and form field."""
    level: str | None = None
    key = path
    match = _FRACTURE_PATH.match(path)
    if match:
        index = int(match.group(1))
        level = levels[index] if index < len(levels) else f"fracture {index + 1}"
        key = f"fracture.{match.group(2)}"
    prefix = f"{level}: " if level else ""
    field = ALL_FIELDS.get(key)
    if field is not None:
        return PathInfo(
            path, prefix + field.label, prefix + field.question, field.form_name(level), level
        )
    if key in RECORD_FACTS:
        label, question = RECORD_FACTS[key]
        return PathInfo(path, prefix + label, prefix + question, None, level)
    readable = key.removeprefix("fracture.").replace("_", " ")
    return PathInfo(path, prefix + readable, prefix + readable + "?", None, level)


def value_at(case: dict[str, Any], path: str) -> Any:
    """The value a result's path (``fractures[0].mri_edema``) names in a case; None if absent."""
    node: Any = case
    for part in re.split(r"\.|\[(\d+)\]", path):
        if part is None or part == "":
            continue
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            return None
    return node


def field_id(form_name: str) -> str:
    """The HTML id of a form field (``fractures.L1.mri_edema`` → ``f-fractures-L1-mri_edema``)."""
    return "f-" + form_name.replace(".", "-")


# --- Between the facts document and the form ----------------------------------------------


def _form_value(field: FactField, value: Any) -> str | list[str]:
    if field.kind == "bool":
        return "unknown" if value is None else ("yes" if value else "no")
    if field.kind == "multi":
        if value is None:
            return []
        return list(value) if value else ["none"]
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _get(doc: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(doc, dict):
            return None
        doc = doc.get(part)
    return doc


def form_values(facts: dict[str, Any]) -> dict[str, str | list[str]]:
    """The form's values for a facts document (fractures keyed by level)."""
    values: dict[str, str | list[str]] = {}
    for group in GROUPS:
        for field in group.fields:
            values[field.name] = _form_value(field, _get(facts, field.name))
    for level, fracture in (facts.get("fractures") or {}).items():
        for field in FRACTURE_FIELDS:
            name = field.form_name(level)
            values[name] = _form_value(field, _get(fracture, field.name.removeprefix("fracture.")))
    return values


def _fact_value(field: FactField, raw: str | list[str] | None) -> Any:
    """A submitted value as a fact. Text that is not a number is passed on as it is, so the
    core names the field ("should be a valid integer") with every other error."""
    if field.kind == "multi":
        chosen = [v for v in (raw or []) if v]
        if not chosen:
            return None
        return [] if "none" in chosen else chosen
    text = (raw if isinstance(raw, str) else "").strip()
    if field.kind == "bool":
        return {"yes": True, "no": False}.get(text)
    if text == "" or (field.kind == "choice" and text == "unknown"):
        return None
    if field.kind == "int" or (field.kind == "choice" and field.name == "fracture.of_type"):
        try:
            return int(text)
        except ValueError:
            return text
    if field.kind == "number":
        try:
            number = float(text)
        except ValueError:
            return text
        return int(number) if number.is_integer() else number
    return text


def _put(doc: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    for part in parts[:-1]:
        doc = doc.setdefault(part, {})
    doc[parts[-1]] = value


def facts_from_form(submitted: dict[str, str | list[str]], levels: list[str]) -> dict[str, Any]:
    """The facts document (fractures keyed by level) from the consultation form's values."""
    doc: dict[str, Any] = {}
    for group in GROUPS:
        for field in group.fields:
            _put(doc, field.name, _fact_value(field, submitted.get(field.name)))
    doc["fractures"] = {}
    for level in levels:
        entry: dict[str, Any] = {}
        sins: dict[str, Any] = {}
        for field in FRACTURE_FIELDS:
            value = _fact_value(field, submitted.get(field.form_name(level)))
            short = field.name.removeprefix("fracture.")
            if short.startswith("sins."):
                if value is not None:
                    sins[short.removeprefix("sins.")] = value
            else:
                entry[short] = value
        # SINS is scored only when given: nothing chosen is no SINS; a part chosen is checked.
        entry["sins"] = sins or None
        doc["fractures"][level] = entry
    return doc
