"""The shape of the code the tests hold to: import contracts, module size, no string imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from spinepath.clinical.sources import catalogue

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src" / "spinepath"
MOST_LINES = 800


def test_the_import_contracts_are_kept() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_no_module_is_over_800_lines() -> None:
    too_long = {
        str(path.relative_to(SOURCE)): lines
        for path in SOURCE.rglob("*.py")
        if "migrations" not in path.parts
        and (lines := len(path.read_text().splitlines())) > MOST_LINES
    }
    assert too_long == {}


def test_no_module_imports_another_by_name_outside_the_migrations() -> None:
    users = [
        str(path.relative_to(SOURCE))
        for path in SOURCE.rglob("*.py")
        if "migrations" not in path.parts and "importlib" in path.read_text()
    ]
    assert users == []


def test_every_source_area_module_is_in_the_catalogue() -> None:
    areas = {
        path.stem
        for path in (SOURCE / "clinical" / "sources").glob("*.py")
        if path.stem not in {"__init__", "catalogue"}
    }
    assert {module.__name__.rsplit(".", 1)[1] for module in catalogue._AREAS} == areas
