"""Validating a case, all its errors at once, and running the fracture scores it carries.

Field errors come from the case model (``fractures.0.level``, ``pain.nrs``); errors between
fields (an onset after the assessment date, a level given twice) and the SINS instrument's own
errors (``fractures.0.sins.pain``) are added, so every bad field is named in one answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from pydantic import ValidationError

from spinepath.clinical.candidacy.case import Case, Fracture
from spinepath.clinical.candidacy.context import Scores
from spinepath.clinical.errors import FieldError, InvalidInput, errors_from_validation
from spinepath.clinical.instruments.registry import UnknownInstrument, get_instrument
from spinepath.clinical.levels import normalise_level


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _level(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return normalise_level(value)
    except ValueError:
        return None


def _section(raw: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = raw.get(name)
    return value if isinstance(value, Mapping) else {}


def _raw_fractures(raw: Mapping[str, Any]) -> list[tuple[int, Mapping[str, Any]]]:
    value = raw.get("fractures")
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, Mapping)]


def _cross_field_errors(raw: Mapping[str, Any]) -> list[FieldError]:
    errors: list[FieldError] = []
    assessed = _date(raw.get("assessment_date"))
    born = _date(_section(raw, "patient").get("birth_date"))
    if assessed and born and born > assessed:
        errors.append(
            FieldError(
                "patient.birth_date", f"is after the assessment date ({assessed.isoformat()})"
            )
        )
    started = _date(_section(raw, "conservative_care").get("started"))
    if assessed and started and started > assessed:
        errors.append(
            FieldError(
                "conservative_care.started",
                f"is after the assessment date ({assessed.isoformat()})",
            )
        )
    first_at: dict[str, int] = {}
    for index, item in _raw_fractures(raw):
        onset = _date(item.get("symptom_onset"))
        if assessed and onset and onset > assessed:
            errors.append(
                FieldError(
                    f"fractures.{index}.symptom_onset",
                    f"is after the assessment date ({assessed.isoformat()})",
                )
            )
        elif born and onset and onset < born:
            errors.append(
                FieldError(f"fractures.{index}.symptom_onset", "is before the birth date")
            )
        level = _level(item.get("level"))
        if level is not None:
            if level in first_at:
                errors.append(
                    FieldError(
                        f"fractures.{index}.level",
                        f"{level} is already fractures.{first_at[level]}",
                    )
                )
            else:
                first_at[level] = index
    return errors


def _run_sins(index: int, item: Mapping[str, Any]) -> tuple[Scores | None, list[FieldError]]:
    sins = item.get("sins")
    if not isinstance(sins, Mapping):
        return None, []
    try:
        instrument = get_instrument("sins")
    except UnknownInstrument:
        return Scores(sins_note="the SINS instrument is not available"), []
    prefix = f"fractures.{index}.sins"
    data = dict(sins)
    fracture_level = _level(item.get("level"))
    if "level" not in data and fracture_level is not None:
        data["level"] = fracture_level  # the lesion is at the fracture's level
    elif (
        "level" in data
        and fracture_level is not None
        and _level(data["level"])
        not in (
            None,
            fracture_level,
        )
    ):
        return None, [
            FieldError(
                f"{prefix}.level", f"differs from fractures.{index}.level ({fracture_level})"
            )
        ]
    try:
        result = instrument.run(data)
    except InvalidInput as error:
        found = []
        for e in error.errors:
            if e.field == "level" and "level" not in sins and item.get("level") is not None:
                continue  # the fracture's own level is invalid and already reported
            field = prefix if e.field == "(input)" else f"{prefix}.{e.field}"
            found.append(FieldError(field, e.message))
        return None, found
    return Scores(sins=result), []


def _of_input(case: Case, fracture: Fracture) -> tuple[dict[str, Any], tuple[str, ...]]:
    nrs = case.pain.nrs
    data: dict[str, Any] = {
        "of_type": fracture.of_type,
        "t_score_below_minus_3": None,
        "deformity_progression": fracture.height_loss_progression,
        "pain_vas_5_or_more": None if nrs is None else nrs >= 5,
        "neurological_deficit": case.screening.neurological_deficit,
        "mobilisation_possible": None,
        "health_penalties": None,
    }
    unknown = tuple(name for name, value in data.items() if value is None)
    return data, unknown


OF_NOTE = (
    "Computed from the case: deformity progression = height_loss_progression, pain ≥ 5 = NRS ≥ 5, "
    "neurological deficit from screening. T-score, mobilisation and health status are not in "
    "the case and count 0 (the score's rule for an unknown item)."
)


def _run_of(case: Case, fracture: Fracture) -> Scores:
    if fracture.of_type is None:
        return Scores()
    if fracture.etiology != "osteoporotic":
        return Scores(
            of_note="OF type recorded, but the OF score is for osteoporotic fractures; not scored"
        )
    data, unknown = _of_input(case, fracture)
    try:
        instrument = get_instrument("of_score")
    except UnknownInstrument:
        return Scores(
            of_input=data,
            of_unknown_items=unknown,
            of_note="the OF score instrument is not available",
        )
    try:
        result = instrument.run(data)
    except InvalidInput as error:
        return Scores(
            of_input=data,
            of_unknown_items=unknown,
            of_note=f"the OF score could not be computed: {error}",
        )
    return Scores(of_score=result, of_input=data, of_unknown_items=unknown, of_note=OF_NOTE)


def validate(raw: Mapping[str, Any] | Any) -> tuple[Case, dict[int, Scores]]:
    """The validated case and each fracture's scores, or InvalidInput naming every bad field."""
    if not isinstance(raw, Mapping):
        raise InvalidInput([FieldError("(input)", "must be a JSON object")])
    errors: list[FieldError] = []
    case: Case | None = None
    try:
        case = Case.model_validate(dict(raw))
    except ValidationError as error:
        errors.extend(errors_from_validation(error))
    bad_fields = {e.field for e in errors}
    errors.extend(e for e in _cross_field_errors(raw) if e.field not in bad_fields)
    sins_scores: dict[int, Scores] = {}
    for index, item in _raw_fractures(raw):
        sins, found = _run_sins(index, item)
        errors.extend(e for e in found if e.field not in bad_fields)
        if sins is not None:
            sins_scores[index] = sins
    if errors or case is None:
        raise InvalidInput(errors)
    scores: dict[int, Scores] = {}
    for index, fracture in enumerate(case.fractures or ()):
        of = _run_of(case, fracture)
        sins = sins_scores.get(index, Scores())
        scores[index] = Scores(
            sins=sins.sins,
            sins_note=sins.sins_note,
            of_score=of.of_score,
            of_input=of.of_input,
            of_unknown_items=of.of_unknown_items,
            of_note=of.of_note,
        )
    return case, scores
