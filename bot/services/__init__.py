"""Use cases. Services take and return plain types and never import Slack, OpenAI, LangChain
or Chroma; `bot.container` wires them to real implementations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

# Only for the annotations: importing one service module (say the exports, for the CLI's
# --help) must not load every service and the story checks with it.
if TYPE_CHECKING:
    from bot.projects import ProjectsConfig
    from bot.services.digests.service import DigestService
    from bot.services.edits import MessageEdits
    from bot.services.home.service import HomeService
    from bot.services.inbox import EventInbox
    from bot.services.knowledge.decisions import DecisionService
    from bot.services.knowledge.escalations import EscalationService
    from bot.services.knowledge.indexing import KnowledgeIndexer
    from bot.services.knowledge.pane import PaneService
    from bot.services.knowledge.ports import Searcher
    from bot.services.knowledge.questions import QuestionService
    from bot.services.stories.backlog_files import BacklogExports
    from bot.services.stories.batches import StoryService
    from bot.services.stories.intake import NotesIntake
    from bot.services.stories.review import ReviewService
    from bot.services.tracker.push import TrackerService


@dataclass
class Services:
    """Everything the Slack listeners may call, built once by the container."""

    projects: ProjectsConfig
    inbox: EventInbox
    notes: NotesIntake
    stories: StoryService
    review: ReviewService
    decisions: DecisionService
    questions: QuestionService
    escalations: EscalationService
    indexer: KnowledgeIndexer
    searcher: Searcher
    digests: DigestService
    edits: MessageEdits
    home: HomeService
    exports: BacklogExports
    pane: PaneService
    tracker: TrackerService
