"""Reading an import file as a stream of resources, never the whole file at once.

NDJSON (Bulk Data) is read line by line, inflating gzip as it goes, so memory holds one line
however large the file. A line whose ``resourceType`` is its first member is recognised from
its first bytes: the types spinepath does not use are counted without being parsed. A Bundle is
one JSON document and is read whole, so it is limited to :data:`MAX_BUNDLE_BYTES`. Every file of
one import shares one :class:`Budget` of uncompressed bytes (a gzip bomb stops there).
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from spinepath import jsonread
from spinepath.clinical.errors import FieldError, InvalidInput
from spinepath.fhir.bundle import ImportInput, read_bundle_document

# A Bundle is parsed whole: this bounds the memory one Bundle can take.
MAX_BUNDLE_BYTES = 64 * 1024 * 1024
# One NDJSON line (one resource) is read whole.
MAX_LINE_BYTES = 16 * 1024 * 1024
_FIRST_MEMBER_TYPE = re.compile(rb'^\s*\{\s*"resourceType"\s*:\s*"([A-Za-z]{1,64})"')
_READ_ERRORS = (zlib.error, EOFError, gzip.BadGzipFile, OSError)


@dataclass(frozen=True)
class ImportFile:
    """One file of an import, on disk or in memory, and whether it is NDJSON (None: look)."""

    name: str
    path: Path | None = None
    content: bytes | None = None
    ndjson: bool | None = None

    def open(self) -> IO[bytes]:
        if self.path is not None:
            return self.path.open("rb")
        return io.BytesIO(self.content or b"")


class Budget:
    """The uncompressed bytes one import may read, whatever number of files it comes in."""

    def __init__(self, limit_bytes: int) -> None:
        self.limit_bytes = limit_bytes
        self.used_bytes = 0

    def take(self, size: int, name: str) -> None:
        self.used_bytes += size
        if self.used_bytes > self.limit_bytes:
            raise InvalidInput([FieldError(name, too_large(self.limit_bytes))])


def too_large(limit_bytes: int) -> str:
    return f"makes the import larger than {limit_bytes // (1024 * 1024)} MB uncompressed: split it"


@dataclass(frozen=True)
class Line:
    """One resource as read: where it is, its type when known without parsing, its text."""

    location: str
    resource_type: str | None
    text: bytes | None = None
    parsed: dict[str, Any] | None = None
    full_url: str | None = None

    def resource(self) -> Any:
        """The parsed resource (InvalidInput naming the line when it is not JSON)."""
        if self.parsed is not None:
            return self.parsed
        return jsonread.loads(self.text or b"", field=self.location, max_bytes=None)


def _opened(file: ImportFile) -> IO[bytes]:
    raw = file.open()
    if raw.read(2) == b"\x1f\x8b":
        raw.seek(0)
        return cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb"))
    raw.seek(0)
    return raw


def _prefix(name: str) -> str:
    return "" if name == "(body)" else f"{name}: "


def _numbered_lines(file: ImportFile, budget: Budget) -> Generator[tuple[int, bytes]]:
    """(line number, bytes) of each non-blank line, inflated as read, within the budget."""
    with _opened(file) as stream:
        number = 0
        while True:
            try:
                line = stream.readline(MAX_LINE_BYTES + 1)
            except _READ_ERRORS:
                raise InvalidInput([FieldError(file.name, "is not a readable gzip file")]) from None
            if not line:
                return
            number += 1
            budget.take(len(line), file.name)
            if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
                where = f"{_prefix(file.name)}line {number}"
                message = f"is longer than {MAX_LINE_BYTES // (1024 * 1024)} MB"
                raise InvalidInput([FieldError(where, message)])
            if number == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            if line.strip():
                yield number, line


def is_ndjson(file: ImportFile) -> bool:
    """What the file is when its name and type do not say: NDJSON when its first line is a
    JSON object on its own and another line follows; otherwise one document (a Bundle)."""
    lines = _numbered_lines(file, Budget(MAX_LINE_BYTES * 2 + 2))
    try:
        first = next(lines, None)
        if first is None:
            return False
        try:
            jsonread.loads(first[1], max_bytes=None)
        except InvalidInput:
            return False
        try:
            return next(lines, None) is not None
        except InvalidInput:
            return True  # a second line too long to read: the real read names it
    except InvalidInput:
        return False  # the real read names the problem
    finally:
        lines.close()


def read_lines(file: ImportFile, budget: Budget, ndjson: bool, kinds: list[str]) -> Iterator[Line]:
    """Every resource of the file, in order; what the file is goes into ``kinds``
    ("ndjson", "bundle:transaction"). A Bundle's structure is checked as a whole first
    (InvalidInput with every problem); an NDJSON line is checked when it is parsed."""
    if not ndjson:
        yield from _bundle_lines(file, budget, kinds)
        return
    kinds.append("ndjson")
    prefix = _prefix(file.name)
    for number, text in _numbered_lines(file, budget):
        sniffed = _FIRST_MEMBER_TYPE.match(text)
        yield Line(
            f"{prefix}line {number}",
            sniffed.group(1).decode() if sniffed else None,
            text=text,
        )


def _bundle_lines(file: ImportFile, budget: Budget, kinds: list[str]) -> Iterator[Line]:
    chunks: list[bytes] = []
    size = 0
    limit = min(MAX_BUNDLE_BYTES, budget.limit_bytes - budget.used_bytes)
    with _opened(file) as stream:
        while True:
            try:
                chunk = stream.read(1024 * 1024)
            except _READ_ERRORS:
                raise InvalidInput([FieldError(file.name, "is not a readable gzip file")]) from None
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                message = (
                    too_large(budget.limit_bytes)
                    if limit < MAX_BUNDLE_BYTES
                    else f"is a Bundle larger than {MAX_BUNDLE_BYTES // (1024 * 1024)} MB: "
                    "send it as NDJSON (one resource a line), which has no such limit"
                )
                raise InvalidInput([FieldError(file.name, message)])
            chunks.append(chunk)
    budget.take(size, file.name)
    data = ImportInput()
    read_bundle_document(b"".join(chunks), name=file.name, into=data)
    del chunks
    kinds.extend(data.kinds)
    for entry in data.entries:
        yield Line(
            entry.location, entry.resource_type, parsed=entry.resource, full_url=entry.full_url
        )
