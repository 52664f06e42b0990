"""The backlog file a reviewer gets from Slack: reviewers only, known formats only, and no story
drafted from a private channel the reviewer is not in."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.domain import Actor
from bot.domain.stories import Criterion, StoryView
from bot.errors import BotError, NotAllowed
from bot.services.stories.backlog_files import BacklogExports
from tests.services.knowledge_setup import PRIVATE, PROJECTS, TEAM

REVIEWER = "U0APO"


def approved(story_id: int, title: str) -> StoryView:
    return StoryView(
        id=story_id,
        note_id=1,
        project="acme",
        position=story_id,
        title=title,
        role="accountant",
        goal="to credit a sent invoice",
        benefit="the books are right",
        criteria=(Criterion("a sent invoice", "I credit it", "a credit note is created"),),
        verified_quotes=(),
        missing_quotes=(),
        status="approved",
    )


class Backlog:
    """StoryService's approved backlog with each story's notes' source channel."""

    def __init__(self) -> None:
        self.stories = [
            (approved(1, "Public story"), TEAM, False),
            (approved(2, "Secret"), PRIVATE, True),
        ]

    def approved_visible(
        self, project: str, sees: Callable[[str | None, bool], bool]
    ) -> list[StoryView]:
        return [story for story, channel, private in self.stories if sees(channel, private)]


def exports() -> BacklogExports:
    return BacklogExports(Backlog(), PROJECTS)  # type: ignore[arg-type]


def test_a_reviewer_gets_the_file_without_stories_from_private_channels_they_are_not_in() -> None:
    file = exports().export(
        "acme", "jira-csv", Actor(REVIEWER), lambda channel, private: not private
    )

    assert file.filename == "acme-backlog.csv" and file.stories == 1
    assert "Public story" in file.content and "Secret" not in file.content
    assert file.title == "Acme Invoicing backlog (Jira CSV, 1 story)"


def test_a_member_of_the_private_channel_gets_its_stories_too() -> None:
    file = exports().export(
        "acme", "gherkin", Actor(REVIEWER), lambda channel, private: channel in (TEAM, PRIVATE)
    )

    assert file.filename == "acme-backlog.feature" and "Secret" in file.content


def test_others_and_unknown_formats_are_refused_with_a_reason() -> None:
    with pytest.raises(NotAllowed, match="Only the reviewers of Acme Invoicing"):
        exports().check("acme", "markdown", Actor("U0DEV"))
    with pytest.raises(BotError, match="markdown, jira-csv, gherkin"):
        exports().check("acme", "pdf", Actor(REVIEWER))


def test_an_empty_backlog_is_said_so() -> None:
    with pytest.raises(BotError, match="no approved stories to export yet"):
        exports().export("acme", "markdown", Actor(REVIEWER), lambda channel, private: False)
