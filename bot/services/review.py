"""The human review of drafted stories: only reviewers decide, and every decision and edit is
kept. Approved stories become the backlog and searchable knowledge."""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.domain import StoryEdit, StoryView
from bot.errors import BotError, NotAllowed
from bot.projects import ProjectsConfig
from bot.quality import Criterion, StoryDraft, check_batch
from bot.retrieval.types import Document, KnowledgeStore
from bot.services.stories import StoryService
from bot.storage import NewCriterion, decide_story, edit_story, get_note, get_story
from bot.storage.db import Database
from bot.storage.types import StoryStatus

log = logging.getLogger(__name__)


class ReviewService:
    def __init__(
        self,
        db: Database,
        projects: ProjectsConfig,
        stories: StoryService,
        knowledge: Callable[[], KnowledgeStore],
    ) -> None:
        self._db = db
        self._projects = projects
        self._stories = stories
        self._knowledge = knowledge

    def ensure_reviewer(self, story_id: int, user_id: str) -> StoryView:
        story = self._stories.story(story_id)
        project = self._projects.get(story.project)
        if not project.is_reviewer(user_id):
            names = ", ".join(f"<@{r}>" for r in project.reviewers) or "nobody yet"
            raise NotAllowed(
                f"Only the reviewers of {project.name} can approve, edit or reject stories "
                f"({names}). Ask one of them, or have your id added to the projects file."
            )
        return story

    def approve(self, story_id: int, user_id: str) -> StoryView:
        self.ensure_reviewer(story_id, user_id)
        with self._db.session() as session:
            decide_story(story_id, StoryStatus.approved, user_id, session=session)
        view = self._stories.story(story_id)
        self._index(view)
        return view

    def reject(self, story_id: int, user_id: str, reason: str) -> StoryView:
        self.ensure_reviewer(story_id, user_id)
        with self._db.session() as session:
            decide_story(story_id, StoryStatus.rejected, user_id, reason, session=session)
        return self._stories.story(story_id)

    def edit(self, story_id: int, user_id: str, change: StoryEdit) -> StoryView:
        current = self.ensure_reviewer(story_id, user_id)
        if current.status != "draft":
            raise BotError(f"Story #{story_id} is already {current.status}; it can't be edited.")
        draft = StoryDraft(
            change.title,
            change.role,
            change.goal,
            change.benefit,
            tuple(Criterion(c.given, c.when, c.then) for c in change.criteria),
            current.verified_quotes + current.missing_quotes,
        )
        [checked] = check_batch([draft], self._stories.note_text(current.note_id)).stories
        with self._db.session() as session:
            edit_story(
                story_id,
                user_id,
                title=change.title,
                role=change.role,
                goal=change.goal,
                benefit=change.benefit,
                criteria=[NewCriterion(c.given, c.when, c.then) for c in change.criteria],
                lint_findings=[
                    {"check": str(f.check), "severity": f.severity, "message": f.message}
                    for f in checked.findings
                ],
                session=session,
            )
        return self._stories.story(story_id)

    def _index(self, story: StoryView) -> None:
        """Approved stories become searchable knowledge; failure here must not undo approval."""
        with self._db.session() as session:
            note = get_note(story.note_id, session=session)
            card = get_story(story.id, session=session)
        criteria = "\n".join(f"Given {c.given} When {c.when} Then {c.then}" for c in story.criteria)
        doc = Document(
            id=f"story:{story.id}",
            text=f"{story.title}\n{story.sentence}\n{criteria}",
            metadata={
                "project": story.project,
                "kind": "story",
                "title": f"Story #{story.id}: {story.title}",
                "source_channel": note.channel_id or "",
                "private": note.source_private,
                "superseded": False,
                "permalink": "",
                "author": story.decided_by or "",
                "created_at": (story.decided_at or card.updated_at).isoformat(),
                "story_id": story.id,
            },
        )
        try:
            self._knowledge().upsert([doc])
        except Exception:
            log.exception("could not index approved story %s", story.id)
