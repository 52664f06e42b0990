"""The SQL stores behind the knowledge services, on SQLite and (when configured) PostgreSQL:
each call one unit of work, domain views out."""

from __future__ import annotations

import pytest

from bot.container import sync_projects
from bot.domain import MessageRef
from bot.domain.knowledge import DecisionInput
from bot.errors import BotError
from bot.storage.db import Database
from bot.storage.knowledge import SqlDecisionStore, SqlQuestionStore
from tests.services.knowledge_setup import CLIENT, DEVELOPER, PROJECTS, REVIEWER, TEAM


@pytest.fixture
def db(migrated_url: str) -> Database:
    db = Database(migrated_url)
    sync_projects(db, PROJECTS)
    return db


def test_decisions_are_kept_once_per_message_and_superseding_marks_the_old(db: Database) -> None:
    store = SqlDecisionStore(db)
    old, created, replaced = store.add(
        DecisionInput("acme", "Due after 30 days.", REVIEWER, "reaction", CLIENT, "1.1")
    )
    again, created_again, _ = store.add(
        DecisionInput("acme", "Due after 30 days.", REVIEWER, "shortcut", CLIENT, "1.1")
    )
    assert created and replaced is None and not created_again and again.id == old.id

    new, _, replaced = store.add(
        DecisionInput("acme", "Due after 14 days.", REVIEWER, "command", supersedes_id=old.id)
    )

    assert new.supersedes_id == old.id
    assert replaced is not None and replaced.id == old.id and replaced.superseded_by_id == new.id


def test_a_decision_of_another_project_is_not_replaced(db: Database) -> None:
    store = SqlDecisionStore(db)
    old, _, _ = store.add(DecisionInput("globex", "Portal is blue.", "U0G", "command"))

    with pytest.raises(BotError, match="belongs to another project"):
        store.add(
            DecisionInput("acme", "Portal is red.", REVIEWER, "command", supersedes_id=old.id)
        )


def test_questions_escalations_claims_and_feedback(db: Database) -> None:
    store = SqlQuestionStore(db)
    first, created = store.add(
        "acme", TEAM, "First?", asker_id=DEVELOPER, thread_ts="1.0", message_ts="1.0", private=False
    )
    repeat, created_again = store.add(
        "acme", TEAM, "First?", asker_id=DEVELOPER, thread_ts="1.0", message_ts="1.0", private=False
    )
    second, _ = store.add(
        "acme", TEAM, "Second?", asker_id=DEVELOPER, thread_ts="1.0", message_ts="1.1", private=True
    )
    assert created and not created_again and repeat.id == first.id
    assert [q.text for q in store.in_thread(TEAM, "1.0")] == ["First?", "Second?"]

    store.record_bot_answer(first.id, "Yes [1].", ["decision:1"])
    assert store.get(first.id).answered and store.get(first.id).answer_text == "Yes [1]."

    escalation = MessageRef(CLIENT, "9.0")
    store.mark_escalated(second.id, escalation)
    found = store.escalated_at(escalation)
    assert found is not None and found.id == second.id and found.escalation == escalation
    assert found.private and found.thread == MessageRef(TEAM, "1.0")
    assert store.escalated_at(MessageRef(CLIENT, "9.1")) is None

    assert store.claim_for_answer(second.id) and not store.claim_for_answer(second.id)
    store.release_claim(second.id)
    assert not store.get(second.id).answered and store.claim_for_answer(second.id)

    answer = MessageRef(TEAM, "1.2")
    store.record_feedback(first.id, answer, DEVELOPER, helpful=True)
    view = store.record_feedback(first.id, answer, DEVELOPER, helpful=False)  # replaces
    assert view.id == first.id
