"""The code systems and codes spinepath reads and writes in FHIR, each with where it was checked.

Nothing here is a clinical threshold: these tables only say which coded facts spinepath
recognises (an observation's LOINC code, a condition's ICD-10-CM or SNOMED CT code, a procedure's
CPT code) and how to read their units. docs/fhir.md lists every code with the place it was
checked. SNOMED CT codes for vertebral compression fracture and vertebroplasty are not used: they
could not be verified, so those facts are recognised by ICD-10-CM, CPT or their text. SNOMED CT
codes for the vertebrae themselves (body sites C1-L5, from DICOM CID 7603) are at the end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
CPT = "http://www.ama-assn.org/go/cpt"
UCUM = "http://unitsofmeasure.org"
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
AUDIT_EVENT_TYPE = "http://terminology.hl7.org/CodeSystem/audit-event-type"
RESTFUL_INTERACTION = "http://hl7.org/fhir/restful-interaction"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"

# Observation categories the export writes (FHIR R4 observation-category code system).
VITAL_SIGNS_CATEGORY = {
    "coding": [{"system": OBSERVATION_CATEGORY, "code": "vital-signs", "display": "Vital Signs"}]
}
SURVEY_CATEGORY = {
    "coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]
}

# LOINC (code, display) read and written: pain as in the Synthea fixtures; the ODI score as on
# its LOINC term page (clinical source loinc-97909-6).
LOINC_PAIN_SEVERITY = ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")
LOINC_ODI_SCORE = ("97909-6", "Oswestry disability index score ODI")

# Where each code was checked (see docs/fhir.md for what was read).
FHIR_R4_VITAL_SIGNS = "FHIR R4 vital-signs profiles (hl7.org/fhir/R4/observation-vitalsigns.html)"
US_CORE_PULSE_OX = "US Core Pulse Oximetry profile and its satO2-fiO2 example"
SYNTHEA_FIXTURE = "display text in the Synthea sample bundles (shared/fixtures/synthea)"
HL7_IG_EXAMPLES = "HL7 implementation guide examples (PACIO sample data, CH RAD-Order, CPG eGFR)"
HL7_ORDER_CATALOG = "HL7 Order Catalog IG, ActivityDefinition urine24h-creatinine-clearance"
NEMSIS_CCDA = "C-CDA / NEMSIS 'Level of responsiveness' templates in public repositories"


@dataclass(frozen=True)
class Unit:
    """A unit as written in FHIR (UCUM code or unit text) and the factor to the canonical unit."""

    spellings: tuple[str, ...]
    factor: float = 1.0
    offset: float = 0.0


@dataclass(frozen=True)
class ObservationConcept:
    """One kind of observation spinepath uses, by LOINC code, with its canonical unit."""

    name: str
    label: str
    group: str  # vital, pain, bone_density, coagulation, blood_count, kidney, oxygen, neuro
    loinc: tuple[str, ...]
    unit: str
    units: tuple[Unit, ...]
    checked: str
    numeric: bool = True


_MMHG = (Unit(("mm[Hg]", "mmHg", "mm hg")),)
_PER_MIN = (
    Unit(("/min", "{beats}/min", "{breaths}/min", "beats/min", "breaths/min", "bpm", "1/min")),
)
_PERCENT = (Unit(("%",)),)
_NO_UNIT = ("", "1", "{score}", "{Score}")

OBSERVATIONS: tuple[ObservationConcept, ...] = (
    ObservationConcept(
        "systolic_bp_mmhg",
        "systolic blood pressure",
        "vital",
        ("8480-6",),
        "mmHg",
        _MMHG,
        FHIR_R4_VITAL_SIGNS,
    ),
    ObservationConcept(
        "diastolic_bp_mmhg",
        "diastolic blood pressure",
        "vital",
        ("8462-4",),
        "mmHg",
        _MMHG,
        FHIR_R4_VITAL_SIGNS,
    ),
    ObservationConcept(
        "pulse_per_min",
        "heart rate",
        "vital",
        ("8867-4",),
        "/min",
        _PER_MIN,
        FHIR_R4_VITAL_SIGNS,
    ),
    ObservationConcept(
        "respiratory_rate",
        "respiratory rate",
        "vital",
        ("9279-1",),
        "/min",
        _PER_MIN,
        FHIR_R4_VITAL_SIGNS,
    ),
    ObservationConcept(
        "spo2_percent",
        "oxygen saturation",
        "vital",
        ("2708-6", "59408-5"),
        "%",
        _PERCENT,
        FHIR_R4_VITAL_SIGNS,
    ),
    ObservationConcept(
        "temperature_c",
        "body temperature",
        "vital",
        ("8310-5", "8331-1"),
        "Cel",
        (
            Unit(("Cel", "°C", "C", "degC")),
            # °F to °C: (F − 32) × 5/9, written as factor and offset.
            Unit(("[degF]", "°F", "F", "degF"), factor=5 / 9, offset=-32 * 5 / 9),
        ),
        FHIR_R4_VITAL_SIGNS + "; 8331-1 oral temperature: " + SYNTHEA_FIXTURE,
    ),
    ObservationConcept(
        "inhaled_oxygen_flow_l_min",
        "inhaled oxygen flow rate",
        "oxygen",
        ("3151-8",),
        "L/min",
        (Unit(("L/min", "l/min")),),
        US_CORE_PULSE_OX,
    ),
    ObservationConcept(
        "inhaled_oxygen_percent",
        "inhaled oxygen concentration",
        "oxygen",
        ("3150-0",),
        "%",
        _PERCENT,
        US_CORE_PULSE_OX,
    ),
    ObservationConcept(
        "consciousness_acvpu",
        "level of responsiveness (ACVPU)",
        "neuro",
        ("67775-7",),
        "",
        (),
        NEMSIS_CCDA,
        numeric=False,
    ),
    ObservationConcept(
        "body_weight_kg",
        "body weight",
        "vital",
        ("29463-7",),
        "kg",
        (Unit(("kg",)), Unit(("[lb_av]", "lb", "lbs"), factor=0.45359237)),
        FHIR_R4_VITAL_SIGNS,
    ),
    ObservationConcept(
        "body_height_cm",
        "body height",
        "vital",
        ("8302-2",),
        "cm",
        (Unit(("cm",)), Unit(("[in_i]", "in"), factor=2.54)),
        FHIR_R4_VITAL_SIGNS,
    ),
    ObservationConcept(
        "bmi_kg_m2",
        "body mass index",
        "vital",
        ("39156-5",),
        "kg/m2",
        (Unit(("kg/m2", "kg/m^2")),),
        FHIR_R4_VITAL_SIGNS,
    ),
    ObservationConcept(
        "pain_nrs",
        "pain score (0-10 numeric rating)",
        "pain",
        (LOINC_PAIN_SEVERITY[0],),
        "{score}",
        (Unit(_NO_UNIT),),
        SYNTHEA_FIXTURE,
    ),
    ObservationConcept(
        "dxa_t_score",
        "DXA T-score",
        "bone_density",
        ("38265-5",),
        "{T-score}",
        (Unit(("{T-score}", "{SD}", "SD", "", "1")),),
        SYNTHEA_FIXTURE,
    ),
    ObservationConcept(
        "inr",
        "INR",
        "coagulation",
        ("6301-6", "34714-6"),
        "{INR}",
        (Unit(("{INR}", "{ratio}", "{Ratio}", "ratio", "INR", "", "1")),),
        HL7_IG_EXAMPLES,
    ),
    ObservationConcept(
        "platelets_10e9_per_l",
        "platelets",
        "blood_count",
        ("777-3",),
        "10*9/L",
        # 10^3 per microlitre is the same number as 10^9 per litre.
        (Unit(("10*3/uL", "10*9/L", "10^9/L", "10^3/uL", "K/uL", "x10E3/uL", "10*3/mm3")),),
        SYNTHEA_FIXTURE,
    ),
    ObservationConcept(
        "creatinine_clearance_ml_min",
        "creatinine clearance",
        "kidney",
        ("2164-2",),
        "mL/min",
        (Unit(("mL/min", "ml/min")),),
        HL7_ORDER_CATALOG,
    ),
    ObservationConcept(
        "egfr_ml_min_1_73m2",
        "estimated GFR",
        "kidney",
        ("33914-3", "62238-1", "98979-8"),
        "mL/min/{1.73_m2}",
        (Unit(("mL/min/{1.73_m2}", "mL/min/1.73m2", "mL/min/1.73 m2", "mL/min", "ml/min")),),
        SYNTHEA_FIXTURE + "; " + HL7_IG_EXAMPLES,
    ),
    ObservationConcept(
        "creatinine_mg_dl",
        "serum creatinine",
        "kidney",
        ("2160-0", "38483-4"),
        "mg/dL",
        # 1 mg/dL of creatinine (113.12 g/mol) is 88.4 µmol/L.
        (Unit(("mg/dL", "mg/dl")), Unit(("umol/L", "µmol/L", "umol/l"), factor=1 / 88.4)),
        SYNTHEA_FIXTURE + "; HL7 CPG creatinine value set",
    ),
)

OBSERVATION_BY_LOINC: dict[str, ObservationConcept] = {
    code: concept for concept in OBSERVATIONS for code in concept.loinc
}
OBSERVATION_BY_NAME: dict[str, ObservationConcept] = {c.name: c for c in OBSERVATIONS}


def to_canonical(concept: ObservationConcept, value: float, unit: str | None) -> float | None:
    """The value in the concept's canonical unit; None when the unit is not understood."""
    written = (unit or "").strip()
    for known in concept.units:
        if written in known.spellings:
            return value * known.factor + known.offset
    return None


