"""Migrations build the schema the models describe, on both databases; audit is append-only."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from spinepath.accounts.roles import Role
from spinepath.store.migrate import is_up_to_date, upgrade
from spinepath.store.models import Base
from tests.support import LiveServer


def test_migrated_schema_matches_the_models(server: LiveServer) -> None:
    engine = server.session_factory.kw["bind"]
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_upgrade_twice_is_harmless_and_reports_up_to_date(server: LiveServer) -> None:
    upgrade(server.database_url)
    assert is_up_to_date(server.database_url)


def test_a_new_database_is_not_up_to_date_until_upgraded(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert not is_up_to_date(url)
    upgrade(url)
    assert is_up_to_date(url)


def test_sqlite_runs_in_wal_mode_with_foreign_keys(server: LiveServer) -> None:
    if server.backend != "sqlite":
        pytest.skip("SQLite pragmas")
    with server.session_factory() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_events SET outcome = 'tampered'", "DELETE FROM audit_events"],
)
def test_the_database_refuses_to_change_audit_events(server: LiveServer, clinic, statement) -> None:  # type: ignore[no-untyped-def]
    clinic.token(Role.NURSE)  # logging in writes an audit event
    with server.session_factory() as session:
        count = session.execute(text("SELECT count(*) FROM audit_events")).scalar()
        assert count and count > 0
        with pytest.raises(DBAPIError, match="append-only"):
            session.execute(text(statement))
            session.flush()
        session.rollback()
        assert session.execute(text("SELECT count(*) FROM audit_events")).scalar() >= count


def test_the_migrations_have_one_head() -> None:
    from alembic.script import ScriptDirectory

    from spinepath.store.migrate import alembic_config

    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert heads == ["0015"]
