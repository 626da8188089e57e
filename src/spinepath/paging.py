"""Bounds shared by every list: the highest page number, and search text matched literally."""

from __future__ import annotations

# Far beyond any real list, and small enough that (page - 1) × per_page fits every database's
# integers (a larger page number answers 422, not a database overflow).
MAX_PAGE = 1_000_000

LIKE_ESCAPE = "\\"


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, with ``%``, ``_`` and the escape character
    taken literally (use with ``escape=LIKE_ESCAPE``)."""
    escaped = (
        text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )
    return f"%{escaped}%"