# ---- Conditions ---------------------------------------------------------------------------
# ICD-10-CM (checked in VistA encounter-form code lists and LCD-derived code lists, see
# docs/fhir.md). M80.-8: osteoporosis with current pathological fracture, vertebra(e);
# M48.5-: collapsed vertebra NEC by region; M84.58: pathological fracture in neoplastic disease,
# other site (the code for a vertebra); S12/S22.0/S32.0: traumatic fractures of the vertebrae.
_ICD_OSTEOPOROTIC_VERTEBRAL = re.compile(r"^M80\.[089]8")
_ICD_OSTEOPOROTIC_OTHER_FRACTURE = re.compile(r"^M80\.")
_ICD_OSTEOPOROSIS = re.compile(r"^M81\.")
_ICD_COLLAPSED_VERTEBRA = re.compile(r"^M48\.5")
_ICD_NEOPLASTIC_FRACTURE = re.compile(r"^M84\.5")
_ICD_NEOPLASTIC_OTHER_SITE = re.compile(r"^M84\.58")
_ICD_TRAUMATIC_VERTEBRAL = re.compile(r"^(S12\.|S22\.0|S32\.0)")
_ICD_INFECTION = re.compile(r"^(A40|A41|M46\.[2-5]|M86)")
_ICD_MALIGNANCY = re.compile(r"^C")

