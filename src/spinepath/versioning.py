"""Optimistic concurrency: an edit names the version it was made against."""

from __future__ import annotations

from spinepath.errors import PreconditionRequired, VersionConflict


def check_version(
    entity: str, current: int, expected: int | None, *, via_if_match: bool = False
) -> None:
    if expected is None:
        raise PreconditionRequired(
            f"say which version of the {entity} you are changing "
            "(an If-Match header with its ETag, or a version field)"
        )
    if expected != current:
        raise VersionConflict(entity, expected, current, via_if_match=via_if_match)
