"""Storage faults: a SQLite database locked by another process for a moment, PostgreSQL
connections killed mid-run, the Chroma server down. The user's work goes through or gets a
clear message; nothing is lost or stored twice."""

from __future__ import annotations

import socket
import sqlite3
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from bot.domain import MessageRef
from bot.storage.db import Database, parse_database_url
from bot.storage.digest_store import SqlDigestStore
from bot.storage.migrate import upgrade
from bot.storage.projects import upsert_project
from tests.digest_e2e import post_digest
from tests.fixtures_db import copy_migrated_sqlite
from tests.harness.app_server import TEAM_CHANNEL, RunningBot
from tests.story_e2e import batch, cards, final_batch_update, story

TEXT = "Started on the credit note screen today, blocked on the VAT rate."


def collected(db: Database) -> list[str]:
    with db.engine.connect() as conn:
        return [r[0] for r in conn.execute(sa.text("SELECT text FROM channel_message"))]


@pytest.fixture
def sqlite_db(tmp_path: Path, migrated_sqlite_template: Path) -> Iterator[tuple[Database, Path]]:
    path = tmp_path / "apo.db"
    copy_migrated_sqlite(migrated_sqlite_template, f"sqlite:///{path}")
    db = Database(f"sqlite:///{path}")
    with db.session() as session:
        upsert_project("acme", "Acme", language="en", session=session)
    yield db, path
    db.dispose()


def test_a_sqlite_database_locked_for_a_moment_is_waited_for(
    sqlite_db: tuple[Database, Path],
) -> None:
    db, path = sqlite_db
    other = sqlite3.connect(path, check_same_thread=False)  # another process's writer
    other.execute("BEGIN IMMEDIATE")
    release = threading.Timer(1.0, other.commit)  # holds the write lock for a second
    release.start()

    kept = SqlDigestStore(db).collect(
        "acme", MessageRef(TEAM_CHANNEL, "1.000100"), TEXT, user_id="U0DEV", thread_ts=None,
        permalink=None,
    )  # fmt: skip

    release.join()
    other.close()
    assert kept and collected(db) == [TEXT]  # waited (busy_timeout), stored once


@pytest.mark.postgres
def test_postgres_connections_killed_mid_run_are_replaced(postgres_url: str) -> None:
    upgrade(postgres_url)
    db = Database(postgres_url)
    store = SqlDigestStore(db)
    with db.session() as session:
        upsert_project("acme", "Acme", language="en", session=session)
    assert store.collect("acme", MessageRef(TEAM_CHANNEL, "1.1"), TEXT, user_id=None,
                         thread_ts=None, permalink=None)  # fmt: skip
    name = parse_database_url(postgres_url).query["application_name"]
    admin = sa.create_engine(parse_database_url(postgres_url), poolclass=NullPool)
    with admin.begin() as conn:  # a restart or failover: every pooled connection dies
        killed = conn.execute(
            sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = :name AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        ).scalar()
    admin.dispose()
    assert killed and killed >= 1

    again = store.collect("acme", MessageRef(TEAM_CHANNEL, "1.2"), f"{TEXT} Again.",
                          user_id=None, thread_ts=None, permalink=None)  # fmt: skip

    assert again and sorted(collected(db)) == [TEXT, f"{TEXT} Again."]  # none lost or doubled
    db.dispose()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.bot_settings(CHROMA_URL=f"http://127.0.0.1:{_closed_port()}")
def test_with_the_chroma_server_down_answers_say_so_and_drafting_still_works(
    running_bot: RunningBot,
) -> None:
    running_bot.openai.queue_json(
        batch(story("Export invoices", "to export invoices to PDF", ["export invoices"]))
    )
    running_bot.signer.command(
        "/story", "The accountant wants to export invoices to PDF.", channel_id=TEAM_CHANNEL
    )
    cards(running_bot, 1)
    final_batch_update(running_bot)

    running_bot.signer.app_mention(
        "What is the payment deadline for invoices?", channel=TEAM_CHANNEL, user="U0DEV"
    )
    [reply] = running_bot.slack.wait_for(
        "chat.update",
        timeout=20,
        predicate=lambda c: "knowledge base is not reachable" in str(c.args.get("text")),
    )
    assert "reference" not in reply.args["text"]
    # The operator's fix (the server's address, CHROMA_URL) is not the asker's business.
    assert "CHROMA_URL" not in reply.args["text"] and "127.0.0.1" not in reply.args["text"]
    # Digests read the database only: the morning handover still goes out.
    assert post_digest(running_bot, "team", date.today()) is not None
    running_bot.wait_until_idle()
