"""Database fixtures (a pytest plugin registered in tests/conftest.py).

``db_url`` runs a test twice: on a fresh SQLite file, and on PostgreSQL in a fresh schema when
``APO_TEST_POSTGRES_URL`` is set (skipped with the reason otherwise). The PostgreSQL URL carries
the schema in its query (``?options=-csearch_path%3D<schema>``), so anything that builds its own
engine from the URL string alone — the app, a CLI subprocess — lands in the same schema.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from bot.storage.db import create_db_engine, new_session, parse_database_url
from bot.storage.migrate import upgrade

POSTGRES_ENV = "APO_TEST_POSTGRES_URL"


def postgres_base_url() -> str:
    """The server the PostgreSQL variants use, or a skip saying how to enable them."""
    url = os.environ.get(POSTGRES_ENV, "").strip()
    if not url:
        pytest.skip(f"{POSTGRES_ENV} is not set; PostgreSQL tests skipped")
    return url


def _admin_engine(base_url: str) -> Engine:
    # NullPool: nothing stays connected to the server once a fixture is done with it.
    return sa.create_engine(parse_database_url(base_url), poolclass=NullPool)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL whose connections use a new, empty schema, dropped (CASCADE) afterwards."""
    base_url = postgres_base_url()
    schema = f"apo_test_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine(base_url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    # application_name marks this test's connections so teardown can end any that leaked.
    url = admin.url.update_query_dict(
        {"options": f"-csearch_path={schema}", "application_name": schema}
    )
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = :name AND pid <> pg_backend_pid()"
                ),
                {"name": schema},
            )
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per session (per worker): copying it gives a test
    the database a fresh upgrade would, without running every migration again."""
    path = tmp_path_factory.mktemp("migrated") / "apo.db"
    upgrade(f"sqlite:///{path}")
    # The engine is disposed, so WAL has been checkpointed into the file: one file to copy.
    assert not path.with_name(path.name + "-wal").exists()
    return path


def copy_migrated_sqlite(template: Path, url: str) -> None:
    """Put a copy of the migrated template where the SQLite `url` points."""
    target = Path(url.removeprefix("sqlite:///"))
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, target)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file in a folder that does not exist yet (the engine creates it)."""
    return f"sqlite:///{tmp_path / 'db' / 'apo.db'}"


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def db_url(request: pytest.FixtureRequest) -> str:
    """An empty database: SQLite file, or a fresh PostgreSQL schema (not migrated)."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def migrated_url(db_url: str, migrated_sqlite_template: Path) -> str:
    """``db_url`` upgraded to the newest migration (SQLite: a copy of the migrated template)."""
    if db_url.startswith("sqlite:///"):
        copy_migrated_sqlite(migrated_sqlite_template, db_url)
    else:
        upgrade(db_url)
    return db_url


@pytest.fixture
def migrated_engine(migrated_url: str) -> Iterator[Engine]:
    """An engine on the migrated database, disposed after the test."""
    engine = create_db_engine(migrated_url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def db_session(migrated_engine: Engine) -> Iterator[Session]:
    """A session on the migrated database; the test commits what it wants others to see."""
    session = new_session(migrated_engine)
    try:
        yield session
    finally:
        session.close()
