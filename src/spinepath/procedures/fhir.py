"""The procedure record in the episode export: one FHIR R4 Procedure per treated vertebra.

Each level carries the CPT code the record derived for it (``record.cpt``): the primary code for
the first coded level of a technique, the add-on code for every further level. Where the
derivation left the code to a coder (one technique in two regions: which level is the primary
is a coding choice; an augmentation with no code in 22513-22515) the level is exported without a
CPT code and with the reason as a note, instead of a guess. Codes only: the CPT descriptors are
the AMA's, so ``code.text`` is spinepath's own wording.

The body site is the vertebra (SNOMED CT from DICOM CID 7603, text only for sacral levels); the
reason is the Condition of the fracture at the same level, when the episode has one. The ids are
derived from the record and the level, so an edited record keeps its Procedure ids.
"""

from __future__ import annotations

from typing import Any

from spinepath.clinical.procedure.record import (
    APPROACHES,
    CEMENT_TYPES,
    COMPLICATIONS,
    LEAKAGE_SITES,
)
from spinepath.fhir import codes
from spinepath.fhir.export import ExportContext, Section, instant
from spinepath.procedures.models import ProcedureLevel, ProcedureRecord, TimeOut
from spinepath.procedures.service import record_of

TECHNIQUE_TEXT = {
    "vertebroplasty": "Vertebroplasty",
    "kyphoplasty": "Vertebral augmentation (kyphoplasty)",
}


def level_cpt(cpt: dict[str, Any], level: str) -> tuple[str | None, str | None]:
    """The CPT code derived for one level, else None and why the coder must choose it.

    A level named by exactly one code line has that line's code. A level named by a primary
    line without a code (and by the add-on line) is one of several levels of which one is the
    primary: its own code is not determined. A level in no line went to review uncoded.
    """
    lines = [line for line in cpt.get("lines", []) if level in line["levels"]]
    if len(lines) == 1 and lines[0]["code"]:
        return str(lines[0]["code"]), None
    reasons = [item["reason"] for item in cpt.get("review", []) if level in item["levels"]]
    return None, "; ".join(reasons) or "not determined"


def _code(level: ProcedureLevel, cpt_code: str | None) -> dict[str, Any]:
    text = f"{TECHNIQUE_TEXT[level.technique]}, {level.level}"
    if cpt_code is None:
        return {"text": text}
    return {"coding": [{"system": codes.CPT, "code": cpt_code}], "text": text}


def _complications(record: ProcedureRecord) -> list[dict[str, str]]:
    found = []
    for complication in record.complications:
        text = COMPLICATIONS[complication]
        if complication == "other" and record.complication_details:
            text = f"{text}: {record.complication_details}"
        found.append({"text": text})
    return found


def _notes(
    record: ProcedureRecord, level: ProcedureLevel, uncoded_reason: str | None
) -> list[dict[str, str]]:
    access = [f"{APPROACHES[level.approach]} approach"]
    if level.needle:
        access.append(f"needle {level.needle}")
    if level.balloon:
        access.append(f"balloon {level.balloon}")
    leakage = ", ".join(LEAKAGE_SITES[site] for site in level.leakage) or "none"
    texts = [
        f"{'; '.join(access)}.",
        f"Cement: {CEMENT_TYPES[level.cement_type]}, {level.cement_volume_ml:g} mL.",
        f"Cement leakage: {leakage}.",
        f"CPT code not determined: {uncoded_reason}." if uncoded_reason else None,
        record.notes,
    ]
    return [{"text": text} for text in texts if text]


def procedure_resource(
    ctx: ExportContext, record: ProcedureRecord, level: ProcedureLevel, team: str | None
) -> dict[str, Any]:
    cpt_code, uncoded_reason = level_cpt(record.cpt, level.level)
    fractures = [f for f in ctx.episode.fractures if f.level == level.level]
    return {
        "resourceType": "Procedure",
        "id": ctx.derived_id("procedure", f"{record.id}:{level.level}"),
        "status": "completed",
        "code": _code(level, cpt_code),
        "subject": ctx.patient_reference,
        "performedPeriod": {
            "start": instant(record.started_at),
            "end": instant(record.ended_at),
        },
        "recorder": {"display": record.recorded_by_name} if record.recorded_by_name else None,
        # The team as confirmed at the time-out; the recording user need not be the operator.
        "performer": [{"actor": {"display": team}}] if team else None,
        "reasonReference": [{"reference": ctx.full_url(str(f.id))} for f in fractures],
        "bodySite": [codes.vertebra_body_site(level.level)],
        "complication": _complications(record),
        "note": _notes(record, level, uncoded_reason),
    }


def procedure_section(ctx: ExportContext) -> list[dict[str, Any]]:
    record = record_of(ctx.session, ctx.episode.id)
    if record is None:
        return []
    time_out = ctx.session.get(TimeOut, record.time_out_id)
    team = time_out.team if time_out is not None else None
    return [procedure_resource(ctx, record, level, team) for level in record.levels]


FHIR_SECTIONS: tuple[Section, ...] = (
    Section(
        "procedures", "Treated vertebrae (Procedure, CPT, SNOMED CT body site)", procedure_section
    ),
)