# SNOMED CT codes read with their display text in the Synthea fixtures (64859006 Osteoporosis
# (disorder); 443165006 Pathological fracture due to osteoporosis (disorder), site not coded).
SNOMED_OSTEOPOROSIS = "64859006"
SNOMED_OSTEOPOROTIC_FRACTURE = "443165006"
SNOMED_BONE_DENSITY_SCAN = "312681000"

_INFECTION_WORDS = (
    "infection",
    "infected",
    "infective",
    "sepsis",
    "septic",
    "septicaemia",
    "septicemia",
    "osteomyelitis",
    "discitis",
    "diskitis",
    "spondylodiscitis",
    "abscess",
    "bacteremia",
    "bacteraemia",
    "pneumonia",
    "cellulitis",
    "viral",
    "bacterial",
)
_MALIGNANCY_WORDS = (
    "malignant",
    "malignancy",
    "metastatic",
    "metastasis",
    "metastases",
    "myeloma",
    "cancer",
    "carcinoma",
    "lymphoma",
    "sarcoma",
    "plasmacytoma",
)
_VERTEBRA_WORDS = ("vertebra", "vertebrae", "vertebral", "spine", "spinal")
_LEVEL_IN_TEXT = re.compile(r"\b([CTLS])\s?(\d{1,2})\b", re.IGNORECASE)


