"""Every benchmark in one run, one table: CDS Hooks, the outcome report, the recovery board and
the bulk FHIR import, so a release can be compared with the last.

Runs each script in its own process, one after another (never at the same time: they would
measure each other), with --json, and prints one row per figure with the ratio the goal is
stated in. ``--save FILE`` keeps the results; ``--against FILE`` adds a column comparing each
figure with an earlier run's (new / old: above 1 is slower or bigger, for seconds and memory;
for rates it is the other way round, and the column says which is better).

    .venv/bin/python scripts/bench_all.py [--quick] [--database sqlite|postgres|both]
        [--only cds report board import] [--save results.json] [--against previous.json]

``--quick`` uses smaller sizes (about 5 minutes on 2 cores); the full run takes about 30. On
PostgreSQL the CDS benchmark runs with one server process and again with two.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

SCRIPTS = Path(__file__).resolve().parent
PYTHON = sys.executable


def _run(script: str, *args: str) -> Any:
    command = [PYTHON, str(SCRIPTS / script), *args, "--json"]
    print("$ " + " ".join(["python", f"scripts/{script}", *args, "--json"]), file=sys.stderr)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0 and not done.stdout.strip():
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"{script} failed (exit {done.returncode})")
    print(f"  ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    printed = done.stdout.strip()
    try:  # the whole output is the JSON (bench_cds.py indents it) ...
        return json.loads(printed)
    except json.JSONDecodeError:  # ... or its last line, after progress lines
        return json.loads(printed.splitlines()[-1])


Row = tuple[str, str, float, str, bool]  # benchmark, figure, value, unit, higher is better


def cds_rows(database: str, quick: bool) -> list[Row]:
    """One server process; on PostgreSQL also two (the JWT-id check holds across processes)."""
    args = ["--requests", "500" if quick else "2000", "--seconds", "30" if quick else "60"]
    if database != "postgres":
        return _cds_run(database, args, workers=1)
    args.append("--postgres")
    return _cds_run(database, args, workers=1) + _cds_run(database, args, workers=2)


def _cds_run(database: str, args: list[str], *, workers: int) -> list[Row]:
    found = _run("bench_cds.py", *args, *(["--workers", str(workers)] if workers > 1 else []))
    rows = {row["key"]: row for row in found["results"]}
    name = f"cds ({database}, {workers} process{'es' if workers > 1 else ''})"
    out: list[Row] = [
        (name, "no-op p99, 20 clients", rows["noop"]["p99_ms"], "ms", False),
        (name, "order-select p99, 20 clients", rows["order_select"]["p99_ms"], "ms", False),
        (name, "order-select p99 / no-op p99", found["ratios"]["p99_order_select_over_noop"],
         "×", False),
        (name, "order-select requests/s", rows["order_select"]["requests_per_second"], "/s",
         True),
        (name, "order-select p50, 1 client", rows["order_select_1_client"]["p50_ms"], "ms",
         False),
        (name, "no-op p50, 1 client", rows["noop_1_client"]["p50_ms"], "ms", False),
    ]  # fmt: skip
    return out


def report_rows(database: str, quick: bool) -> list[Row]:
    episodes = "10000" if quick else "100000"
    found = _run("bench_report.py", "--episodes", episodes, "--runs", "5", "--database", database)
    [run] = found["runs"]
    return [
        (f"report ({database}, {int(episodes):,} episodes)", r["endpoint"], r["median_ms"], "ms",
         False)
        for r in run["results"]
    ]  # fmt: skip


def board_rows(database: str, quick: bool) -> list[Row]:
    args = ["--requests", "100" if quick else "200"]
    if database == "postgres":
        return []  # the board benchmark takes --database-url; SQLite is the figure kept
    found = _run("bench_recovery_board.py", *args)
    name = f"recovery board ({found['database']}, {found['patients']} patients)"
    return [
        (name, r["endpoint"] + " median", r["median_ms"], "ms", False) for r in found["results"]
    ]


def import_rows(database: str, quick: bool) -> list[Row]:
    rows: list[Row] = []
    for resources in ("46000",) if quick else ("46000", "460000"):
        [found] = _run(
            "bench_import.py", "--resources", resources, "--database", database,
            "--workdir", "/tmp/spinepath-bench-import",
        )  # fmt: skip
        name = f"import ({database}, {found['resources']:,} resources)"
        rows += [
            (name, "resources/s", found["first_per_second"], "/s", True),
            (name, "peak memory", round(found["first"]["peak_mb"]), "MB", False),
            (name, "re-import resources/s", found["again_per_second"], "/s", True),
        ]
    return rows


def compare(value: float, before: float | None, higher_is_better: bool) -> str:
    if not before:
        return ""
    change = value / before
    better = change > 1 if higher_is_better else change < 1
    return f"{change:.2f} ({'better' if better else 'worse' if change != 1 else 'same'})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--save", type=Path)
    parser.add_argument("--against", type=Path)
    parser.add_argument(
        "--only", nargs="*", choices=("cds", "report", "board", "import"), default=None
    )
    args = parser.parse_args()
    kinds = ("sqlite", "postgres") if args.database == "both" else (args.database,)
    wanted = args.only or ["cds", "report", "board", "import"]
    makers = {"cds": cds_rows, "report": report_rows, "board": board_rows, "import": import_rows}
    rows: list[Row] = []
    for database in kinds:
        for name in wanted:
            rows += makers[name](database, args.quick)
    before: dict[str, float] = {}
    if args.against:
        earlier = json.loads(args.against.read_text())
        before = {f"{r['benchmark']}|{r['figure']}": r["value"] for r in earlier["rows"]}
    width = max(len(f"{b}: {f}") for b, f, *_ in rows) + 2
    header = f"{'benchmark: figure':<{width}} {'value':>10}  unit"
    print(header + ("  vs earlier" if before else ""))
    for benchmark, figure, value, unit, higher in rows:
        shown = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"
        line = f"{benchmark + ': ' + figure:<{width}} {shown:>10}  {unit:<4}"
        if before:
            line += "  " + compare(value, before.get(f"{benchmark}|{figure}"), higher)
        print(line)
    print(
        f"\n{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    if args.save:
        saved = [
            {"benchmark": b, "figure": f, "value": v, "unit": u, "higher_is_better": h}
            for b, f, v, u, h in rows
        ]
        args.save.write_text(json.dumps({"rows": saved}, indent=2))


if __name__ == "__main__":
    main()
