"""Getting the FHIR data a service needs: from the request's prefetch, or from its fhirServer.

For each prefetch key a service declares, :func:`gather` uses the prefetched value when the key
is present (``null`` means the EHR has no such data: an empty result), and otherwise, or when
the value is an OperationOutcome (the EHR could not prefetch it), queries ``fhirServer`` with the
same template and the request's ``fhirAuthorization`` bearer token. When required data can be
got from neither, the service answers 412 Precondition Failed.

Only ``{{context.<field>}}`` tokens with a primitive value are filled (the specification's
prefetch tokens); a searchset is followed through its ``next`` links on the same server, up to
``MAX_PAGES`` pages. The FHIR server must be one the client allows (``fhir_servers`` prefixes in
its configuration), so a request cannot make the service fetch arbitrary URLs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

TOKEN = re.compile(r"\{\{\s*([^}\s]+)\s*\}\}")
MAX_PAGES = 5
FETCH_TIMEOUT = httpx.Timeout(5.0, connect=2.0)


class CannotFetch(Exception):
    """Required data is neither prefetched nor obtainable from the FHIR server."""


def fill(template: str, context: Mapping[str, Any]) -> str | None:
    """The template with its tokens filled from ``context``; None when a token has no value."""
    missing = False

    def value_of(match: re.Match[str]) -> str:
        nonlocal missing
        name = match.group(1)
        if not name.startswith("context."):
            missing = True
            return ""
        value = context.get(name.removeprefix("context."))
        if isinstance(value, bool) or not isinstance(value, str | int | float) or value == "":
            missing = True
            return ""
        return str(value)

    filled = TOKEN.sub(value_of, template)
    return None if missing else filled


def resources_of(value: Any) -> list[dict[str, Any]] | None:
    """The resources in a prefetched value: a resource, a Bundle's entries, [] for null; None
    when the value is an OperationOutcome or not a resource (the data was not got)."""
    if value is None:
        return []
    if not isinstance(value, dict) or not isinstance(value.get("resourceType"), str):
        return None
    if value["resourceType"] == "OperationOutcome":
        return None
    if value["resourceType"] != "Bundle":
        return [value]
    found: list[dict[str, Any]] = []
    for entry in value.get("entry") or []:
        if not isinstance(entry, dict):
            continue
        resource = entry.get("resource")
        search = entry.get("search")
        if isinstance(search, dict) and search.get("mode") == "outcome":
            continue
        if isinstance(resource, dict) and resource.get("resourceType") not in (
            None,
            "OperationOutcome",
        ):
            found.append(resource)
    return found


@dataclass
class Gathered:
    """The resources per prefetch key, and where each came from."""

    resources: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)  # prefetch, fhirServer, unavailable
    problems: list[str] = field(default_factory=list)

    def all(self) -> list[dict[str, Any]]:
        seen: set[tuple[str, str]] = set()
        found: list[dict[str, Any]] = []
        for items in self.resources.values():
            for resource in items:
                key = (str(resource.get("resourceType")), str(resource.get("id")))
                if resource.get("id") is not None and key in seen:
                    continue
                seen.add(key)
                found.append(resource)
        return found


def server_allowed(fhir_server: str, prefixes: tuple[str, ...]) -> bool:
    parts = urlsplit(fhir_server)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    return not prefixes or any(fhir_server.startswith(prefix) for prefix in prefixes)


class FhirFetcher:
    def __init__(self, http: httpx.Client) -> None:
        self._http = http

    def search(self, base: str, query: str, token: str | None) -> list[dict[str, Any]]:
        """The resources a relative FHIR query returns; raises CannotFetch."""
        url = f"{base.rstrip('/')}/{query.lstrip('/')}"
        origin = urlsplit(base)
        headers = {"Accept": "application/fhir+json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        found: list[dict[str, Any]] = []
        for _page in range(MAX_PAGES):
            try:
                answer = self._http.get(url, headers=headers, timeout=FETCH_TIMEOUT)
            except httpx.HTTPError as error:
                raise CannotFetch(f"{type(error).__name__} from the FHIR server") from None
            if answer.status_code == 404 and "?" not in query:
                return []  # the resource does not exist: no data
            if answer.status_code != 200:
                raise CannotFetch(f"the FHIR server answered {answer.status_code}")
            try:
                document = answer.json()
            except ValueError:
                raise CannotFetch("the FHIR server did not answer JSON") from None
            items = resources_of(document)
            if items is None:
                raise CannotFetch("the FHIR server answered an OperationOutcome")
            found.extend(items)
            next_url = _next_link(document)
            if next_url is None:
                break
            parts = urlsplit(next_url)
            if (parts.scheme, parts.netloc) != (origin.scheme, origin.netloc):
                break  # never follow a link to another server
            url = next_url
        return found


def _next_link(document: Any) -> str | None:
    if not isinstance(document, dict) or document.get("resourceType") != "Bundle":
        return None
    for link in document.get("link") or []:
        if isinstance(link, dict) and link.get("relation") == "next":
            url = link.get("url")
            return url if isinstance(url, str) else None
    return None


def gather(
    templates: Mapping[str, str],
    required: frozenset[str],
    context: Mapping[str, Any],
    prefetch: Mapping[str, Any] | None,
    fhir_server: str | None,
    token: str | None,
    fetcher: FhirFetcher,
    allowed_servers: tuple[str, ...] | None,
) -> Gathered:
    """Every declared key's resources; raises CannotFetch when a required key cannot be got.

    ``allowed_servers``: URL prefixes the client allows (empty = any), or None when fetching is
    not allowed at all for this caller.
    """
    result = Gathered()
    given = prefetch or {}
    for key, template in templates.items():
        if key in given:
            items = resources_of(given[key])
            if items is not None:
                result.resources[key] = items
                result.origin[key] = "prefetch"
                continue
            result.problems.append(f"prefetch {key}: not usable (OperationOutcome or not FHIR)")
        query = fill(template, context)
        reason: str
        if query is None:
            reason = f"{key}: the context lacks a value its query needs"
        elif not fhir_server:
            reason = f"{key}: not prefetched, and the request names no fhirServer"
        elif allowed_servers is None or not server_allowed(fhir_server, allowed_servers):
            reason = f"{key}: not prefetched, and fhirServer is not one this client may use"
        else:
            try:
                result.resources[key] = fetcher.search(fhir_server, query, token)
                result.origin[key] = "fhirServer"
                continue
            except CannotFetch as error:
                reason = f"{key}: {error}"
        if key in required:
            raise CannotFetch(reason)
        result.resources[key] = []
        result.origin[key] = "unavailable"
        result.problems.append(reason)
    return result