@dataclass(frozen=True)
class ConditionClass:
    category: str  # osteoporosis, vertebral_fracture, osteoporotic_fracture, ...
    etiology: str | None = None  # for fractures: osteoporotic, neoplastic, traumatic, unknown
    region: str | None = None  # from an ICD-10-CM collapsed-vertebra code
    matched_by: str = "code"


_M48_REGION = {
    "0": None,
    "1": "occipito-atlanto-axial",
    "2": "cervical",
    "3": "cervicothoracic",
    "4": "thoracic",
    "5": "thoracolumbar",
    "6": "lumbar",
    "7": "lumbosacral",
    "8": "sacral",
}


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


def classify_condition(codings: list[tuple[str, str, str]], text: str) -> ConditionClass | None:
    """What a condition is, for spinepath, from its codes (first) or its text; None if unused."""
    for system, code, _display in codings:
        upper = code.strip().upper()
        if system == ICD10CM:
            if _ICD_OSTEOPOROTIC_VERTEBRAL.match(upper):
                return ConditionClass("vertebral_fracture", "osteoporotic")
            if _ICD_OSTEOPOROTIC_OTHER_FRACTURE.match(upper):
                return ConditionClass("osteoporotic_fracture", "osteoporotic")
            if _ICD_OSTEOPOROSIS.match(upper):
                return ConditionClass("osteoporosis")
            if _ICD_COLLAPSED_VERTEBRA.match(upper):
                region = _M48_REGION.get(upper[5:6]) if len(upper) > 5 else None
                return ConditionClass("vertebral_fracture", "unknown", region)
            if _ICD_NEOPLASTIC_OTHER_SITE.match(upper):
                return ConditionClass("neoplastic_fracture", "neoplastic")
            if _ICD_NEOPLASTIC_FRACTURE.match(upper):
                return ConditionClass("neoplastic_fracture", "neoplastic")
            if _ICD_TRAUMATIC_VERTEBRAL.match(upper):
                return ConditionClass("vertebral_fracture", "traumatic")
            if _ICD_INFECTION.match(upper):
                return ConditionClass("infection")
            if _ICD_MALIGNANCY.match(upper):
                return ConditionClass("malignancy")
        if system == SNOMED:
            if upper == SNOMED_OSTEOPOROSIS:
                return ConditionClass("osteoporosis")
            if upper == SNOMED_OSTEOPOROTIC_FRACTURE:
                return ConditionClass("osteoporotic_fracture", "osteoporotic")
    return _classify_condition_text(" ".join([text, *(d for _, _, d in codings)]))


