"""Fixtures shared by the whole suite.

Storage and API tests take ``server`` (or ``clinic``) and so run twice: once on SQLite, once on
PostgreSQL, each behind a real uvicorn server reached over HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import ClinicUsers, LiveServer, make_clinic, postgres_database, start_server

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(scope="session", params=BACKENDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    backend: str = request.param
    data_dir = tmp_path_factory.mktemp(f"data-{backend}")
    if backend == "sqlite":
        live = start_server(f"sqlite:///{data_dir / 'spinepath.db'}", backend, str(data_dir))
        yield live
        live.stop()
    else:
        with postgres_database() as url:
            live = start_server(url, backend, str(data_dir))
            yield live
            live.stop()
            live.session_factory.kw["bind"].dispose()


@pytest.fixture(scope="session")
def sqlite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One SQLite-backed server for the browser tests."""
    data_dir = tmp_path_factory.mktemp("data-browser")
    live = start_server(f"sqlite:///{data_dir / 'spinepath.db'}", "sqlite", str(data_dir))
    yield live
    live.stop()


@pytest.fixture
def clinic(server: LiveServer) -> ClinicUsers:
    return make_clinic(server)


@pytest.fixture
def other_clinic(server: LiveServer) -> ClinicUsers:
    return make_clinic(server, time_zone="Europe/London")


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
