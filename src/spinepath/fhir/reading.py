"""Reading FHIR R4 JSON: typed access to the elements spinepath uses, naming every bad one.

A :class:`Reader` wraps one resource and a location (``entry[3].resource``). Each getter checks
the JSON type of the element it reads and records a problem (``entry[3].resource.birthDate:
must be a FHIR date``) instead of failing on the first; the importer refuses the whole input
when any element it relies on is malformed. Elements spinepath does not read are not checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from spinepath.clinical.errors import FieldError

_DATE = re.compile(r"^(\d{4})(-(\d{2})(-(\d{2}))?)?$")
_DATETIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(:(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$"
)
FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")

Coding = tuple[str, str, str]  # (system, code, display)


@dataclass(frozen=True)
class When:
    """A FHIR date or dateTime: the text as written, and a UTC instant for ordering."""

    text: str
    at: datetime
    precision: str  # year, month, day, time


def parse_when(text: str) -> When | None:
    """Parse a FHIR date / dateTime; None if it is not one. Dates sort as midnight UTC."""
    value = text.strip()
    match = _DATE.match(value)
    if match:
        year, month, day = int(match.group(1)), int(match.group(3) or 1), int(match.group(5) or 1)
        try:
            at = datetime(year, month, day, tzinfo=UTC)
        except ValueError:
            return None
        precision = "day" if match.group(5) else "month" if match.group(3) else "year"
        return When(value, at, precision)
    if _DATETIME.match(value):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return When(value, parsed.astimezone(UTC), "time")
    return None


@dataclass
class Problems:
    """Every malformed element found, with its path."""

    items: list[FieldError] = field(default_factory=list)
    limit: int = 100

    def add(self, path: str, message: str) -> None:
        if len(self.items) < self.limit:
            self.items.append(FieldError(path, message))

    def __bool__(self) -> bool:
        return bool(self.items)


class Reader:
    """Typed, checked access to one JSON object of a FHIR resource."""

    def __init__(self, data: dict[str, Any], path: str, problems: Problems) -> None:
        self.data = data
        self.path = path
        self.problems = problems

    def at(self, name: str) -> str:
        return f"{self.path}.{name}"

    def raw(self, name: str) -> Any:
        return self.data.get(name)

    def string(self, name: str) -> str | None:
        value = self.data.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            self.problems.add(self.at(name), "must be a string")
            return None
        return value

    def boolean(self, name: str) -> bool | None:
        value = self.data.get(name)
        if value is None:
            return None
        if not isinstance(value, bool):
            self.problems.add(self.at(name), "must be true or false")
            return None
        return value

    def number(self, name: str) -> float | None:
        value = self.data.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problems.add(self.at(name), "must be a number")
            return None
        return float(value)

    def when(self, name: str) -> When | None:
        text = self.string(name)
        if text is None:
            return None
        parsed = parse_when(text)
        if parsed is None:
            self.problems.add(
                self.at(name),
                "must be a FHIR date or dateTime (YYYY, YYYY-MM, YYYY-MM-DD, or "
                "YYYY-MM-DDThh:mm:ss with a time zone)",
            )
        return parsed

    def child(self, name: str) -> Reader | None:
        value = self.data.get(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.problems.add(self.at(name), "must be a JSON object")
            return None
        return Reader(value, self.at(name), self.problems)

    def children(self, name: str) -> list[Reader]:
        value = self.data.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problems.add(self.at(name), "must be a JSON array")
            return []
        found: list[Reader] = []
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                self.problems.add(f"{self.at(name)}[{index}]", "must be a JSON object")
                continue
            found.append(Reader(item, f"{self.at(name)}[{index}]", self.problems))
        return found

    def strings(self, name: str) -> list[str]:
        value = self.data.get(name)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problems.add(self.at(name), "must be a JSON array of strings")
            return []
        return list(value)

    # ---- FHIR data types -----------------------------------------------------------------
    def codeable(self, name: str) -> tuple[list[Coding], str]:
        """The codings and text of a CodeableConcept (empty when absent)."""
        concept = self.child(name)
        return codeable_of(concept) if concept is not None else ([], "")

    def codeables(self, name: str) -> list[tuple[list[Coding], str]]:
        return [codeable_of(item) for item in self.children(name)]

    def reference(self, name: str) -> str | None:
        ref = self.child(name)
        return ref.string("reference") if ref is not None else None


def codeable_of(concept: Reader) -> tuple[list[Coding], str]:
    codings: list[Coding] = []
    for coding in concept.children("coding"):
        system = coding.string("system") or ""
        code = coding.string("code") or ""
        display = coding.string("display") or ""
        if code or display:
            codings.append((system, code, display))
    return codings, concept.string("text") or ""


def first_code(codings: list[Coding], system: str) -> str | None:
    for coding_system, code, _ in codings:
        if coding_system == system and code:
            return code.strip()
    return None


def best_display(codings: list[Coding], text: str) -> str:
    if text.strip():
        return text.strip()
    for _, _code, display in codings:
        if display.strip():
            return display.strip()
    for _, code, _ in codings:
        if code.strip():
            return code.strip()
    return ""


def status_code(reader: Reader, name: str) -> str | None:
    """A status given either as a code string or (R4 Condition) as a CodeableConcept."""
    value = reader.raw(name)
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        codings, text = codeable_of(Reader(value, reader.at(name), reader.problems))
        for _, code, _ in codings:
            if code:
                return code
        return text or None
    reader.problems.add(reader.at(name), "must be a code or a CodeableConcept")
    return None
