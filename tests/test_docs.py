"""The documentation stays true to the code."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _sources_doc_script() -> dict[str, Any]:
    return runpy.run_path(str(ROOT / "scripts" / "sources_doc.py"))


def test_clinical_sources_doc_lists_every_registered_source() -> None:
    render = _sources_doc_script()["render"]
    document = (ROOT / "docs" / "clinical-sources.md").read_text()
    assert render(document) == document, "run scripts/sources_doc.py"


def test_every_area_notes_file_is_linked_from_the_sources_doc() -> None:
    document = (ROOT / "docs" / "clinical-sources.md").read_text()
    for notes in sorted((ROOT / "docs" / "clinical-sources").glob("*.md")):
        assert f"clinical-sources/{notes.name}" in document, notes.name


def test_readme_documents_every_cli_command() -> None:
    from spinepath.cli import app

    readme = (ROOT / "README.md").read_text()
    names = [
        c.name or c.callback.__name__.replace("_", "-")  # type: ignore[union-attr]
        for c in app.registered_commands
    ] + [g.name for g in app.registered_groups]
    for name in names:
        assert f"spinepath {name}" in readme, name
