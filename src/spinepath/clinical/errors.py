"""Input errors that name each invalid field, shared by every clinical function."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(frozen=True)
class FieldError:
    """One invalid field: a dotted path (``sections.3``, ``fractures.0.level``) and why."""

    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class InvalidInput(ValueError):
    """Raised with every invalid field at once, never just the first."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))

    def as_dict(self) -> dict[str, list[dict[str, str]]]:
        return {"errors": [e.as_dict() for e in self.errors]}


def field_path(location: Sequence[int | str]) -> str:
    """Pydantic's error location as a dotted path; the root itself is ``"(input)"``."""
    return ".".join(str(part) for part in location) or "(input)"


def errors_from_validation(error: ValidationError) -> list[FieldError]:
    found: list[FieldError] = []
    for item in error.errors():
        location = [part for part in item["loc"] if not _is_union_tag(part)]
        message = str(item["msg"])
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        found.append(FieldError(field_path(location), message))
    return found


def _is_union_tag(part: int | str) -> bool:
    # Pydantic adds the tried member type (e.g. "function-after[...]") to locations in unions.
    return isinstance(part, str) and ("[" in part or part in {"int", "float", "bool", "str"})


def parse_input(model: type[ModelT], raw: Mapping[str, Any] | Any) -> ModelT:
    """Validate raw JSON-like input into ``model`` or raise :class:`InvalidInput`."""
    if not isinstance(raw, Mapping):
        raise InvalidInput([FieldError("(input)", "must be a JSON object")])
    try:
        return model.model_validate(dict(raw))
    except ValidationError as error:
        raise InvalidInput(errors_from_validation(error)) from None
