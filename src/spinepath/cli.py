"""The spinepath command line. Command names and options are a stable contract (see README)."""

from __future__ import annotations

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


def _serve(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    from spinepath.api.app import create_app

    uvicorn.run(create_app(settings), host=host, port=port, log_level="info", access_log=False)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the web pages and the API (run `spinepath db upgrade` first)."""
    from spinepath.store.migrate import is_up_to_date

    settings = _settings()
    if not is_up_to_date(settings.database_url):
        err.print("[red]The database needs migrating: run `spinepath db upgrade`.[/red]")
        raise typer.Exit(1)
    err.print(f"spinepath listening on http://{host}:{port}/")
    _serve(settings, host, port)


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
) -> None:
    """Migrate, load the demo clinic (once) and serve it."""
    from spinepath.demo import DEMO_CLINIC, load_demo
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
    print(f"API documentation: {url}api/v1/docs\n", flush=True)
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
    from spinepath.store.db import make_engine, make_session_factory, transaction

    settings = _settings()
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    engine = make_engine(settings.database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
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
def openapi() -> None:
    """Print the OpenAPI document of the JSON API."""
    from spinepath.api.app import create_app

    settings = Settings(database_url="sqlite://", secret_key="unused")  # noqa: S106
    print(json.dumps(create_app(settings).openapi(), indent=2))


def _fail(errors: dict[str, Any]) -> None:
    print(json.dumps(errors, indent=2))
    raise typer.Exit(2)


def read_json_input(path: Path | None) -> Any:
    """JSON from --input FILE, or from standard input when no file is given."""
    text = path.read_text() if path is not None else sys.stdin.read()
    return json.loads(text)


if __name__ == "__main__":
    app()
