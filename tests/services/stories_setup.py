"""The story services on a real SQLite store, with a fake model, publisher, index and clock."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.container import sync_projects
from bot.llm.prompts import PromptLibrary
from bot.projects import ProjectsConfig, load_projects
from bot.services.stories.batches import StoryService
from bot.services.stories.drafting import StoryDrafter
from bot.services.stories.intake import NotesIntake, NotesSubmission
from bot.services.stories.review import ReviewService
from bot.storage.db import Database
from bot.storage.migrate import upgrade
from bot.storage.story_store import SqlStoryStore
from tests.fakes import FakeBatchPublisher, FakeChatModel, FakeStoryIndex, FixedClock
from tests.harness.app_server import PROJECTS_YAML, TEAM_CHANNEL

VARIABLES = frozenset({"guidelines", "project_name", "language", "part", "notes"})


@dataclass
class Stories:
    db: Database
    store: SqlStoryStore
    projects: ProjectsConfig
    chat: FakeChatModel
    index: FakeStoryIndex
    clock: FixedClock
    publisher: FakeBatchPublisher
    notes: NotesIntake
    stories: StoryService
    review: ReviewService

    def receive(self, text: str, *, delivery: str = "T.1", channel: str = TEAM_CHANNEL) -> int:
        submission = NotesSubmission(
            project="acme",
            text=text,
            source="inline",
            author_id="U0DEV",
            channel_id=channel,
            delivery_id=delivery,
        )
        return self.notes.receive(submission).note_id

    def draft(self, text: str, *replies: Any) -> int:
        """Notes received and drafted in the team channel; returns the note id."""
        self.chat.queue(*replies)
        note_id = self.receive(text)
        assert self.stories.run_batch(note_id, self.publisher, channel=TEAM_CHANNEL)
        return note_id


def migrated_template(folder: Path) -> Path:
    """One migrated database file per test session; each test works on a copy of it."""
    path = folder / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


def build_stories(tmp_path: Path, template: Path) -> Stories:
    shutil.copy(template, tmp_path / "apo.db")
    db = Database(f"sqlite:///{tmp_path / 'apo.db'}")
    config = tmp_path / "apo.yaml"
    config.write_text(PROJECTS_YAML, encoding="utf-8")
    projects = load_projects(str(config))
    sync_projects(db, projects)
    chat = FakeChatModel()
    drafter = StoryDrafter(
        chat, PromptLibrary().get("story_draft", variables=VARIABLES), lambda key: "", lambda n: [n]
    )
    store = SqlStoryStore(db)
    index = FakeStoryIndex()
    clock = FixedClock()
    stories = StoryService(store, projects, drafter, index=index, clock=clock)
    review = ReviewService(store, projects, stories, index)
    notes = NotesIntake(store, projects, clock=clock)
    publisher = FakeBatchPublisher()
    return Stories(db, store, projects, chat, index, clock, publisher, notes, stories, review)
