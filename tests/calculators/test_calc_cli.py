"""`spinepath calc`, run as a real subprocess: the stable command-line contract.

Exit 0 and one JSON object on success; exit 2 and ``{"errors": [{"field", "message"}]}`` for an
unknown name, unreadable or malformed input, or input with invalid fields (all of them named).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from spinepath.clinical.instruments.registry import INSTRUMENTS

CONSOLE = [str(Path(sys.executable).with_name("spinepath"))]
MODULE = [sys.executable, "-m", "spinepath.cli"]
ENTRY_POINTS = [pytest.param(CONSOLE, id="console-script"), pytest.param(MODULE, id="python-m")]

# 8 → 5: change 3 points, 3 ÷ 8 = 37.5 % (Farrar 2001: responder at ≥ 2 points or ≥ 30 %).
NRS_INPUT = {"baseline": 8, "follow_up": 5}
# Fairbank & Pynsent's worked example: 16 points of 50 = 32 %, moderate (21-40).
ODI_INPUT = {"sections": [3, 2, 2, 2, 2, 1, 1, 1, 1, 1]}


def calc(
    entry: list[str], *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*entry, "calc", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
        env={**os.environ, **(env or {})},
    )


def errors_of(done: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    assert done.returncode == 2, done.stdout + done.stderr
    printed = json.loads(done.stdout)
    assert set(printed) == {"errors"}
    for error in printed["errors"]:
        assert set(error) == {"field", "message"} and error["message"]
    return list(printed["errors"])


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_list_prints_every_calculator_name_one_a_line(entry: list[str]) -> None:
    done = calc(entry, "--list")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == list(INSTRUMENTS)
    assert len(done.stdout.splitlines()) == 9


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_input_from_a_file_prints_one_json_result(entry: list[str], tmp_path: Path) -> None:
    path = tmp_path / "odi.json"
    path.write_text(json.dumps(ODI_INPUT))
    done = calc(entry, "odi", "--input", str(path))
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout)  # one JSON object and nothing else on stdout
    assert result["instrument"] == "odi"
    assert result["edition"] == INSTRUMENTS["odi"].edition
    assert result["sources"] == list(INSTRUMENTS["odi"].source_ids)
    assert (result["score_percent"], result["answered"], result["band"]) == (32.0, 10, "moderate")


def test_short_option_reads_a_file_too(tmp_path: Path) -> None:
    path = tmp_path / "nrs.json"
    path.write_text(json.dumps(NRS_INPUT))
    done = calc(MODULE, "nrs_change", "-i", str(path))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["change"] == 3


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_input_from_standard_input(entry: list[str]) -> None:
    done = calc(entry, "nrs_change", stdin=json.dumps(NRS_INPUT))
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout)
    assert result["instrument"] == "nrs_change"
    assert (result["change"], result["percent_change"], result["responder"]) == (3, 37.5, True)


def test_output_is_plain_ascii_json_even_on_an_ascii_terminal() -> None:
    # The edition holds "≥"; it is escaped in the JSON, so an ASCII-only stdout cannot fail.
    done = calc(
        MODULE, "nrs_change", stdin=json.dumps(NRS_INPUT), env={"PYTHONIOENCODING": "ascii"}
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["edition"] == INSTRUMENTS["nrs_change"].edition
    assert "≥" in INSTRUMENTS["nrs_change"].edition


def test_invalid_input_exits_2_naming_every_bad_field() -> None:
    body = {"baseline": 11, "follow_up": "5", "pain_site": "back"}
    done = calc(CONSOLE, "nrs_change", stdin=json.dumps(body))
    fields = {error["field"]: error["message"] for error in errors_of(done)}
    assert set(fields) == {"baseline", "follow_up", "pain_site"}
    assert "10" in fields["baseline"]


def test_a_missing_required_field_is_named() -> None:
    done = calc(CONSOLE, "nrs_change", stdin='{"baseline": 4}')
    assert [error["field"] for error in errors_of(done)] == ["follow_up"]


@pytest.mark.parametrize(
    "text",
    ['{"baseline": 8, "follow_up": 5', "", "baseline=8", '{"baseline": NaN, "follow_up": 1}'],
    ids=["truncated", "empty", "not-json", "nan"],
)
def test_malformed_json_exits_2_with_a_named_error(text: str) -> None:
    done = calc(CONSOLE, "nrs_change", stdin=text)
    errors = errors_of(done)
    assert [error["field"] for error in errors] == ["(input)"]
    assert "JSON" in errors[0]["message"]


def test_json_that_is_not_an_object_is_refused() -> None:
    done = calc(CONSOLE, "odi", stdin="[3, 2, 2]")
    assert [error["field"] for error in errors_of(done)] == ["(input)"]


def test_an_unknown_name_exits_2_with_an_error_naming_the_known_ones() -> None:
    done = calc(CONSOLE, "apgar", stdin=json.dumps(NRS_INPUT))
    errors = errors_of(done)
    assert [error["field"] for error in errors] == ["name"]
    assert "apgar" in errors[0]["message"] and "news2" in errors[0]["message"]


def test_a_missing_input_file_exits_2_with_an_error() -> None:
    done = calc(CONSOLE, "odi", "--input", "/nonexistent/odi.json")
    assert [error["field"] for error in errors_of(done)] == ["--input"]


def test_no_name_and_no_list_exits_2_with_an_error() -> None:
    done = calc(CONSOLE)
    assert [error["field"] for error in errors_of(done)] == ["name"]
