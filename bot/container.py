"""The one place that picks implementations and builds everything, once per process.

Tests build the very same container, pointed (through settings) at fake servers on loopback;
there is no "am I in a test?" switch anywhere.

Heavy parts (Chroma, the embedding model, the LangChain/OpenAI chat model, LangChain's text
splitters) are imported and built on first use, once per process: a command that never
searches or calls the model never pays seconds for them. `apo serve` warms them in the
background once it is answering (`Container.warm_up`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text

from bot.deferred import Lazy, LazyChatModel, LazySearcher, MissingChatModel
from bot.errors import ConfigError
from bot.llm.base import ChatModel, LLMUsage
from bot.llm.chunking import split_notes
from bot.llm.prompts import PromptLibrary
from bot.ops import metrics
from bot.projects import ProjectsConfig, load_projects
from bot.retrieval.keyword_sql import SqlKeywordIndex
from bot.retrieval.similarity import EmbeddingSimilarity, duplicate_threshold
from bot.retrieval.types import Embedder
from bot.services import Services
from bot.services.digests.service import DigestService
from bot.services.edits import MessageEdits
from bot.services.home.service import HomeService
from bot.services.inbox import EventInbox
from bot.services.knowledge.decisions import DecisionService
from bot.services.knowledge.escalations import EscalationService
from bot.services.knowledge.folders import KnowledgeFolders
from bot.services.knowledge.indexing import KnowledgeIndexer
from bot.services.knowledge.pane import PaneService
from bot.services.knowledge.questions import QuestionService
from bot.services.knowledge.translation import PROMPT_VARIABLES as TRANSLATION_PROMPT_VARIABLES
from bot.services.knowledge.translation import RecordTranslator, project_languages
from bot.services.stories.backlog_files import BacklogExports
from bot.services.stories.batches import StoryService
from bot.services.stories.drafting import StoryDrafter
from bot.services.stories.intake import NotesIntake
from bot.services.stories.review import ReviewService
from bot.services.tracker.push import TrackerService
from bot.services.workspaces.service import WorkspaceService
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.digest_store import SqlDigestStore
from bot.storage.events import SqlEventLog
from bot.storage.home_store import SqlHomeStore
from bot.storage.jobs import SqlJobLedger
from bot.storage.knowledge import SqlDecisionStore, SqlQuestionStore
from bot.storage.migrate import upgrade
from bot.storage.pane_store import SqlPaneThreads
from bot.storage.projects import upsert_project
from bot.storage.story_store import SqlStoryStore
from bot.storage.translations import TranslationStore
from bot.storage.usage import record_llm_call
from bot.trackers.configured import ConfiguredTrackers

if TYPE_CHECKING:
    from bot.retrieval.hybrid import HybridSearcher
    from bot.retrieval.indexed import IndexedKnowledgeStore
    from bot.retrieval.store import ChromaKnowledgeStore
    from bot.slack.installations import InstallationStore
    from bot.slack.workspaces import WorkspaceClients

log = logging.getLogger(__name__)


@dataclass
class Container:
    settings: Settings
    projects: ProjectsConfig
    db: Database
    chat_model: ChatModel
    prompts: PromptLibrary
    services: Services
    knowledge: Lazy[IndexedKnowledgeStore]
    embedder: Lazy[Embedder]
    # Builds the use cases for a subset of the projects (one workspace's).
    make_services: Callable[[ProjectsConfig], Services]
    # Which bot token speaks for which workspace (built on first use: commands without Slack
    # never need it); with APO_SLACK_OAUTH the installations live in our database.
    slack_clients: Lazy[WorkspaceClients]
    installations: Lazy[InstallationStore] | None = None
    _scoped: dict[str, Services] = field(default_factory=dict)
    _scoped_lock: threading.Lock = field(default_factory=threading.Lock)

    def services_for(self, team_id: str | None) -> Services:
        """The use cases as one workspace sees them: only the projects that name it (or name
        none), so a listener never acts on another workspace's project. With no project
        naming a workspace (one SLACK_BOT_TOKEN) that is every project."""
        if not self.projects.team_ids:
            return self.services
        key = team_id or ""
        with self._scoped_lock:
            if key not in self._scoped:
                self._scoped[key] = self.make_services(self.projects.for_team(team_id))
            return self._scoped[key]

    def workspaces(self) -> WorkspaceService:
        """What an uninstall stops (several workspaces only)."""
        if self.installations is None:
            raise ConfigError("installed workspaces exist only with APO_SLACK_OAUTH=true")
        return WorkspaceService(self.projects, self.installations(), SqlJobLedger(self.db))

    def warm_up(self) -> None:
        """Import and load the heavy parts now (the embedding model, Chroma, hybrid search, the
        chat model), so the first question after a start does not wait for them. Calls no paid
        service. Failures are only logged: whoever uses the part first gets the error."""
        started = time.monotonic()
        steps: list[tuple[str, Callable[[], object]]] = [
            ("embedding model", self._load_embedder),
            ("knowledge index", lambda: self.knowledge().vectors.ping()),
        ]
        if isinstance(self.services.searcher, LazySearcher):
            steps.append(("search", self.services.searcher.load))
        if isinstance(self.chat_model, LazyChatModel):
            steps.append(("chat model", self.chat_model.load))
        for name, step in steps:
            try:
                step()
            except Exception as exc:  # the part raises it again when used; only time is lost
                log.warning("warming up the %s failed: %s", name, exc)
        log.info("heavy parts loaded in %.1f s", time.monotonic() - started)

    def _load_embedder(self) -> None:
        from bot.retrieval.embeddings import WordLlamaEmbedder

        embedder = self.embedder()
        if isinstance(embedder, WordLlamaEmbedder):  # a remote embedder has nothing to load
            embedder.load()

    def health(self) -> dict[str, str]:
        try:
            with self.db.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return {"database": "ok"}
        except Exception as exc:  # reported, not raised: a health check must answer
            log.warning("health check: database unreachable: %s", exc)
            return {"database": "unreachable"}


def build_container(settings: Settings, *, migrate: bool = True) -> Container:
    projects = load_projects(settings.config_path, require_team=settings.slack_oauth)
    db = Database(settings.database_url)
    if migrate:
        upgrade(settings.database_url)
        sync_projects(db, projects)
    chat_model = build_chat_model(settings, db)
    prompts = PromptLibrary()
    embedder: Lazy[Embedder] = Lazy(lambda: build_embedder(settings))
    keywords = SqlKeywordIndex(db.engine)
    knowledge: Lazy[IndexedKnowledgeStore] = Lazy(
        lambda: open_knowledge(build_knowledge_store(settings, embedder()), keywords)
    )
    searcher = LazySearcher(
        lambda: open_searcher(knowledge().vectors, keywords, settings.answer_min_confidence)
    )

    def make_services(scope: ProjectsConfig) -> Services:
        return build_services(
            settings, db, scope, chat_model, prompts, embedder, knowledge, searcher
        )

    installations = (
        Lazy(lambda: build_installation_store(settings, db)) if settings.slack_oauth else None
    )
    return Container(
        settings,
        projects,
        db,
        chat_model,
        prompts,
        make_services(projects),
        knowledge,
        embedder,
        make_services,
        Lazy(lambda: build_slack_clients(settings, installations)),
        installations,
    )


def build_services(
    settings: Settings,
    db: Database,
    projects: ProjectsConfig,
    chat_model: ChatModel,
    prompts: PromptLibrary,
    embedder: Lazy[Embedder],
    knowledge: Lazy[IndexedKnowledgeStore],
    searcher: LazySearcher,
) -> Services:
    """The use cases over `projects` (all of them, or one workspace's); the heavy parts they
    share are built once by the caller."""
    drafter = StoryDrafter(
        chat_model,
        prompts.get(
            "story_draft",
            variables=frozenset({"guidelines", "project_name", "language", "part", "notes"}),
        ),
        KnowledgeFolders(Path(settings.knowledge_dir)).guidelines,
        lambda notes: split_notes(notes, settings.notes_part_chars),
    )
    translator = RecordTranslator(
        chat_model,
        prompts.get("translate_record", variables=TRANSLATION_PROMPT_VARIABLES),
        TranslationStore(db),
        lambda key: languages_of(projects, key),
    )
    # Without a chat model nothing can be translated: records are indexed as written.
    indexer = KnowledgeIndexer(
        knowledge,
        split_markdown_sections,
        translator=None if isinstance(chat_model, MissingChatModel) else translator,
    )
    story_store = SqlStoryStore(db)
    stories = StoryService(
        story_store,
        projects,
        drafter,
        index=indexer,
        similarity=EmbeddingSimilarity(
            embedder, duplicate_threshold=duplicate_threshold(settings.embeddings)
        ),
    )
    question_store = SqlQuestionStore(db)
    decisions = DecisionService(SqlDecisionStore(db), question_store, projects, indexer)
    questions = QuestionService(
        question_store,
        projects,
        searcher,
        chat_model,
        prompts.get(
            "answer_question",
            variables=frozenset({"project_name", "passages", "history", "question"}),
        ),
    )
    digests = DigestService(
        SqlDigestStore(db),
        projects,
        chat_model,
        prompts.get("summarize_discussion", variables=frozenset({"project_name", "messages"})),
        retention=timedelta(days=settings.message_retention_days),
    )
    return Services(
        projects=projects,
        inbox=EventInbox(SqlEventLog(db)),
        notes=NotesIntake(story_store, projects, max_note_chars=settings.max_note_chars),
        stories=stories,
        review=ReviewService(story_store, projects, stories, indexer),
        decisions=decisions,
        questions=questions,
        escalations=EscalationService(question_store, projects, decisions),
        indexer=indexer,
        searcher=searcher,
        digests=digests,
        edits=MessageEdits(digests, decisions, stories),
        home=HomeService(SqlHomeStore(db), projects),
        exports=BacklogExports(stories, projects),
        pane=PaneService(SqlPaneThreads(db), projects),
        tracker=TrackerService(story_store, build_trackers(settings, projects), projects),
    )


def build_installation_store(settings: Settings, db: Database) -> InstallationStore:
    from bot.slack.installations import installation_store

    return installation_store(settings, db.engine)


def build_slack_clients(
    settings: Settings, installations: Lazy[InstallationStore] | None
) -> WorkspaceClients:
    """One SLACK_BOT_TOKEN (the default), or each workspace's installed token."""
    from bot.slack.client import make_web_client
    from bot.slack.installations import InstalledWorkspaces
    from bot.slack.workspaces import SingleWorkspace

    if installations is not None:
        return InstalledWorkspaces(installations(), settings)
    return SingleWorkspace(make_web_client(settings))


def build_trackers(settings: Settings, projects: ProjectsConfig) -> ConfiguredTrackers:
    token = settings.jira_api_token
    return ConfiguredTrackers(
        projects,
        email=settings.jira_email,
        token=token.get_secret_value() if token else None,
        timeout=settings.jira_timeout,
    )


def open_searcher(
    vectors: ChromaKnowledgeStore, keywords: SqlKeywordIndex, min_confidence: float
) -> HybridSearcher:
    from bot.retrieval.hybrid import HybridSearcher

    return HybridSearcher(vectors, keywords, min_confidence=min_confidence)


def languages_of(projects: ProjectsConfig, key: str) -> tuple[str, ...]:
    """The languages a project's records are indexed in (none for a project not configured:
    `apo index` may index one before it is added)."""
    found = [p for p in projects.projects if p.key == key]
    return project_languages(found[0].language, found[0].languages) if found else ()


def split_markdown_sections(text: str) -> list[tuple[str, str]]:
    from bot.retrieval.markdown import split_markdown  # LangChain's splitters: on first use

    return split_markdown(text)


def sync_projects(db: Database, projects: ProjectsConfig) -> None:
    with db.session() as session:
        for project in projects.projects:
            upsert_project(
                project.key, name=project.name, language=project.language, session=session
            )


def build_chat_model(settings: Settings, db: Database) -> ChatModel:
    if settings.openai_api_key is None:
        return MissingChatModel()
    key = settings.openai_api_key.get_secret_value()
    return LazyChatModel(settings.chat_model, lambda: build_openai_chat_model(settings, key, db))


def build_openai_chat_model(settings: Settings, api_key: str, db: Database) -> ChatModel:
    from bot.llm.openai_chat import OpenAIChatModel

    def record(usage: LLMUsage) -> None:
        metrics.model_called(
            usage.purpose,
            ok=usage.ok,
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            seconds=usage.latency_ms / 1000,
        )
        with db.session() as session:
            record_llm_call(
                usage.purpose,
                usage.model,
                prompt_tokens=usage.prompt_tokens,
                completion_tokens=usage.completion_tokens,
                latency_ms=usage.latency_ms,
                ok=usage.ok,
                error_kind=usage.error_kind,
                project=usage.project,
                session=session,
            )

    return OpenAIChatModel(
        model=settings.chat_model,
        api_key=api_key,
        base_url=settings.openai_base_url,
        timeout=settings.llm_timeout_seconds,
        max_retries=settings.llm_max_retries,
        record_usage=record,
    )


def build_embedder(settings: Settings) -> Embedder:
    from bot.retrieval.embeddings import make_embedder

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    return make_embedder(settings.embeddings, api_key=key, base_url=settings.openai_base_url)


def build_knowledge_store(settings: Settings, embedder: Embedder) -> ChromaKnowledgeStore:
    from bot.retrieval.store import ChromaKnowledgeStore

    return ChromaKnowledgeStore(embedder, path=settings.chroma_path, url=settings.chroma_url)


def open_knowledge(
    vectors: ChromaKnowledgeStore, keywords: SqlKeywordIndex
) -> IndexedKnowledgeStore:
    """Vectors and keywords written together; an index that predates the keyword table gets
    its documents copied in once."""
    from bot.retrieval.indexed import IndexedKnowledgeStore

    store = IndexedKnowledgeStore(vectors, keywords)
    if copied := store.fill_keywords():
        log.info("copied %d indexed documents into the keyword index", copied)
    return store
