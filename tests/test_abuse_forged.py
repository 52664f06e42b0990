"""Forged interactivity: button payloads replayed by someone else, in another project's
channel, or with a changed story, note or question id; view submissions for forms the user
never opened. Each is refused politely (an ephemeral line or an error inside the form), never
a stack trace, and nothing is changed, posted or shown from the other project.

Each case is one row in FORGED_BUTTONS / FORGED_VIEWS; a new surface (the Home tab, a Jira
button) adds rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlmodel import select

from bot.storage.models import ReviewEvent, Story
from tests.harness.app_server import (
    DEVELOPER,
    OTHER_PROJECT_CHANNEL,
    REVIEWER,
    TEAM_CHANNEL,
    RunningBot,
)
from tests.story_e2e import batch, cards, final_batch_update, story

GLOBEX_REVIEWER = "U0GLOBEXPO"
SECRET_TITLE = "Credit a sent invoice"


@dataclass(frozen=True)
class Forged:
    name: str
    action_id: str
    value: str  # "{story}", "{note}" or "{question}" is replaced by a real acme id
    user: str
    channel: str
    refusal: str  # what the presser is told, privately


FORGED_BUTTONS = [
    Forged(
        "approve by a developer",
        "story_approve",
        "{story}",
        DEVELOPER,
        TEAM_CHANNEL,
        "Only the reviewers",
    ),
    Forged(
        "approve by the other project's reviewer",
        "story_approve",
        "{story}",
        GLOBEX_REVIEWER,
        OTHER_PROJECT_CHANNEL,
        "Only the reviewers",
    ),
    Forged(
        "reject by the other project's reviewer",
        "story_reject",
        "{story}",
        GLOBEX_REVIEWER,
        OTHER_PROJECT_CHANNEL,
        "Only the reviewers",
    ),
    Forged(
        "edit by the other project's reviewer",
        "story_edit",
        "{story}",
        GLOBEX_REVIEWER,
        OTHER_PROJECT_CHANNEL,
        "Only the reviewers",
    ),
    Forged(
        "approve of an id that does not exist",
        "story_approve",
        "99999",
        REVIEWER,
        TEAM_CHANNEL,
        "story #99999",
    ),
    Forged(
        "approve of an id that is not a number",
        "story_approve",
        "1 OR 1=1",
        REVIEWER,
        TEAM_CHANNEL,
        "doesn't point at anything",
    ),
    Forged(
        "full story shown in another project",
        "story_view_full",
        "{story}",
        GLOBEX_REVIEWER,
        OTHER_PROJECT_CHANNEL,
        "another channel",
    ),
    Forged(
        "findings shown in another project",
        "story_findings",
        "{story}",
        GLOBEX_REVIEWER,
        OTHER_PROJECT_CHANNEL,
        "another channel",
    ),
    Forged(
        "retry of another project's notes",
        "notes_retry",
        "{note}",
        GLOBEX_REVIEWER,
        OTHER_PROJECT_CHANNEL,
        "another channel",
    ),
    Forged(
        "answer form for another project's question",
        "question_answer",
        "{question}",
        GLOBEX_REVIEWER,
        OTHER_PROJECT_CHANNEL,
        "Only",
    ),
    Forged(
        "feedback on another channel's answer",
        "answer_wrong",
        "{question}",
        GLOBEX_REVIEWER,
        OTHER_PROJECT_CHANNEL,
        "another channel",
    ),
    Forged(
        "Jira retry with a garbled story id",
        "story_push_retry",
        "1; drop table:0",
        REVIEWER,
        TEAM_CHANNEL,
        "doesn't point at anything",
    ),
    Forged(
        "Send to Jira with a garbled note id",
        "batch_push",
        "note-1",
        REVIEWER,
        TEAM_CHANNEL,
        "doesn't point at anything",
    ),
    Forged(
        "answer form for an id that is not a number",
        "question_answer",
        "-1",
        REVIEWER,
        TEAM_CHANNEL,
        "doesn't point at anything",
    ),
]


@pytest.fixture
def acme_work(running_bot: RunningBot) -> Iterator[dict[str, str]]:
    """One drafted acme story and one escalated acme question, then a clean call log."""
    running_bot.openai.queue_json(
        batch(story(SECRET_TITLE, "to credit a sent invoice", ["credit a sent invoice"]))
    )
    running_bot.signer.command(
        "/story", "The accountant wants to credit a sent invoice.", channel_id=TEAM_CHANNEL
    )
    cards(running_bot, 1)
    final_batch_update(running_bot)
    running_bot.signer.app_mention(
        "Which currency do overdue EUR customers pay in?", channel=TEAM_CHANNEL, user=DEVELOPER
    )
    running_bot.slack.wait_for(
        "chat.postMessage", count=1, predicate=lambda c: "question_answer" in json.dumps(c.args)
    )
    running_bot.wait_until_idle()
    running_bot.slack.reset()
    yield {"{story}": "1", "{note}": "1", "{question}": "1"}


def acme_state(bot: RunningBot) -> list[tuple[str, str]]:
    with bot.container.db.session() as session:
        stories = [(s.title, str(s.status)) for s in session.exec(select(Story))]
        events = [(str(e.action), e.actor_id) for e in session.exec(select(ReviewEvent))]
    return stories + events


@pytest.mark.parametrize("forged", FORGED_BUTTONS, ids=lambda f: f.name)
def test_a_forged_button_is_refused_privately_and_changes_nothing(
    running_bot: RunningBot, acme_work: dict[str, str], forged: Forged
) -> None:
    before = acme_state(running_bot)
    url = running_bot.slack.response_url("forged")

    response = running_bot.signer.block_action(
        forged.action_id,
        acme_work.get(forged.value, forged.value),
        user_id=forged.user,
        channel_id=forged.channel,
        response_url=url,
        trigger_id="T.forged",
    )

    assert response.status_code == 200
    [reply] = running_bot.slack.wait_for("response_url:forged")
    assert reply.args["response_type"] == "ephemeral"
    assert forged.refusal in reply.args["text"]
    assert "reference" not in reply.args["text"]  # a refusal, not the error handler's apology
    running_bot.wait_until_idle()
    assert acme_state(running_bot) == before
    for call in running_bot.slack.calls:
        assert call.method in {"response_url:forged"}, call.method  # nothing opened or posted
        assert SECRET_TITLE not in json.dumps(call.args)


@pytest.mark.parametrize(
    ("callback", "values", "metadata", "user", "error_block", "refusal"),
    [
        (
            "story_edit_modal",
            {
                "edit_title_block": {"edit_title_input": "Hijacked"},
                "edit_role_block": {"edit_role_input": "attacker"},
                "edit_goal_block": {"edit_goal_input": "to change another project's story"},
                "edit_benefit_block": {"edit_benefit_input": ""},
                "edit_criteria_block": {
                    "edit_criteria_input": "Given a story\nWhen I submit\nThen it changes"
                },
            },
            json.dumps({"story_id": 1}),
            GLOBEX_REVIEWER,
            "edit_title_block",
            "Only the reviewers",
        ),
        (
            "story_reject_modal",
            {"reject_reason_block": {"reject_reason_input": "forged"}},
            json.dumps({"story_id": 1}),
            DEVELOPER,
            "reject_reason_block",
            "Only the reviewers",
        ),
        (
            "story_reject_modal",
            {"reject_reason_block": {"reject_reason_input": "forged"}},
            "not json at all",
            REVIEWER,
            "reject_reason_block",
            "form",
        ),
        (
            "question_answer_modal",
            {"answer_text_block": {"answer_text_input": "Forged answer."}},
            json.dumps({"question_id": 1}),
            GLOBEX_REVIEWER,
            "answer_text_block",
            "Only",
        ),
        (
            "question_answer_modal",
            {"answer_text_block": {"answer_text_input": "Forged answer."}},
            json.dumps({"question_id": "1; drop table"}),
            REVIEWER,
            "answer_text_block",
            "form",
        ),
    ],
    ids=[
        "edit-other-project",
        "reject-developer",
        "reject-garbled",
        "answer-other-project",
        "answer-garbled",
    ],
)
def test_a_view_the_user_never_opened_is_refused_inside_the_form(
    running_bot: RunningBot,
    acme_work: dict[str, str],
    callback: str,
    values: dict[str, dict[str, str]],
    metadata: str,
    user: str,
    error_block: str,
    refusal: str,
) -> None:
    before = acme_state(running_bot)

    response = running_bot.signer.view_submission(
        callback, values, user_id=user, private_metadata=metadata, view_id="V0NEVEROPENED"
    )

    assert response.status_code == 200
    body = response.json()
    assert body["response_action"] == "errors"
    assert refusal in body["errors"][error_block]
    running_bot.wait_until_idle()
    assert acme_state(running_bot) == before
    assert running_bot.slack.calls == []
