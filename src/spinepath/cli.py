"""The spinepath command line. Command names and options are a stable contract (see README)."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn

from spinepath.settings import Settings

app = typer.Typer(
    help="spinepath: care pathway for vertebral compression fracture.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="Database commands.", no_args_is_help=True)
user_app = typer.Typer(help="User accounts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")

err = Console(stderr=True)


@app.callback()
def _start() -> None:
    # Every command runs its use cases with the domains' reactions wired in.
    from spinepath import wiring

    wiring.install()


def _settings() -> Settings:
    return Settings.from_env()


def _migrate(settings: Settings) -> None:
    from spinepath.store.migrate import upgrade

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=err) as bar:
        bar.add_task("Migrating the database…", total=None)
        upgrade(settings.database_url)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply all database migrations (SPINEPATH_DATABASE_URL chooses the database)."""
    settings = _settings()
    _migrate(settings)
    err.print("Database is up to date.")


def _serve(settings: Settings, host: str, port: int, workers: int = 1) -> None:
    import uvicorn

    from spinepath.api.app import create_app
    from spinepath.serving import PROTOCOL

    # Several workers each build their own app from the same environment (the secret key file
    # already exists: _settings() created it before the workers start).
    app_or_factory = create_app(settings) if workers == 1 else "spinepath.api.app:create_app"
    uvicorn.run(
        app_or_factory,
        factory=workers > 1,
        workers=workers,
        host=host,
        port=port,
        http=PROTOCOL,
        log_level="info",
        access_log=False,
    )


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Worker processes (one per CPU core is usual).")
    ] = 1,
) -> None:
    """Serve the web pages and the API (run `spinepath db upgrade` first)."""
    from spinepath.store.migrate import is_up_to_date

    settings = _settings()
    if not is_up_to_date(settings.database_url):
        err.print("[red]The database needs migrating: run `spinepath db upgrade`.[/red]")
        raise typer.Exit(1)
    err.print(f"spinepath listening on http://{host}:{port}/ ({workers} worker(s))")
    _serve(settings, host, port, workers)


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
) -> None:
    """Migrate, load the demo clinic (once) and serve it."""
    from spinepath.devdata.clinic import DEMO_CLINIC, load_demo
    from spinepath.store.db import make_engine, make_session_factory

    settings = _settings()
    _migrate(settings)
    engine = make_engine(settings.database_url)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=err) as bar:
        task = bar.add_task("Loading the demo clinic…", total=None)
        users = load_demo(
            make_session_factory(engine),
            progress=lambda text: bar.update(task, description=f"Loading the demo clinic: {text}"),
        )
    engine.dispose()
    url = f"http://{host}:{port}/"
    print(f"\nspinepath demo ({DEMO_CLINIC.name}) is starting at {url}")
    print(f"Database: {settings.database_url}")
    print("Demo logins (username / password):")
    for user in users:
        print(f"  {user.role.value:<13} {user.username:<15} {user.password}")
    print(f"API documentation: {url}api/v1/docs")
    # The demo answers CDS Hooks calls without a JWT (development mode, explicit and logged).
    settings = dataclasses.replace(
        settings,
        cds_dev_mode=True,
        cds_dev_clinic=settings.cds_dev_clinic or DEMO_CLINIC.slug,
    )
    print(f"CDS Hooks (development mode, no JWT): {url}cds-services\n", flush=True)
    _serve(settings, host, port)


@user_app.command("create")
def user_create(
    username: Annotated[str, typer.Option(help="Login name.")],
    full_name: Annotated[str, typer.Option(help="Name shown to others.")],
    role: Annotated[list[str], typer.Option(help="Role (repeatable).")],
    clinic: Annotated[str, typer.Option(help="Clinic short name (slug).")],
    clinic_name: Annotated[
        str | None, typer.Option(help="Create the clinic with this name if it does not exist.")
    ] = None,
    time_zone: Annotated[str, typer.Option(help="Time zone of a new clinic.")] = "UTC",
    email: Annotated[str | None, typer.Option()] = None,
    password: Annotated[
        str | None,
        typer.Option(help="Password (asked for when not given).", envvar="SPINEPATH_PASSWORD"),
    ] = None,
) -> None:
    """Create a user (and its clinic, with --clinic-name)."""
    from spinepath.accounts import service as accounts
    from spinepath.accounts.schemas import ClinicIn, UserIn
    from spinepath.clinical.errors import InvalidInput, parse_input
    from spinepath.context import SYSTEM
    from spinepath.store.db import make_engine, make_session_factory
    from spinepath.unit_of_work import UnitOfWork

    settings = _settings()
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    engine = make_engine(settings.database_url)
    try:
        with UnitOfWork(make_session_factory(engine)) as work:
            session = work.session
            found = accounts.clinic_by_slug(session, clinic)
            if found is None:
                if clinic_name is None:
                    _fail(
                        {
                            "errors": [
                                {
                                    "field": "clinic",
                                    "message": "no such clinic; give --clinic-name to create it",
                                }
                            ]
                        }
                    )
                found = accounts.create_clinic(
                    session,
                    parse_input(
                        ClinicIn, {"name": clinic_name, "slug": clinic, "time_zone": time_zone}
                    ),
                )
            data = parse_input(
                UserIn,
                {
                    "username": username,
                    "full_name": full_name,
                    "email": email,
                    "password": password,
                    "roles": role,
                },
            )
            user = accounts.create_user(session, SYSTEM, found, data)
            err.print(f"Created {user.username} ({', '.join(sorted(user.roles))}) in {found.name}.")
    except InvalidInput as invalid:
        _fail(invalid.as_dict())
    finally:
        engine.dispose()