def _classify_condition_text(text: str) -> ConditionClass | None:
    words = _words(text)
    if not words:
        return None
    fracture = bool(words & {"fracture", "fractures", "fractured"})
    vertebral = bool(words & set(_VERTEBRA_WORDS))
    osteoporotic = bool(words & {"osteoporosis", "osteoporotic", "fragility"})
    if fracture and vertebral:
        if osteoporotic:
            etiology = "osteoporotic"
        elif words & set(_MALIGNANCY_WORDS) or "neoplastic" in words:
            etiology = "neoplastic"
        elif words & {"traumatic", "trauma", "injury"}:
            etiology = "traumatic"
        else:
            etiology = "unknown"
        return ConditionClass("vertebral_fracture", etiology, matched_by="text")
    if fracture and osteoporotic:
        return ConditionClass("osteoporotic_fracture", "osteoporotic", matched_by="text")
    if "osteoporosis" in words:
        return ConditionClass("osteoporosis", matched_by="text")
    if words & set(_INFECTION_WORDS):
        return ConditionClass("infection", matched_by="text")
    if words & set(_MALIGNANCY_WORDS):
        return ConditionClass("malignancy", matched_by="text")
    return None


def level_in_text(*texts: str) -> str | None:
    """A single vertebral level named in the texts (``"L1"``, ``"T 12 vertebra"``), else None."""
    from spinepath.clinical.levels import normalise_level

    found: set[str] = set()
    for text in texts:
        for letter, number in _LEVEL_IN_TEXT.findall(text or ""):
            try:
                found.add(normalise_level(f"{letter}{int(number)}"))
            except ValueError:
                continue
    return found.pop() if len(found) == 1 else None


# ---- Procedures ----------------------------------------------------------------------------
# CPT codes only (descriptors are AMA-copyrighted): 22510-22512 vertebroplasty, 22513-22515
# vertebral augmentation (e.g. kyphoplasty); see clinical source ama-cpt-22510-22515.
CPT_VERTEBROPLASTY = ("22510", "22511", "22512")
CPT_AUGMENTATION = ("22513", "22514", "22515")
CPT_VERTEBRAL_AUGMENTATION = CPT_VERTEBROPLASTY + CPT_AUGMENTATION
_AUGMENTATION_WORDS = ("kyphoplasty", "vertebral augmentation", "balloon augmentation")
_VERTEBROPLASTY_WORDS = ("vertebroplasty",)


def classify_vertebral_augmentation(
    codings: list[tuple[str, str, str]], text: str
) -> tuple[str, str] | None:
    """("vertebroplasty" | "kyphoplasty", how) when the order or procedure is one, else None."""
    for system, code, _display in codings:
        if system == CPT and code.strip() in CPT_VERTEBROPLASTY:
            return "vertebroplasty", f"CPT {code.strip()}"
        if system == CPT and code.strip() in CPT_AUGMENTATION:
            return "kyphoplasty", f"CPT {code.strip()}"
    joined = " ".join([text, *(display for _, _, display in codings)]).lower()
    if any(word in joined for word in _AUGMENTATION_WORDS):
        return "kyphoplasty", "text"
    if any(word in joined for word in _VERTEBROPLASTY_WORDS):
        return "vertebroplasty", "text"
    return None


def is_bone_density_scan(codings: list[tuple[str, str, str]], text: str) -> bool:
    if any(s == SNOMED and c.strip() == SNOMED_BONE_DENSITY_SCAN for s, c, _ in codings):
        return True
    joined = " ".join([text, *(d for _, _, d in codings)]).lower()
    return any(word in joined for word in ("bone density", "densitometry", "dxa", "dexa"))


# ---- Allergies -----------------------------------------------------------------------------
_CEMENT_WORDS = (
    "bone cement",
    "polymethyl methacrylate",
    "polymethylmethacrylate",
    "methyl methacrylate",
    "methylmethacrylate",
    "pmma",
    "acrylic cement",
)
_CONTRAST_WORDS = (
    "contrast",
    "iodinated",
    "iodine",
    "gadolinium",
    "iohexol",
    "iopamidol",
    "iodixanol",
    "ioversol",
)


def classify_allergy(text: str) -> str:
    """cement, contrast or other (every allergy is kept)."""
    lowered = text.lower()
    if any(word in lowered for word in _CEMENT_WORDS):
        return "cement"
    if any(word in lowered for word in _CONTRAST_WORDS):
        return "contrast"
    return "other"


