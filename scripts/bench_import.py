"""How fast is a bulk FHIR import, and how much memory does it take? Synthea records as NDJSON.

Builds a gzip NDJSON file of about --resources resources from the two Synthea patients in
../shared/fixtures (each copy gets new ids, identifiers and references, so every copy is a new
patient), then in a fresh process per run imports it into an empty clinic the way
`spinepath import` does, and again (a re-import: every fact unchanged). Reports resources per
second and the process's peak resident memory (ru_maxrss, the interpreter included).

Usage: .venv/bin/python scripts/bench_import.py [--resources 46000]
       [--database sqlite|postgres|both] [--json] [--workdir DIR]
PostgreSQL uses a fresh database on 127.0.0.1:5432 (user postgres), dropped afterwards.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT.parent / "shared" / "fixtures" / "synthea"
BUNDLES = (
    "Hallie_Hoeger_62a0b57c-4129-43d9-b787-bcf7ad4fa654.json.gz",
    "Lonnie_Von_28fbf0c8-5a9c-4781-b79f-f6118c3e2816.json.gz",
)
POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_URN = re.compile(r'"urn:uuid:([0-9a-f-]{36})"')


def _templates() -> list[tuple[list[str], dict[str, str]]]:
    """Each bundle's resources as NDJSON lines (urn: references as Type/id), and id → type."""
    found = []
    for name in BUNDLES:
        bundle = json.loads(gzip.decompress((FIXTURES / name).read_bytes()))
        types = {e["resource"]["id"]: e["resource"]["resourceType"] for e in bundle["entry"]}

        def typed(match: re.Match[str], types: dict[str, str] = types) -> str:
            return f'"{types.get(match.group(1), "Unknown")}/{match.group(1)}"'

        lines = [
            _URN.sub(typed, json.dumps(entry["resource"], separators=(",", ":")))
            for entry in bundle["entry"]
        ]
        found.append((lines, types))
    return found


def build_file(resources: int, directory: Path) -> tuple[Path, int]:
    """The NDJSON file (cached per size) and how many resources it holds."""
    templates = _templates()
    per_copy = sum(len(lines) for lines, _ in templates)
    copies = max(1, round(resources / per_copy))
    path = directory / f"synthea-{copies * per_copy}.ndjson.gz"
    if path.exists():
        return path, copies * per_copy
    with gzip.open(path, "wt", compresslevel=6) as out:
        for copy in range(copies):
            prefix = f"{copy:08x}"

            def renumber(match: re.Match[str], prefix: str = prefix) -> str:
                return prefix + match.group(0)[8:]

            for lines, _ in templates:
                for line in lines:
                    text = _UUID.sub(renumber, line)
                    if text.startswith('{"resourceType":"Patient"'):
                        patient = json.loads(text)
                        for identifier in patient.get("identifier", []):
                            identifier["value"] = f"{identifier['value']}-{copy}"
                        text = json.dumps(patient, separators=(",", ":"))
                    out.write(text + "\n")
    return path, copies * per_copy


@contextlib.contextmanager
def database(kind: str, directory: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{directory / f'import-{uuid.uuid4().hex[:8]}.db'}"
        return
    name = f"bench_import_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare(database_url: str) -> str:
    """Migrate and create a clinic with a coordinator; the coordinator's username."""
    from spinepath.accounts.models import Clinic, User, UserRole
    from spinepath.store.db import make_engine, make_session_factory
    from spinepath.store.migrate import upgrade

    upgrade(database_url)
    engine = make_engine(database_url)
    with make_session_factory(engine)() as session, session.begin():
        clinic = Clinic(name="Import Benchmark", slug="bench-import", time_zone="UTC")
        session.add(clinic)
        session.flush()
        session.add(
            User(
                clinic_id=clinic.id,
                username="importer",
                full_name="Importer",
                password_hash="x",
                role_rows=[UserRole(role="coordinator")],
            )
        )
    engine.dispose()
    return "importer"


def child(database_url: str, file: str) -> None:
    """One import in this process: prints seconds, peak memory and the report's figures."""
    from sqlalchemy import select

    from spinepath import wiring
    from spinepath.accounts import service as accounts
    from spinepath.accounts.models import User
    from spinepath.fhir import importer
    from spinepath.fhir.stream import ImportFile
    from spinepath.settings import Settings
    from spinepath.store.db import make_engine, make_session_factory
    from spinepath.unit_of_work import UnitOfWork

    wiring.install()
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    with UnitOfWork(factory) as work:
        user = work.session.scalars(select(User).where(User.username == "importer")).one()
        actor = accounts.actor_for(user, "bench")
        job = importer.submit(work.session, actor, [Path(file).name], source="bench")
    started = time.perf_counter()
    report = importer.run(
        factory,
        actor,
        job.id,
        [ImportFile(Path(file).name, path=Path(file), ndjson=True)],
        budget_bytes=Settings.max_import_inflated_bytes,
    )
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mb": peak_mb,
                "resources": report["input"]["resources"],
                "facts": {k: v for k, v in report["facts"].items() if k != "by_category"},
                "patients": len(report["patients"]),
            }
        )
    )


def _run_child(database_url: str, file: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", database_url, str(file)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def bench(kind: str, resources: int, directory: Path) -> dict[str, Any]:
    file, count = build_file(resources, directory)
    with database(kind, directory) as url:
        prepare(url)
        first = _run_child(url, file)
        again = _run_child(url, file)
    return {
        "database": kind,
        "resources": count,
        "file_mb": round(file.stat().st_size / 1e6, 1),
        "first": first,
        "again": again,
        "first_per_second": round(count / first["seconds"]),
        "again_per_second": round(count / again["seconds"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=46000)
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help="where to keep the generated files (default: temp)")
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    kinds = ("sqlite", "postgres") if args.database == "both" else (args.database,)
    with contextlib.ExitStack() as stack:
        directory = (
            Path(args.workdir)
            if args.workdir
            else Path(stack.enter_context(tempfile.TemporaryDirectory()))
        )
        directory.mkdir(parents=True, exist_ok=True)
        results = [bench(kind, args.resources, directory) for kind in kinds]
    if args.json:
        print(json.dumps(results))
        return
    print(
        f"{'database':<10} {'resources':>9} {'gz MB':>6} {'import s':>9} {'res/s':>8} "
        f"{'peak MB':>8} {'again s':>8} {'res/s':>8} {'peak MB':>8}"
    )
    for r in results:
        print(
            f"{r['database']:<10} {r['resources']:>9} {r['file_mb']:>6} "
            f"{r['first']['seconds']:>9.2f} {r['first_per_second']:>8} "
            f"{r['first']['peak_mb']:>8.0f} {r['again']['seconds']:>8.2f} "
            f"{r['again_per_second']:>8} {r['again']['peak_mb']:>8.0f}"
        )


if __name__ == "__main__":
    main()