@app.command()
def openapi() -> None:
    """Print the OpenAPI document of the JSON API."""
    from spinepath.api.app import create_app

    settings = Settings(database_url="sqlite://", secret_key="unused")  # noqa: S106
    print(json.dumps(create_app(settings).openapi(), indent=2))


@app.command()
def calc(
    name: Annotated[
        str | None, typer.Argument(help="Calculator name (see --list), e.g. news2.")
    ] = None,
    input_file: Annotated[
        Path | None,
        typer.Option(
            "--input", "-i", help="JSON file with the input (standard input when not given)."
        ),
    ] = None,
    list_names: Annotated[
        bool, typer.Option("--list", help="List the calculator names, one a line.")
    ] = False,
) -> None:
    """Run a clinical calculator on JSON input and print its result as one JSON object.

    Exit 0 with the result; exit 2 with a JSON object of errors, each naming a bad field.
    """
    from spinepath.calculators import service
    from spinepath.clinical.errors import InvalidInput

    if list_names:
        for known in service.names():
            print(known)
        return
    if name is None:
        _fail({"errors": [{"field": "name", "message": "give a calculator name, or --list"}]})
        return
    try:
        service.get_calculator(name)  # an unknown name fails before any input is read
    except service.UnknownCalculator as unknown:
        _fail({"errors": [{"field": "name", "message": unknown.detail}]})
    try:
        text = input_file.read_bytes() if input_file is not None else sys.stdin.buffer.read()
    except OSError as error:
        _fail({"errors": [{"field": "--input", "message": f"cannot read it: {error.strerror}"}]})
        return
    try:
        result = service.run_calculator_json(name, text)
    except InvalidInput as invalid:
        _fail(invalid.as_dict())
        return
    print(json.dumps(result, indent=2))


@app.command()
def assess(
    input_file: Annotated[
        Path | None,
        typer.Option(
            "--input", "-i", help="JSON file with the case (standard input when not given)."
        ),
    ] = None,
    criteria_set: Annotated[
        list[str] | None,
        typer.Option(
            "--criteria-set", help="Criteria set to apply (repeatable); every set when not given."
        ),
    ] = None,
) -> None:
    """Assess candidacy for vertebral augmentation: a case in, one JSON object out.

    Exit 0 with the result; exit 2 with {"errors": [...]}, each naming a bad field.
    """
    from spinepath.assessments import service
    from spinepath.clinical.errors import InvalidInput

    try:
        text = input_file.read_bytes() if input_file is not None else sys.stdin.buffer.read()
    except OSError as error:
        _fail({"errors": [{"field": "--input", "message": f"cannot read it: {error.strerror}"}]})
        return
    try:
        result = service.evaluate_json(text, criteria_set or None)
    except InvalidInput as invalid:
        _fail(invalid.as_dict())
        return
    print(json.dumps(result, indent=2))


@app.command()
def prep(
    input_file: Annotated[
        Path | None,
        typer.Option(
            "--input", "-i", help="JSON file with the plan input (standard input when not given)."
        ),
    ] = None,
) -> None:
    """Compute a preparation plan (medicine holds, labs, fasting) and print it as one JSON object.

    The procedure must lie ahead of the current time. Exit 0 with the plan; exit 2 with a JSON
    object of errors, each naming a bad field.
    """
    from spinepath.clinical.errors import InvalidInput
    from spinepath.preparation import service as preparation

    try:
        text = input_file.read_bytes() if input_file is not None else sys.stdin.buffer.read()
    except OSError as error:
        _fail({"errors": [{"field": "--input", "message": f"cannot read it: {error.strerror}"}]})
        return
    try:
        plan = preparation.compute_plan_json(text)
    except InvalidInput as invalid:
        _fail(invalid.as_dict())
        return
    print(json.dumps(plan, indent=2))


