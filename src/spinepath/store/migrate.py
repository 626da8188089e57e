"""Run Alembic migrations from code (the CLI and the demo call this)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from spinepath.store.db import make_engine, normalise_url

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser treats % specially; URLs may contain %-escapes in passwords.
    config.set_main_option("sqlalchemy.url", normalise_url(database_url).replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "heads") -> None:
    if database_url.startswith("sqlite:///"):
        Path(database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(database_url), revision)


def pending_revisions(engine: Engine, database_url: str) -> bool:
    script = ScriptDirectory.from_config(alembic_config(database_url))
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
    return set(current) != set(script.get_heads())


def is_up_to_date(database_url: str) -> bool:
    engine = make_engine(database_url)
    try:
        return not pending_revisions(engine, database_url)
    finally:
        engine.dispose()
