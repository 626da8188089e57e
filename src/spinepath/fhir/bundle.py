"""Reading a FHIR Bundle (transaction, batch, collection, searchset) of an import.

``read_bundle_document`` checks one uncompressed Bundle's structure and returns its entries
with their locations (NDJSON is read line by line by :mod:`spinepath.fhir.stream`). Every
structural problem is collected and raised together as :class:`InvalidInput`, so a malformed
input is refused whole before anything is written. References inside a bundle
(``urn:uuid:…``, ``Patient/123`` or absolute URLs) resolve through :meth:`ImportInput.resolve`;
an ``urn:`` reference that points nowhere in the bundle is malformed. ``check_resource`` checks
one resource's envelope, for NDJSON lines too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from spinepath import jsonread
from spinepath.clinical.errors import FieldError, InvalidInput
from spinepath.fhir.mapping import subject_reference
from spinepath.fhir.reading import FHIR_ID

ACCEPTED_BUNDLE_TYPES = ("transaction", "batch", "collection", "searchset")
ACCEPTED_METHODS = ("POST", "PUT")
MAX_ERRORS = 50


@dataclass(frozen=True)
class Entry:
    location: str  # entry[3].resource or patients.ndjson line 4
    resource: dict[str, Any]
    full_url: str | None

    @property
    def resource_type(self) -> str:
        return str(self.resource.get("resourceType"))

    @property
    def resource_id(self) -> str:
        """The resource's id, or (without one) its fullUrl's last segment."""
        rid = self.resource.get("id")
        if isinstance(rid, str) and rid:
            return rid
        if self.full_url:
            return self.full_url.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
        return self.location


@dataclass
class ImportInput:
    """The entries of one Bundle, and how to resolve references between them."""

    kinds: list[str] = field(default_factory=list)  # e.g. "bundle:transaction"
    entries: list[Entry] = field(default_factory=list)
    _by_full_url: dict[str, Entry] = field(default_factory=dict)
    _by_type_id: dict[str, Entry] = field(default_factory=dict)

    def add(self, entry: Entry) -> None:
        self.entries.append(entry)
        if entry.full_url:
            self._by_full_url[entry.full_url] = entry
        rid = entry.resource.get("id")
        if isinstance(rid, str) and rid:
            self._by_type_id[f"{entry.resource_type}/{rid}"] = entry

    def resolve(self, reference: str | None) -> Entry | None:
        if not reference:
            return None
        if reference in self._by_full_url:
            return self._by_full_url[reference]
        if reference in self._by_type_id:
            return self._by_type_id[reference]
        # An absolute URL ending in Type/id (…/fhir/Patient/123).
        parts = reference.rstrip("/").split("/")
        if len(parts) >= 2:
            return self._by_type_id.get(f"{parts[-2]}/{parts[-1]}")
        return None


class _Errors:
    def __init__(self) -> None:
        self.items: list[FieldError] = []

    def add(self, where: str, message: str) -> None:
        if len(self.items) < MAX_ERRORS:
            self.items.append(FieldError(where, message))

    def raise_if_any(self) -> None:
        if self.items:
            raise InvalidInput(self.items)


def read_bundle_document(raw: bytes, *, name: str, into: ImportInput) -> None:
    """Parse one uncompressed Bundle document into ``into``, checking its structure and its
    urn: references as a whole (InvalidInput naming every problem)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput([FieldError(name, "is not UTF-8 text")]) from None
    if not text.strip():
        raise InvalidInput([FieldError(name, "is empty")])
    errors = _Errors()
    document = jsonread.loads(text, field=name, max_bytes=None)
    first = len(into.entries)
    _read_bundle(document, name, into, errors)
    _check_references(into, errors, since=first)
    errors.raise_if_any()


def _read_bundle(document: Any, name: str, result: ImportInput, errors: _Errors) -> None:
    where = "" if name == "(body)" else f"{name}: "
    if not isinstance(document, dict):
        errors.add(name, "must be a FHIR Bundle (a JSON object)")
        return
    if document.get("resourceType") != "Bundle":
        errors.add(
            f"{where}resourceType",
            f"must be Bundle (got {document.get('resourceType')!r}); send single resources in "
            "a collection Bundle or as NDJSON",
        )
        return
    bundle_type = document.get("type")
    if bundle_type not in ACCEPTED_BUNDLE_TYPES:
        errors.add(
            f"{where}type",
            f"bundle type {bundle_type!r} is not accepted: use one of "
            + ", ".join(ACCEPTED_BUNDLE_TYPES),
        )
        return
    result.kinds.append(f"bundle:{bundle_type}")
    entries = document.get("entry", [])
    if not isinstance(entries, list):
        errors.add(f"{where}entry", "must be a JSON array")
        return
    seen_urls: dict[str, str] = {}
    for index, item in enumerate(entries):
        at = f"{where}entry[{index}]"
        if not isinstance(item, dict):
            errors.add(at, "must be a JSON object")
            continue
        full_url = item.get("fullUrl")
        if full_url is not None and not isinstance(full_url, str):
            errors.add(f"{at}.fullUrl", "must be a string")
            full_url = None
        if full_url:
            if full_url in seen_urls:
                errors.add(f"{at}.fullUrl", f"repeats the fullUrl of {seen_urls[full_url]}")
            seen_urls[full_url] = at
        request = item.get("request")
        if bundle_type in ("transaction", "batch"):
            method = request.get("method") if isinstance(request, dict) else None
            if method not in ACCEPTED_METHODS:
                errors.add(
                    f"{at}.request.method",
                    f"{method!r} is not imported: only POST and PUT entries carry data to import",
                )
                continue
        search = item.get("search")
        if isinstance(search, dict) and search.get("mode") == "outcome":
            continue  # an OperationOutcome about a search, not data
        resource = item.get("resource")
        if resource is None:
            errors.add(f"{at}.resource", "is missing")
            continue
        if _check_resource(resource, f"{at}.resource", errors):
            result.add(Entry(f"{at}.resource", resource, full_url))


def check_resource(resource: Any, where: str) -> list[FieldError]:
    """The problems of one resource's envelope (a JSON object with a type and a FHIR id)."""
    errors = _Errors()
    _check_resource(resource, where, errors)
    return errors.items


def _check_resource(resource: Any, where: str, errors: _Errors) -> bool:
    if not isinstance(resource, dict):
        errors.add(where, "must be a JSON object (a FHIR resource)")
        return False
    kind = resource.get("resourceType")
    if not isinstance(kind, str) or not kind.isalpha():
        errors.add(f"{where}.resourceType", "is missing or not a resource type name")
        return False
    rid = resource.get("id")
    if rid is not None and (not isinstance(rid, str) or not FHIR_ID.match(rid)):
        errors.add(f"{where}.id", "must be a FHIR id (1-64 letters, digits, '-' or '.')")
        return False
    return True


def _check_references(result: ImportInput, errors: _Errors, since: int = 0) -> None:
    """A urn: reference must point at an entry of the same bundle."""
    for entry in result.entries[since:]:
        reference = subject_reference(entry.resource)
        if reference and reference.startswith("urn:") and result.resolve(reference) is None:
            name = "subject" if "subject" in entry.resource else "patient"
            errors.add(
                f"{entry.location}.{name}.reference",
                f"{reference} is not an entry of this bundle",
            )
        for name in ("subject", "patient"):
            value = entry.resource.get(name)
            if value is not None and not (
                isinstance(value, dict) and isinstance(value.get("reference", ""), str)
            ):
                errors.add(f"{entry.location}.{name}", "must be a Reference object")
