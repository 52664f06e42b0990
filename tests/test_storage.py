"""Storage layer on real databases: SQLite always, PostgreSQL when APO_TEST_POSTGRES_URL is set."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TypeVar, cast
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, func, select

from bot.domain.stories import Criterion, StoryContent
from bot.errors import ConfigError, NotFound
from bot.storage.db import create_db_engine, session_scope
from bot.storage.decisions import (
    AlreadySuperseded,
    add_decision,
    get_decision,
    list_decisions,
    supersede,
)
from bot.storage.digest_claims import (
    claim_digest,
    get_digest,
    last_posted_digest,
    mark_digest_failed,
    mark_digest_posted,
)
from bot.storage.events import mark_event_processed, prune_processed_events
from bot.storage.messages import add_channel_message, list_channel_messages
from bot.storage.migrate import current_revision, head_revision, upgrade
from bot.storage.models import LLMCall, MeetingNote, ProcessedEvent
from bot.storage.notes import get_note, note_dedupe_key, save_meeting_note, start_drafting
from bot.storage.projects import upsert_project
from bot.storage.questions import (
    add_question,
    answer_question,
    open_questions,
    record_answer_feedback,
)
from bot.storage.reviews import AlreadyDecided, decide_story, edit_story, list_review_events
from bot.storage.stories import add_stories, get_story, list_criteria
from bot.storage.types import (
    DecisionOrigin,
    DigestSide,
    DigestStatus,
    FeedbackVerdict,
    NoteSource,
    QuestionStatus,
    ReviewAction,
    StoryStatus,
)
from bot.storage.usage import record_llm_call

T = TypeVar("T")
BANGKOK = ZoneInfo("Asia/Bangkok")


# --- helpers -------------------------------------------------------------------------------


@contextmanager
def engines(url: str, count: int) -> Iterator[list[Engine]]:
    """Independent engines on one database, as separate replicas would have."""
    made = [create_db_engine(url) for _ in range(count)]
    try:
        yield made
    finally:
        for engine in made:
            engine.dispose()


def run_together(*calls: Callable[[], T]) -> list[T]:
    """Start the calls on threads released at the same instant; return their results."""
    barrier = threading.Barrier(len(calls))
    results: list[T | None] = [None] * len(calls)
    errors: list[BaseException] = []

    def work(index: int, call: Callable[[], T]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a concurrent call hung"
    if errors:
        raise errors[0]
    return cast(list[T], results)


def add_project(engine: Engine, key: str = "acme") -> None:
    with session_scope(engine) as s:
        upsert_project(key, key.title(), language="en", session=s)


def add_note_with_stories(engine: Engine) -> list[int]:
    add_project(engine)
    drafts = [
        StoryContent(
            title="Export invoices",
            role="finance manager",
            goal="export the month's invoices as CSV",
            benefit="I can close the books",
            criteria=(Criterion("a closed month", "I click Export", "a CSV downloads"),),
            source_quotes=("Finance needs a CSV export of invoices",),
        ),
        StoryContent(title="Log in with SSO", role="employee", goal="log in with Google"),
    ]
    with session_scope(engine) as s:
        note, _ = save_meeting_note(
            "acme", "notes", source=NoteSource.cli, dedupe_key="k1", author_id="U1", session=s
        )
        assert note.id is not None
        return [story.id for story in add_stories(note.id, drafts, session=s) if story.id]


# --- migrations and engines ----------------------------------------------------------------


def test_migrations_build_the_schema_the_models_describe(db_url: str) -> None:
    assert current_revision(db_url) is None
    upgrade(db_url)
    assert current_revision(db_url) == head_revision()

    drifted = sa.MetaData()
    for table in SQLModel.metadata.tables.values():
        table.to_metadata(drifted)
    drifted.tables["story"].append_column(sa.Column("in_no_migration", sa.Integer))

    def models_only(name: str | None, type_: str, parent: object) -> bool:
        # The keyword index (migration 0004) is retrieval's: FTS5 tables, a tsvector, no model.
        # slack_* (0008) are slack_sdk's OAuth stores, compared with its own tables elsewhere.
        return not (type_ == "table" and (name or "").startswith(("keyword_", "slack_")))

    with engines(db_url, 1) as [engine], engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": models_only}
        )
        assert compare_metadata(context, SQLModel.metadata) == []
        # The comparison can fail: a column the migrations lack is reported.
        assert [d[0] for d in compare_metadata(context, drifted)] == ["add_column"]


def test_upgrade_twice_is_a_noop_that_keeps_data(db_url: str) -> None:
    upgrade(db_url)
    with engines(db_url, 1) as [engine]:
        add_project(engine)
    upgrade(db_url)
    assert current_revision(db_url) == head_revision()
    with engines(db_url, 1) as [engine], session_scope(engine) as s:
        assert s.exec(select(func.count()).select_from(sa.table("alembic_version"))).one() == 1
        assert upsert_project("acme", "Acme", session=s).created_at is not None


def test_sqlite_engine_creates_folder_and_sets_pragmas(sqlite_url: str) -> None:
    with engines(sqlite_url, 1) as [engine], engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    assert Path(sqlite_url.removeprefix("sqlite:///")).exists()


def test_default_sqlite_path_is_relative_to_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with engines("sqlite:///data/apo.db", 1) as [engine], engine.connect():
        pass
    assert (tmp_path / "data" / "apo.db").is_file()


@pytest.mark.parametrize(
    "url", ["not a url", "mysql://u@h/db", "postgresql+nosuchdriver://u@h/db", "oracle://h"]
)
def test_unusable_database_url_names_the_setting(url: str) -> None:
    with pytest.raises(ConfigError) as info:
        create_db_engine(url)
    assert "DATABASE_URL" in info.value.user_message


def test_postgres_urls_use_psycopg_and_keep_query_options() -> None:
    for url in ("postgres://u@h/db", "postgresql://u@h/db?options=-csearch_path%3Dt1"):
        engine = create_db_engine(url)
        assert engine.url.drivername == "postgresql+psycopg"
    assert engine.url.query["options"] == "-csearch_path=t1"


@pytest.mark.postgres
def test_postgres_fixture_url_alone_selects_its_schema(postgres_url: str) -> None:
    with engines(postgres_url, 1) as [engine], engine.connect() as conn:
        schema = conn.exec_driver_sql("SELECT current_schema()").scalar()
    assert schema is not None and schema.startswith("apo_test_")
    assert schema in postgres_url.replace("%3D", "=")


# --- notes and stories ---------------------------------------------------------------------


def test_note_saved_twice_is_stored_once(migrated_url: str) -> None:
    key = note_dedupe_key("C1", "U1", "Monday notes", "1700000000.1")
    with engines(migrated_url, 2) as [first, second]:
        add_project(first)
        results = []
        for engine in (first, second, first):
            with session_scope(engine) as s:
                note, created = save_meeting_note(
                    "acme", "Monday notes", source=NoteSource.inline, dedupe_key=key, session=s
                )
                results.append((note.id, created))
        with session_scope(second) as s:
            count = s.exec(select(func.count()).select_from(MeetingNote)).one()
            other, created_other = save_meeting_note(
                "acme", "Other", source=NoteSource.modal, dedupe_key="other", session=s
            )
    assert [created for _, created in results] == [True, False, False]
    assert len({note_id for note_id, _ in results}) == 1
    assert count == 1
    assert created_other and other.id != results[0][0]


def test_note_needs_a_known_project(migrated_engine: Engine) -> None:
    with pytest.raises(sa.exc.IntegrityError), session_scope(migrated_engine) as s:
        save_meeting_note("nope", "x", source=NoteSource.cli, dedupe_key="k", session=s)


def test_only_one_worker_starts_drafting_a_note(migrated_engine: Engine) -> None:
    add_project(migrated_engine)
    with session_scope(migrated_engine) as s:
        note, _ = save_meeting_note("acme", "x", source=NoteSource.cli, dedupe_key="k", session=s)
        assert note.id is not None
        assert start_drafting(note.id, session=s) is True
        assert start_drafting(note.id, session=s) is False
        assert get_note(note.id, session=s).status == "drafting"
        with pytest.raises(NotFound):
            start_drafting(9999, session=s)


def test_stories_are_stored_once_per_position(migrated_engine: Engine) -> None:
    ids = add_note_with_stories(migrated_engine)
    with session_scope(migrated_engine) as s:
        story = get_story(ids[0], session=s)
        again = add_stories(
            story.note_id, [StoryContent(title="other", role="r", goal="g")], session=s
        )
        criteria = list_criteria(ids[0], session=s)
    assert [x.id for x in again] == ids  # the retry added nothing
    assert story.source_quotes == ["Finance needs a CSV export of invoices"]
    assert [(c.given, c.when, c.then) for c in criteria] == [
        ("a closed month", "I click Export", "a CSV downloads")
    ]


def test_deciding_a_decided_story_is_refused_and_audited(migrated_engine: Engine) -> None:
    story_id = add_note_with_stories(migrated_engine)[0]
    with session_scope(migrated_engine) as s:
        decide_story(story_id, StoryStatus.approved, "U_PO", session=s)
    with pytest.raises(AlreadyDecided) as refused, session_scope(migrated_engine) as s:
        decide_story(story_id, StoryStatus.rejected, "U_DEV", "too big", session=s)
    assert "<@U_PO>" in refused.value.user_message
    with session_scope(migrated_engine) as s:
        story = get_story(story_id, session=s)
        events = list_review_events(story_id, session=s)
    assert (story.status, story.decided_by, story.reject_reason) == ("approved", "U_PO", None)
    assert story.decided_at is not None and story.decided_at.tzinfo is UTC
    assert [(e.action, e.actor_id) for e in events] == [
        (ReviewAction.created, "U1"),
        (ReviewAction.approved, "U_PO"),
    ]
    assert events[1].before is not None and events[1].after is not None
    assert events[1].before["status"] == "draft"
    assert events[1].after["status"] == "approved"
    assert events[1].after["criteria"][0]["when"] == "I click Export"


def test_two_reviewers_at_once_one_decision_wins(migrated_url: str) -> None:
    with engines(migrated_url, 2) as [first, second]:
        story_id = add_note_with_stories(first)[0]

        def decide(engine: Engine, status: StoryStatus, actor: str) -> str:
            try:
                with session_scope(engine) as s:
                    decide_story(story_id, status, actor, session=s)
                return "won"
            except AlreadyDecided:
                return "refused"

        outcome = run_together(
            lambda: decide(first, StoryStatus.approved, "U_A"),
            lambda: decide(second, StoryStatus.rejected, "U_B"),
        )
        with session_scope(first) as s:
            decided = [e for e in list_review_events(story_id, session=s) if e.before]
    assert sorted(outcome) == ["refused", "won"]
    assert len(decided) == 1


def test_edit_keeps_before_and_after(migrated_engine: Engine) -> None:
    story_id = add_note_with_stories(migrated_engine)[1]
    with session_scope(migrated_engine) as s:
        edit_story(
            story_id,
            "U_PO",
            goal="log in with Google Workspace",
            criteria=[Criterion("a company account", "I choose Google", "I am signed in")],
            session=s,
        )
        event = list_review_events(story_id, session=s)[-1]
        assert len(list_criteria(story_id, session=s)) == 1
    assert event.action == ReviewAction.edited
    assert event.before and event.before["goal"] == "log in with Google"
    assert event.before["criteria"] == []
    assert event.after and event.after["goal"] == "log in with Google Workspace"


# --- retried events and digests ------------------------------------------------------------


def test_event_is_processed_once_then_pruned(migrated_engine: Engine) -> None:
    old = datetime.now(UTC) - timedelta(days=2)
    with session_scope(migrated_engine) as s:
        assert mark_event_processed("Ev1", session=s) is True
        assert mark_event_processed("Ev1", session=s) is False
        assert mark_event_processed("Ev0", received_at=old, session=s) is True
    with session_scope(migrated_engine) as s:
        assert mark_event_processed("Ev1", session=s) is False
        cutoff = datetime.now(UTC) - timedelta(hours=1)
        assert prune_processed_events(cutoff, session=s) == 1
        assert [e.event_id for e in s.exec(select(ProcessedEvent)).all()] == ["Ev1"]


def test_event_from_two_threads_at_once_is_processed_once(migrated_url: str) -> None:
    with engines(migrated_url, 2) as pair:

        def mark(engine: Engine, event_id: str) -> bool:
            with session_scope(engine) as s:
                return mark_event_processed(event_id, session=s)

        for n in range(10):
            event_id = f"Ev{n}"
            results = run_together(*(partial(mark, engine, event_id) for engine in pair))
            assert sorted(results) == [False, True], event_id


def test_digest_is_claimed_exactly_once_across_two_engines(migrated_url: str) -> None:
    day = date(2025, 3, 4)
    with engines(migrated_url, 2) as [first, second]:
        add_project(first)

        def claim(engine: Engine, local_date: date) -> bool:
            with session_scope(engine) as s:
                return claim_digest("acme", DigestSide.team, local_date, session=s)

        assert claim(first, day) is True
        assert claim(second, day) is False
        for n in range(1, 8):
            later = day + timedelta(days=n)
            results = run_together(partial(claim, first, later), partial(claim, second, later))
            assert sorted(results) == [False, True], later


def test_failed_digest_can_be_claimed_again_posted_one_cannot(migrated_engine: Engine) -> None:
    add_project(migrated_engine)
    day, side = date(2025, 3, 4), DigestSide.client
    start, end = datetime(2025, 3, 3, 7, tzinfo=UTC), datetime(2025, 3, 4, 7, tzinfo=UTC)
    with session_scope(migrated_engine) as s:
        assert claim_digest("acme", side, day, window_start=start, window_end=end, session=s)
        mark_digest_failed("acme", side, day, "channel_not_found", session=s)
        assert claim_digest("acme", side, day, window_start=start, window_end=end, session=s)
        mark_digest_posted("acme", side, day, channel_id="C1", message_ts="1.2", session=s)
        assert not claim_digest("acme", side, day, session=s)
        assert last_posted_digest("acme", DigestSide.team, session=s) is None
    with session_scope(migrated_engine) as s:
        posted = last_posted_digest("acme", side, session=s)
        stored = get_digest("acme", side, day, session=s)
    assert posted is not None and stored is not None and posted.id == stored.id
    assert (posted.status, posted.error, posted.window_end) == (DigestStatus.posted, None, end)


# --- decisions, questions, messages, usage -------------------------------------------------


def test_supersede_marks_the_old_decision(migrated_engine: Engine) -> None:
    add_project(migrated_engine)
    with session_scope(migrated_engine) as s:
        old, _ = add_decision(
            "acme", "Ship on Fridays", author_id="U1", origin=DecisionOrigin.command, session=s
        )
        new, _ = add_decision(
            "acme",
            "Ship on Thursdays",
            author_id="U2",
            origin=DecisionOrigin.command,
            supersedes_id=old.id,
            session=s,
        )
        assert old.id is not None and new.id is not None
    with session_scope(migrated_engine) as s:
        assert get_decision(old.id, session=s).superseded_by_id == new.id
        assert get_decision(new.id, session=s).supersedes_id == old.id
        assert [d.id for d in list_decisions("acme", session=s)] == [new.id]
        everything = list_decisions("acme", include_superseded=True, session=s)
        assert [d.id for d in everything] == [old.id, new.id]
        supersede(old.id, new.id, session=s)  # repeating is harmless
        third, _ = add_decision(
            "acme", "Never ship", author_id="U3", origin=DecisionOrigin.cli, session=s
        )
        assert third.id is not None
        with pytest.raises(AlreadySuperseded):
            supersede(old.id, third.id, session=s)


def test_decision_from_one_message_is_recorded_once(migrated_engine: Engine) -> None:
    add_project(migrated_engine)
    seen = []
    for origin in (DecisionOrigin.reaction, DecisionOrigin.reaction, DecisionOrigin.shortcut):
        with session_scope(migrated_engine) as s:
            decision, created = add_decision(
                "acme",
                "Use Postgres",
                author_id="U1",
                origin=origin,
                source_channel="C1",
                source_ts="1700000000.000100",
                session=s,
            )
            seen.append((decision.id, created))
    assert [created for _, created in seen] == [True, False, False]
    assert len({decision_id for decision_id, _ in seen}) == 1


def test_timestamps_round_trip_as_aware_utc(migrated_engine: Engine) -> None:
    add_project(migrated_engine)
    bangkok_morning = datetime(2025, 3, 4, 9, 30, 15, 123456, tzinfo=BANGKOK)
    with session_scope(migrated_engine) as s:
        decision, _ = add_decision(
            "acme",
            "x",
            author_id="U1",
            origin=DecisionOrigin.cli,
            created_at=bangkok_morning,
            session=s,
        )
    with session_scope(migrated_engine) as s:
        stored = get_decision(decision.id or 0, session=s)
        window = list_decisions(
            "acme",
            since=bangkok_morning - timedelta(seconds=1),
            until=bangkok_morning + timedelta(seconds=1),
            session=s,
        )
    assert stored.created_at == bangkok_morning
    assert stored.created_at.tzinfo is UTC
    assert stored.created_at.hour == 2  # 09:30 in Bangkok is 02:30 UTC
    assert [d.id for d in window] == [decision.id]
    with (
        pytest.raises(sa.exc.StatementError, match="naive datetime"),
        session_scope(migrated_engine) as s,
    ):
        add_decision(
            "acme",
            "y",
            author_id="U1",
            origin=DecisionOrigin.cli,
            created_at=datetime(2025, 1, 1),
            session=s,
        )


def test_question_answered_by_a_decision(migrated_engine: Engine) -> None:
    add_project(migrated_engine)
    with session_scope(migrated_engine) as s:
        question, created = add_question(
            "acme", "C1", "Which DB?", asker_id="U9", message_ts="5.1", session=s
        )
        repeat, created_again = add_question(
            "acme", "C1", "Which DB?", asker_id="U9", message_ts="5.1", session=s
        )
        assert (created, created_again, repeat.id) == (True, False, question.id)
        assert question.id is not None
        assert [q.id for q in open_questions("acme", session=s)] == [question.id]
        decision, _ = add_decision(
            "acme", "Postgres", author_id="U1", origin=DecisionOrigin.answer, session=s
        )
        answer_question(question.id, decision_id=decision.id, session=s)
        assert open_questions("acme", session=s) == []
        assert question.status == QuestionStatus.answered
        assert get_decision(decision.id or 0, session=s).question_id == question.id
        record_answer_feedback("C1", "5.2", "U9", FeedbackVerdict.helpful, session=s)
        vote = record_answer_feedback(
            "C1", "5.2", "U9", FeedbackVerdict.wrong, note="old", session=s
        )
    assert (vote.verdict, vote.note) == (FeedbackVerdict.wrong, "old")


def test_channel_messages_are_stored_once_and_listed_by_time(migrated_engine: Engine) -> None:
    add_project(migrated_engine)
    with session_scope(migrated_engine) as s:
        assert add_channel_message("acme", "C1", "1700000000.000100", "hello", session=s)
        assert not add_channel_message("acme", "C1", "1700000000.000100", "hello", session=s)
        assert add_channel_message("acme", "C1", "1700003600.000200", "later", session=s)
    since = datetime.fromtimestamp(1700000000, UTC)
    with session_scope(migrated_engine) as s:
        first_hour = list_channel_messages(
            "acme", since=since, until=since + timedelta(hours=1), session=s
        )
    assert [m.text for m in first_hour] == ["hello"]
    assert first_hour[0].at.tzinfo is UTC


def test_each_model_call_is_recorded_with_its_tokens(db_session: Session) -> None:
    record_llm_call(
        "draft_stories",
        "m",
        prompt_tokens=100,
        completion_tokens=50,
        latency_ms=900,
        session=db_session,
    )
    record_llm_call(
        "answer", "m", prompt_tokens=10, ok=False, error_kind="timeout", session=db_session
    )
    db_session.commit()
    rows = db_session.exec(select(LLMCall).order_by(col(LLMCall.id))).all()
    assert [(r.purpose, r.total_tokens, r.latency_ms, r.ok, r.error_kind) for r in rows] == [
        ("draft_stories", 150, 900, True, None),
        ("answer", 10, 0, False, "timeout"),
    ]


def test_unknown_ids_raise_not_found(db_session: Session) -> None:
    for lookup in (get_note, get_story, get_decision):
        with pytest.raises(NotFound):
            lookup(424242, session=db_session)