@app.command("import")
def import_fhir(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="FHIR R4 Bundles (.json, .json.gz) or Bulk Data NDJSON files (.ndjson, "
            ".ndjson.gz); several files are one import."
        ),
    ],
    user: Annotated[
        str,
        typer.Option(
            "--user",
            envvar="SPINEPATH_USER",
            help="The user the import is made as (their clinic receives the patients).",
        ),
    ],
    source: Annotated[
        str,
        typer.Option(help="Where the data comes from (e.g. the sending FHIR server's base URL)."),
    ] = "",
) -> None:
    """Import FHIR data: create or update patients and the facts spinepath uses.

    Prints the import report as JSON. A malformed file is refused whole (exit 2, nothing
    imported); importing the same data again changes nothing.
    """
    from rich.progress import BarColumn, MofNCompleteColumn
    from sqlalchemy import select

    from spinepath.accounts import service as accounts
    from spinepath.accounts.models import User
    from spinepath.clinical.errors import InvalidInput
    from spinepath.errors import DomainError
    from spinepath.fhir import importer
    from spinepath.fhir.stream import ImportFile
    from spinepath.store.db import make_engine, make_session_factory
    from spinepath.unit_of_work import UnitOfWork

    settings = _settings()
    inputs = []
    for path in files:
        if not path.is_file():
            _fail({"errors": [{"field": str(path), "message": "cannot read it: no such file"}]})
            return
        lowered = path.name.lower()
        ndjson = True if lowered.endswith((".ndjson", ".ndjson.gz")) else None
        if lowered.endswith((".json", ".json.gz")):
            ndjson = False
        inputs.append(ImportFile(path.name, path=path, ndjson=ndjson))
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    try:
        with UnitOfWork(factory) as work:
            session = work.session
            found = session.scalar(select(User).where(User.username == user.strip().lower()))
            if found is None or not found.active:
                _fail({"errors": [{"field": "--user", "message": "no such active user"}]})
                return
            actor = work.actor = accounts.actor_for(found, "cli")
            job = importer.submit(session, actor, [f.name for f in inputs], source=source)
            job_id = job.id
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=err,
        ) as bar:
            task = bar.add_task("Reading", total=None)

            def progress(stage: str, done: int, total: int) -> None:
                bar.update(
                    task, description=stage.capitalize(), completed=done, total=total or None
                )

            report = importer.run(
                factory,
                actor,
                job_id,
                inputs,
                budget_bytes=settings.max_import_inflated_bytes,
                progress=progress,
            )
    except InvalidInput as invalid:
        _fail(invalid.as_dict())
        return
    except DomainError as refused:
        _fail({"errors": [{"field": "--user", "message": refused.detail}]})
        return
    finally:
        engine.dispose()
    print(json.dumps(report, indent=2))


@app.command()
def worker(
    once: Annotated[
        bool, typer.Option("--once", help="Send every reminder that is due, then stop.")
    ] = False,
    poll_seconds: Annotated[
        float, typer.Option(help="Seconds to wait when no reminder is due.")
    ] = 5.0,
) -> None:
    """Send reminder emails from the database queue (SPINEPATH_SMTP_HOST/PORT choose the server).

    Several workers may run at once: each reminder is claimed by one of them and sent once.
    """
    import signal
    import threading

    from spinepath.follow_up.worker import default_worker_id, run_worker
    from spinepath.store.migrate import is_up_to_date

    settings = _settings()
    if not is_up_to_date(settings.database_url):
        err.print("[red]The database needs migrating: run `spinepath db upgrade`.[/red]")
        raise typer.Exit(1)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    worker_id = default_worker_id()
    err.print(f"Worker {worker_id} sending through {settings.smtp_host}:{settings.smtp_port}.")
    stats = run_worker(
        settings, once=once, poll_seconds=poll_seconds, worker_id=worker_id, stop=stop
    )
    print(
        json.dumps(
            {
                "worker": worker_id,
                "sent": stats.sent,
                "retried": stats.retried,
                "failed": stats.failed,
                "skipped": stats.skipped,
            }
        ),
        flush=True,
    )


def _fail(errors: dict[str, Any]) -> None:
    print(json.dumps(errors, indent=2))
    raise typer.Exit(2)


def read_json_input(path: Path | None) -> Any:
    """JSON from --input FILE, or from standard input when no file is given."""
    from spinepath import jsonread

    text = path.read_text() if path is not None else sys.stdin.read()
    return jsonread.loads(text, field="--input", max_bytes=None)


if __name__ == "__main__":
    app()
