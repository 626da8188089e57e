"""The one JSON reader every entry point uses: the API, the web pages, the CLI, FHIR, CDS Hooks.

It bounds what a document may cost before anything walks it: its size, and how deeply its
arrays and objects nest (Python's parser recurses, so a deep document would otherwise end in a
RecursionError). It refuses what JSON allows but no record should hold: NaN and Infinity, and
control characters (NUL and the other C0 controls except tab, line feed and carriage return,
DEL, and unpaired UTF-16 surrogates) in any key or string, naming the field where each was
found. Every refusal is an ``InvalidInput`` naming a field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from spinepath.clinical.errors import FieldError, InvalidInput

MAX_DEPTH = 64
MAX_BYTES = 1024 * 1024

# Characters no text field may hold. Tab, line feed and carriage return are ordinary text.
_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# In JSON text those characters can only arrive escaped (raw control characters are invalid).
_ESCAPED_REFUSED = re.compile(r"\\u(?:00[01][0-9a-fA-F]|007[fF]|[dD][89a-fA-F][0-9a-fA-F]{2})")
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


class _NotJson(ValueError):
    pass


def _no_constant(constant: str) -> Any:
    # Python's json module accepts NaN and Infinity; JSON itself has no such numbers.
    raise _NotJson(f"{constant} is not a JSON number")


def refused_character(text: str) -> str | None:
    """A description of the first refused character in ``text``, or None when it has none."""
    found = _REFUSED.search(text)
    if found is None:
        return None
    code = ord(found.group())
    kind = "an unpaired surrogate" if 0xD800 <= code <= 0xDFFF else "a control character"
    return f"contains U+{code:04X}, {kind}, which is not allowed"


def printable(name: str) -> str:
    """``name`` with each refused character written as an escape, fit to show in a message."""
    return _REFUSED.sub(lambda found: f"\\u{ord(found.group()):04x}", name)


def may_hold_refused(text: str) -> bool:
    """Whether a JSON text has an escape that decodes to a refused character."""
    return _ESCAPED_REFUSED.search(text) is not None


def check_text(field: str, text: str) -> None:
    """Raise InvalidInput naming ``field`` when ``text`` holds a refused character."""
    message = refused_character(text)
    if message is not None:
        raise InvalidInput([FieldError(field, message)])


def too_deep(text: str, max_depth: int = MAX_DEPTH) -> bool:
    """Whether the arrays and objects of a JSON text nest more than ``max_depth`` levels
    (brackets inside strings do not count)."""
    if text.count("[") + text.count("{") <= max_depth:
        return False  # counting brackets inside strings too: an upper bound, found cheaply
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    if brackets.count("[") + brackets.count("{") <= max_depth:
        return False
    depth = 0
    for ch in brackets:
        if ch in "[{":
            depth += 1
            if depth > max_depth:
                return True
        else:
            depth -= 1
    return False


def loads(
    data: str | bytes,
    *,
    field: str = "(body)",
    max_depth: int = MAX_DEPTH,
    max_bytes: int | None = MAX_BYTES,
    refuse_controls: bool = True,
) -> Any:
    """Parse one JSON document within the limits, or raise InvalidInput naming ``field`` (or the
    path of the string holding a refused character). ``refuse_controls=False`` is for documents
    that are read and never stored as text (an EHR's prefetched resources)."""
    if max_bytes is not None and len(data) > max_bytes:
        raise InvalidInput([FieldError(field, f"is larger than {max_bytes} bytes")])
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput([FieldError(field, "is not UTF-8 text")]) from None
    else:
        text = data
    if too_deep(text, max_depth):
        raise InvalidInput(
            [FieldError(field, f"nests arrays and objects more than {max_depth} levels deep")]
        )
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        message = f"is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        raise InvalidInput([FieldError(field, message)]) from None
    except _NotJson as error:
        raise InvalidInput([FieldError(field, f"is not valid JSON: {error}")]) from None
    except RecursionError:  # a guard: too_deep has already refused deep documents
        raise InvalidInput([FieldError(field, "nests too deeply")]) from None
    if refuse_controls and may_hold_refused(text):
        errors = [
            FieldError(path, message)
            for path, message in sorted(_refused_strings(value, "" if field == "(body)" else field))
        ]
        if errors:
            raise InvalidInput(errors[:20])
    return value


def _refused_strings(value: Any, root: str) -> Iterator[tuple[str, str]]:
    """(path, message) for each key or string holding a refused character, without recursion."""
    stack: list[tuple[str, Any]] = [(root, value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            message = refused_character(item)
            if message is not None:
                yield path or "(body)", message
        elif isinstance(item, dict):
            for key, child in item.items():
                message = refused_character(key)
                if message is not None:
                    # The key is no field of ours: name the object that holds it.
                    yield path or "(body)", f"has a field name that {message}"
                    continue
                child_path = f"{path}.{key}" if path else str(key)
                stack.append((child_path, child))
        elif isinstance(item, list):
            stack.extend((f"{path}.{i}" if path else str(i), child) for i, child in enumerate(item))
