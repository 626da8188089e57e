"""A page form generated from a JSON Schema, and the submitted form read back into JSON.

A label from the field name (its unit from the name's suffix), help from the field description,
choices as radios or a select (with an explicit "Not known" where the input allows null),
fixed-length lists as one control per entry, and nested objects as fieldsets. The submitted
form is turned back into the same JSON input the API and the command line take, so the result
and the field errors are theirs. The pages work without JavaScript.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData

from spinepath.clinical.errors import FieldError

# For a field name, the meaning of each of its choices: value -> (short text, long text).
Meanings = Mapping[str, Mapping[str, tuple[str, str]]]

# ---- Words and units for labels (presentation only) -------------------------------------------

_WORDS = {
    "spo2": "SpO2",
    "bp": "BP",
    "vas": "VAS",
    "of": "OF",
    "mcid": "MCID",
    "acvpu": "ACVPU",
    "asa": "ASA",
    "genant": "Genant",
    "nrs": "NRS",
    "t": "T",
}
# Unit words at the end of a name (or before "scored", as in temperature_c_scored).
_UNITS = {
    ("mmhg",): "mmHg",
    ("per", "min"): "/min",
    ("percent",): "%",
    ("mm",): "mm",
    ("deg",): "°",
    ("c",): "°C",
}
_NULL_CLAUSE = re.compile(r"[;,]?\s*(?:or\s+)?null if [^;.]*", re.IGNORECASE)
_CHOICE_SEGMENT = re.compile(r"^(?P<value>[^\s=]+)(?:\s*=)?\s+(?P<text>.+?)\.?$")
_ITEM_NAMES = re.compile(r"\(([^()]*\b1 [^()]*)\)")
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")

NULL_VALUE = "null"


def _split_unit(name: str) -> tuple[list[str], str]:
    words = name.split("_")
    for unit_words, unit in _UNITS.items():
        size = len(unit_words)
        ends = (len(words), len(words) - 1) if words[-1] == "scored" else (len(words),)
        for end in ends:
            start = end - size
            if start >= 1 and tuple(words[start:end]) == unit_words:
                return words[:start] + words[end:], unit
    return words, ""


def humanize(name: str) -> str:
    """``systolic_bp_mmhg`` → "Systolic BP"; the unit is given separately by :func:`unit_of`."""
    words, _ = _split_unit(name)
    shown = [_WORDS.get(word, word) for word in words if word]
    text = re.sub(r"\bminus (?=\d)", "−", " ".join(shown)).replace("T score", "T-score")
    return text[:1].upper() + text[1:]


def unit_of(name: str) -> str:
    unit = _split_unit(name)[1]
    if not unit and name.startswith("percent_"):
        return "%"  # percent_change
    return unit


_JSON_WORDS = {"true": "yes", "false": "no", "null": "not known"}


def clean_description(description: str) -> str:
    """A description as help text on a form: no RST literals, no JSON words.

    "…, or null if unanswered" clauses go (the form offers its own "Not answered" or "Not
    known"); a remaining true, false or null is said as yes, no or not known.
    """
    text = _NULL_CLAUSE.sub("", description.replace("``", "")).strip()
    return re.sub(
        r"\b(true|false|null)\b",
        lambda found: _plain_word(found.group(0)),
        text,
        flags=re.IGNORECASE,
    )


def _plain_word(word: str) -> str:
    plain = _JSON_WORDS[word.lower()]
    return plain.capitalize() if word[:1].isupper() else plain


# ---- The form, generated from the input schema -------------------------------------------------


@dataclass
class Choice:
    value: str  # as submitted by the form
    data: Any  # the JSON value it stands for
    label: str
    points: str = ""


@dataclass
class FormField:
    path: str  # dotted, as in the field errors: "sections.3", "points_mm.anterior_superior.0"
    name: str
    kind: str  # input | radios | select | checkbox | checkboxes | group | list
    label: str
    help: str = ""
    unit: str = ""
    number: str = ""  # integer | number | "" (text)
    required: bool = True
    choices: list[Choice] = field(default_factory=list)
    null_choice: Choice | None = None  # "Not known" among checkboxes
    children: list[FormField] = field(default_factory=list)
    default: str | None = None
    nullable: bool = False
    inline: bool = False  # children side by side (an [x, y] pair)

    @property
    def id(self) -> str:
        return "calc-" + self.path.replace(".", "-").replace("_", "-")

    def walk(self) -> Iterable[FormField]:
        yield self
        for child in self.children:
            yield from child.walk()


def _resolve(node: Mapping[str, Any], defs: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
    """The node with ``$ref`` followed and ``anyOf [X, null]`` unwrapped; and whether null is ok."""
    resolved = dict(node)
    nullable = False
    if "anyOf" in resolved:
        options = [option for option in resolved.pop("anyOf") if option.get("type") != "null"]
        nullable = len(options) < len(node["anyOf"])
        if len(options) == 1:
            inner, inner_nullable = _resolve(options[0], defs)
            resolved = {**inner, **resolved}
            nullable = nullable or inner_nullable
    if "$ref" in resolved:
        target = defs[str(resolved.pop("$ref")).rsplit("/", 1)[-1]]
        inner, inner_nullable = _resolve(target, defs)
        resolved = {**inner, **resolved}
        nullable = nullable or inner_nullable
    return resolved, nullable


def _described_choices(description: str, values: list[Any]) -> tuple[str, dict[str, str]]:
    """Labels a description gives its choices ("Label: 2 = …; 1 = …", "ACVPU: A alert; …")."""
    prefix, colon, rest = description.partition(": ")
    if not colon:
        return description, {}
    found: dict[str, str] = {}
    for segment in rest.split("; "):
        match = _CHOICE_SEGMENT.match(segment.strip())
        if match:
            found[match["value"]] = match["text"]
    wanted = {str(value) for value in values}
    if not wanted <= set(found):
        return description, {}
    return prefix, {key: found[key] for key in wanted}


def _item_names(description: str, count: int) -> list[str]:
    """Names of numbered entries a description lists: "(1 pain intensity, 2 personal care…)"."""
    match = _ITEM_NAMES.search(description)
    if not match:
        return []
    names: dict[int, str] = {}
    for part in match.group(1).split(", "):
        number, _, text = part.strip().partition(" ")
        if number.isdigit() and text:
            names[int(number)] = text
    if sorted(names) != list(range(1, count + 1)):
        return []
    return [names[number] for number in range(1, count + 1)]


def _singular(name: str) -> str:
    word = humanize(name)
    return word[:-1] if word.endswith("s") else word


def build_form(schema: Mapping[str, Any], meanings: Meanings) -> list[FormField]:
    """The form for ``schema``; ``meanings`` words the choices of named fields."""
    defs = schema.get("$defs", {})
    return _object_fields(meanings, schema, defs, prefix="", unit="")


def _object_fields(
    meanings: Meanings, schema: Mapping[str, Any], defs: Mapping[str, Any], prefix: str, unit: str
) -> list[FormField]:
    required = set(schema.get("required", ()))
    return [
        _field(
            meanings,
            name,
            node,
            defs,
            path=f"{prefix}{name}",
            label=humanize(name),
            required=name in required,
            unit=unit_of(name) or unit,
            in_list=False,
        )
        for name, node in schema.get("properties", {}).items()
    ]


def _field(
    meanings: Meanings,
    name: str,
    node: Mapping[str, Any],
    defs: Mapping[str, Any],
    *,
    path: str,
    label: str,
    required: bool,
    unit: str,
    in_list: bool,
) -> FormField:
    spec, nullable = _resolve(node, defs)
    description = str(spec.get("description", ""))
    default = spec.get("default")
    made = FormField(
        path=path,
        name=name,
        kind="input",
        label=label,
        help=clean_description(description),
        unit=unit,
        required=required and "default" not in spec,
        default=None if default is None else _form_value(default),
        nullable=nullable,
    )
    kind = spec.get("type")
    if kind == "object":
        made.kind = "group"
        made.children = _object_fields(meanings, spec, defs, prefix=f"{path}.", unit=unit)
    elif kind == "array" and "enum" in spec.get("items", {}):
        made.kind = "checkboxes"
        values: list[Any] = list(spec["items"]["enum"])
        made.choices = _choices(meanings, name, values, description)[1]
        made.help = clean_description(description) if not _choice_meanings(meanings, name) else ""
        if nullable:
            made.null_choice = Choice(NULL_VALUE, None, "Not known")
    elif kind == "array" and spec.get("minItems") == spec.get("maxItems") is not None:
        made.kind = "list"
        count = int(spec["maxItems"])
        item_node = spec.get("items", {})
        item_spec, _ = _resolve(item_node, defs)
        pair = count == 2 and item_spec.get("type") == "number"
        made.inline = pair
        names = _item_names(description, count)
        noun = _singular(name)
        for index in range(count):
            if pair:
                item_label = "xy"[index]
            elif names:
                item_label = f"{noun} {index + 1}: {names[index]}"
            else:
                item_label = f"{noun} {index + 1}"
            made.children.append(
                _field(
                    meanings,
                    str(index),
                    item_node,
                    defs,
                    path=f"{path}.{index}",
                    label=item_label,
                    required=True,
                    unit=unit,
                    in_list=True,
                )
            )
    elif kind == "boolean":
        if in_list and not nullable:
            made.kind = "checkbox"
        else:
            made.kind = "radios"
            made.choices = [Choice("true", True, "Yes"), Choice("false", False, "No")]
            if nullable:
                made.choices.append(Choice(NULL_VALUE, None, "Not known"))
    elif "enum" in spec:
        values = list(spec["enum"])
        made.help, made.choices = _choices(meanings, name, values, description)
        made.kind = "radios" if len(values) <= 6 and not in_list else "select"
        if nullable:
            made.choices.append(Choice(NULL_VALUE, None, "Not known"))
    elif kind == "integer":
        made.number = "integer"
        low, high = spec.get("minimum"), spec.get("maximum")
        values = []
        if low is not None and high is not None:
            values = list(range(int(low), int(high) + 1))
        prefix, labels = _described_choices(description, values) if values else ("", {})
        if labels:
            made.kind = "radios"
            made.help = "" if prefix.lower() == label.lower() else prefix
            made.choices = [
                Choice(str(value), value, labels[str(value)], str(value))
                for value in sorted(values, reverse=True)
            ]
        elif in_list and 0 < len(values) <= 11:
            made.kind = "select"
            made.choices = [Choice(str(value), value, str(value)) for value in values]
    elif kind == "number":
        made.number = "number"
    if in_list and made.kind == "select":
        made.help = ""
    return made


def _choice_meanings(meanings: Meanings, name: str) -> Mapping[str, tuple[str, str]]:
    return meanings.get(name, {})


def _choices(
    meanings: Meanings, name: str, values: list[Any], description: str
) -> tuple[str, list[Choice]]:
    answers = _choice_meanings(meanings, name)
    help_text, described = _described_choices(description, values)
    if described and help_text.lower() == humanize(name).lower():
        help_text = ""
    made = []
    for value in values:
        key = str(value)
        if key in answers:
            text, points = answers[key]
            made.append(Choice(key, value, text[:1].upper() + text[1:], points))
        elif key in described:
            made.append(Choice(key, value, f"{key}: {described[key]}"))
        else:
            made.append(Choice(key, value, humanize(key) if isinstance(value, str) else key))
    return clean_description(help_text), made


def _form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return NULL_VALUE
    return str(value)


# ---- From the submitted form to the instrument's JSON input ------------------------------------


def read_form(fields: list[FormField], form: FormData) -> tuple[dict[str, Any], list[FieldError]]:
    """The JSON input the form stands for, and any error the form itself makes plain.

    A blank entry is "not given" (the instrument then names the missing field); a blank entry in a
    fixed-length list is null (an unanswered ODI section). Text that is not a number is passed on
    as text, so the instrument names it as a wrong type, as it would over the API.
    """
    problems: list[FieldError] = []
    data: dict[str, Any] = {}
    for top in fields:
        entered, value = _read(top, form, problems)
        if entered or top.kind in {"list", "checkboxes", "checkbox"}:
            data[top.name] = value
    return data, problems


def _read(item: FormField, form: FormData, problems: list[FieldError]) -> tuple[bool, Any]:
    if item.kind == "group":
        found: dict[str, Any] = {}
        for child in item.children:
            entered, value = _read(child, form, problems)
            if entered:
                found[child.name] = value
        return bool(found), found
    if item.kind == "list":
        values = []
        any_entered = False
        blanks: list[FormField] = []
        for child in item.children:
            entered, value = _read(child, form, problems)
            values.append(value if entered else None)
            any_entered = any_entered or entered
            if not entered and not child.nullable:
                blanks.append(child)
        if any_entered:  # a list left wholly blank is missing as a whole
            problems.extend(FieldError(blank.path, "Field required") for blank in blanks)
        return any_entered, values
    if item.kind == "checkbox":
        return True, item.path in form
    if item.kind == "checkboxes":
        ticked = [str(value) for value in form.getlist(item.path)]
        if item.null_choice is not None and item.null_choice.value in ticked:
            if len(ticked) > 1:
                problems.append(
                    FieldError(item.path, "tick either “Not known” or those that apply, not both")
                )
            return True, None
        by_value = {choice.value: choice.data for choice in item.choices}
        return True, [by_value.get(value, value) for value in ticked]
    raw = str(form.get(item.path) or "").strip()
    if not raw:
        return False, None
    for choice in item.choices:
        if choice.value == raw:
            return True, choice.data
    if item.choices:
        return True, raw
    if item.number == "integer" and _INTEGER.fullmatch(raw):
        return True, int(raw)
    if item.number == "number" and _DECIMAL.fullmatch(raw):
        return True, float(raw)
    return True, raw


def place_errors(fields: list[FormField], errors: list[FieldError]) -> dict[str, str]:
    """Each error on the nearest field of the form (``sections.3`` or its enclosing fieldset)."""
    paths = {item.path for top in fields for item in top.walk()}
    placed: dict[str, str] = {}
    for error in errors:
        target = error.field
        while target not in paths and "." in target:
            target = target.rsplit(".", 1)[0]
        key = target if target in paths else error.field
        message = error.message
        if key != error.field:
            message = f"{error.field.removeprefix(key + '.')}: {message}"
        placed[key] = f"{placed[key]}; {message}" if key in placed else message
    return placed


def labels_of(fields: list[FormField]) -> dict[str, str]:
    """A label for every path that reads alone, as in the error summary."""
    labels: dict[str, str] = {}

    def visit(item: FormField, full: str) -> None:
        shown = f"{full} ({item.unit})" if item.unit and item.kind not in {"group"} else full
        labels[item.path] = shown
        for child in item.children:
            if item.kind == "group":
                visit(child, f"{full}: {child.label}")
            elif item.inline:
                visit(child, f"{full} {child.label}")
            else:
                visit(child, child.label)

    for top in fields:
        visit(top, top.label)
    return labels


def readable(text: str, fields: list[FormField]) -> str:
    """Field names in a message or description in words: "heights_mm" → "heights"."""
    names = {item.name for top in fields for item in top.walk() if "_" in item.name}
    for name in sorted(names, key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(name)}\b", humanize(name).lower(), text)
    return text


# ---- The result, for display -------------------------------------------------------------------

HEADLINE_KEYS = ("total", "score_percent", "score", "genant_grade", "change")
# Result names that do not read as words on their own.
_RESULT_LABELS = {"single_parameter_3": "Any single parameter scoring 3"}
_HIDDEN_KEYS = {"instrument", "edition", "sources", "note", "notes", "components"}


@dataclass
class Shown:
    label: str
    text: str = ""
    items: list[str] = field(default_factory=list)
    rows: list[Shown] = field(default_factory=list)
    key: str = ""


_CODE = re.compile(r"[a-z0-9]+(?:_[a-z0-9]+)+")


def _text(value: Any, unit: str = "") -> str:
    if value is None:
        return "not calculated"
    if isinstance(value, bool):
        return "yes" if value else "no"  # never with a unit
    if isinstance(value, list):
        return ", ".join(_text(item) for item in value) if value else "none"
    if isinstance(value, str) and _CODE.fullmatch(value):
        return humanize(value).lower() if value.split("_")[0] not in _WORDS else humanize(value)
    shown = str(value).replace("-", "−") if isinstance(value, int | float) else str(value)
    if unit in {"°", "/min"}:
        return f"{shown}{unit}"
    return f"{shown} {unit}" if unit else shown


def _shown(key: str, value: Any) -> Shown:
    label = _RESULT_LABELS.get(key) or humanize(key)
    if isinstance(value, dict):
        return Shown(label, rows=[_shown(k, v) for k, v in value.items()], key=key)
    sentences = isinstance(value, list) and all(isinstance(item, str) for item in value)
    if sentences and any(" " in item for item in value):
        return Shown(label, items=list(value), key=key)
    return Shown(label, _text(value, unit_of(key)), key=key)


def result_view(result: Mapping[str, Any]) -> dict[str, Any]:
    headline_key = next((key for key in HEADLINE_KEYS if key in result), None)
    headline = _shown(headline_key, result[headline_key]) if headline_key else None
    components = result.get("components")
    return {
        "headline": headline,
        "facts": [
            _shown(key, value)
            for key, value in result.items()
            if key not in _HIDDEN_KEYS and key != headline_key and not isinstance(value, dict)
        ],
        "groups": [
            _shown(key, value)
            for key, value in result.items()
            if key not in _HIDDEN_KEYS and isinstance(value, dict)
        ],
        "components": (
            [(humanize(key), _text(points)) for key, points in components.items()]
            if isinstance(components, dict)
            else []
        ),
        "notes": [str(note) for note in result.get("notes", [])],
        "note": str(result.get("note", "")),
        "json": json.dumps(result, indent=2, ensure_ascii=False),
    }


# ---- Pages -------------------------------------------------------------------------------------
