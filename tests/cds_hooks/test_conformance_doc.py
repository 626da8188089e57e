"""docs/cds-hooks-conformance.md maps every Service SHALL of the CDS Hooks 2.0 requirements to a
test that exists, or to a stated reason."""

from __future__ import annotations

import csv
import re

from tests.cds_hooks.support import CDS_FIXTURES, REPO_ROOT

DOC = REPO_ROOT / "docs" / "cds-hooks-conformance.md"
TEST_REF = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")
ROW = re.compile(r"^\| (\d+) \| (SHALL(?: NOT)?) \| (.*) \| (.*) \|$")


def service_shalls() -> dict[str, str]:
    path = CDS_FIXTURES / "cds-hooks_2.0_requirements.csv"
    assert path.exists(), f"shared fixture missing: {path}"
    with path.open() as handle:
        return {
            row["ID"]: row["Conformance"]
            for row in csv.DictReader(handle)
            if "Service" in row["Actors"] and row["Conformance"] in ("SHALL", "SHALL NOT")
        }


def documented() -> dict[str, tuple[str, str]]:
    rows: dict[str, tuple[str, str]] = {}
    for line in DOC.read_text().splitlines():
        match = ROW.match(line)
        if match:
            rows[match.group(1)] = (match.group(2), match.group(4))
    return rows


def test_every_service_shall_is_mapped_once_with_its_conformance() -> None:
    wanted = service_shalls()
    found = documented()
    assert len(wanted) == 73
    assert {key: value[0] for key, value in found.items()} == wanted


def test_every_named_test_exists_and_every_other_row_gives_a_reason() -> None:
    for requirement, (_, evidence) in documented().items():
        references = TEST_REF.findall(evidence)
        for path, name in references:
            source = REPO_ROOT / path
            assert source.exists(), (requirement, path)
            assert re.search(rf"^def {name}\(", source.read_text(), re.MULTILINE), (
                requirement,
                name,
            )
        if not references:
            assert evidence.startswith(("Not applicable", "Deployment")), requirement