# Osteoporosis medicine classes in the preparation planner's recognition.
OSTEOPOROSIS_TREATMENT_CLASSES = frozenset(
    {"bisphosphonate", "rank_ligand_inhibitor", "bone_anabolic"}
)

# ICD-10-CM codes spinepath writes for a vertebral fracture it records (see docs/fhir.md).
ICD_OSTEOPOROTIC_VERTEBRAL_FRACTURE = (
    "M80.08XA",
    "Age-related osteoporosis with current pathological fracture, vertebra(e), initial "
    "encounter for fracture",
)
ICD_NEOPLASTIC_FRACTURE = (
    "M84.58XA",
    "Pathological fracture in neoplastic disease, other specified site, initial encounter for "
    "fracture",
)
ICD_COLLAPSED_VERTEBRA_BY_REGION: dict[str, tuple[str, str]] = {
    "occipito-atlanto-axial": (
        "M48.51XA",
        "Collapsed vertebra, not elsewhere classified, occipito-atlanto-axial region, initial "
        "encounter for fracture",
    ),
    "cervical": (
        "M48.52XA",
        "Collapsed vertebra, not elsewhere classified, cervical region, initial encounter for "
        "fracture",
    ),
    "thoracic": (
        "M48.54XA",
        "Collapsed vertebra, not elsewhere classified, thoracic region, initial encounter for "
        "fracture",
    ),
    "lumbar": (
        "M48.56XA",
        "Collapsed vertebra, not elsewhere classified, lumbar region, initial encounter for "
        "fracture",
    ),
    "sacral": (
        "M48.58XA",
        "Collapsed vertebra, not elsewhere classified, sacral and sacrococcygeal region, initial "
        "encounter for fracture",
    ),
}


def collapsed_vertebra_region(level: str) -> str:
    """The M48.5- region of one vertebra: C1-C2 occipito-atlanto-axial, C3-C7 cervical, T
    thoracic, L lumbar, S sacral. The junction codes (cervicothoracic, thoracolumbar,
    lumbosacral) describe regions spanning two segments and are not used for one level."""
    letter, number = level[0], int(level[1:])
    if letter == "C":
        return "occipito-atlanto-axial" if number <= 2 else "cervical"
    return {"T": "thoracic", "L": "lumbar", "S": "sacral"}[letter]


# ---- Vertebrae as body sites -----------------------------------------------------------------
# SNOMED CT body structures for the vertebrae C1-L5, from DICOM PS3.16 CID 7603 "Vertebra"
# (clinical source dicom-ps3-16-cid-7603; the same codes in two further independent code lists).
# CID 7603 has no sacral segments, so S1-S5 are exported with their text only.
SNOMED_VERTEBRA_BY_LEVEL: dict[str, str] = {
    "C1": "14806007",
    "C2": "39976000",
    "C3": "113205007",
    "C4": "5329002",
    "C5": "36978003",
    "C6": "36054005",
    "C7": "87391001",
    "T1": "64864005",
    "T2": "53733008",
    "T3": "1626008",
    "T4": "73071006",
    "T5": "56401006",
    "T6": "45296009",
    "T7": "62487009",
    "T8": "11068009",
    "T9": "82687006",
    "T10": "7610001",
    "T11": "12989004",
    "T12": "23215003",
    "L1": "66794005",
    "L2": "14293000",
    "L3": "36470004",
    "L4": "11994002",
    "L5": "49668003",
}


def vertebra_body_site(level: str) -> dict[str, object]:
    """One vertebra as a CodeableConcept: SNOMED CT when CID 7603 has it, always the text."""
    text = f"{level} vertebra"
    code = SNOMED_VERTEBRA_BY_LEVEL.get(level)
    if code is None:
        return {"text": text}
    return {"coding": [{"system": SNOMED, "code": code, "display": text}], "text": text}
