"""Recording decisions and keeping the retrieval index in step with them.

A decision is indexed as it is stored, so a question asked a minute later can cite it. A newer
decision may supersede an older one: the older stays (it is history) but is marked, in the
database and in the index, so answers no longer rest on it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.errors import BotError
from bot.projects import ProjectsConfig
from bot.retrieval.types import Document, KnowledgeStore
from bot.storage import add_decision, get_decision, list_decisions
from bot.storage.db import Database
from bot.storage.models import Decision
from bot.storage.types import DecisionOrigin

log = logging.getLogger(__name__)
MAX_DECISION_CHARS = 4000
_SUPERSEDES = re.compile(
    r"^\s*(?:supersedes|replaces|erstatter)\s+#?(\d+)\s*[:\-–—]?\s*", re.IGNORECASE
)


@dataclass(frozen=True)
class DecisionInput:
    project: str
    text: str
    author_id: str
    origin: str  # command | shortcut | reaction | cli | answer
    source_channel: str | None = None
    source_ts: str | None = None
    permalink: str | None = None
    private: bool = False
    supersedes_id: int | None = None
    question_id: int | None = None
    question_text: str | None = None  # indexed with an answer so the question finds it again


@dataclass(frozen=True)
class DecisionView:
    id: int
    project: str
    text: str
    author_id: str
    origin: str
    permalink: str | None
    source_channel: str | None
    created_at: datetime
    supersedes_id: int | None
    superseded_by_id: int | None


def split_supersedes(text: str) -> tuple[int | None, str]:
    """`supersedes #12: new rule` → (12, "new rule"); plain text → (None, text)."""
    match = _SUPERSEDES.match(text)
    if not match:
        return None, text.strip()
    return int(match.group(1)), text[match.end() :].strip()


def check_decision_text(text: str) -> str:
    """The decision text, stripped; a clear error when it is empty or too long."""
    text = text.strip()
    if not text:
        raise BotError("A decision needs some text: what was decided?")
    if len(text) > MAX_DECISION_CHARS:
        raise BotError(
            f"That decision is {len(text):,} characters long; keep it under "
            f"{MAX_DECISION_CHARS:,} and link to the details."
        )
    return text


class DecisionService:
    def __init__(
        self, db: Database, projects: ProjectsConfig, knowledge: Callable[[], KnowledgeStore]
    ) -> None:
        self._db = db
        self._projects = projects
        self._knowledge = knowledge

    def record(self, decision: DecisionInput) -> tuple[DecisionView, bool]:
        """Store and index a decision; False when this source message was recorded before."""
        project = self._projects.get(decision.project)
        text = check_decision_text(decision.text)
        with self._db.session() as session:
            if decision.supersedes_id is not None:
                old = get_decision(decision.supersedes_id, session=session)
                if old.project != project.key:
                    raise BotError(f"Decision #{old.id} belongs to another project.")
            row, created = add_decision(
                project.key,
                text,
                author_id=decision.author_id,
                origin=DecisionOrigin(decision.origin),
                source_channel=decision.source_channel,
                source_ts=decision.source_ts,
                source_permalink=decision.permalink,
                source_private=decision.private,
                supersedes_id=decision.supersedes_id,
                question_id=decision.question_id,
                session=session,
            )
            touched = [row]
            if created and decision.supersedes_id is not None:
                touched.append(get_decision(decision.supersedes_id, session=session))
        if created:
            self._index(touched, question_text=decision.question_text)
        return _view(row), created

    def get(self, decision_id: int) -> DecisionView:
        with self._db.session() as session:
            return _view(get_decision(decision_id, session=session))

    def decisions(self, project: str, *, include_superseded: bool = False) -> list[DecisionView]:
        with self._db.session() as session:
            rows = list_decisions(project, include_superseded=include_superseded, session=session)
        return [_view(r) for r in rows]

    def _index(self, rows: list[Decision], *, question_text: str | None) -> None:
        docs = []
        for i, row in enumerate(rows):
            text = row.text
            if i == 0 and question_text:
                text = f"Question: {question_text}\nAnswer: {row.text}"
            docs.append(decision_document(row, text))
        try:
            self._knowledge().upsert(docs)
        except Exception:  # the decision is stored; `apo index` can rebuild the index later
            log.exception("could not index decisions %s", [r.id for r in rows])


def decision_document(row: Decision, text: str) -> Document:
    return Document(
        id=f"decision:{row.id}",
        text=text,
        metadata={
            "project": row.project,
            "kind": "decision",
            "title": f"Decision #{row.id}",
            "source_channel": row.source_channel or "",
            "private": row.source_private,
            "superseded": row.superseded_by_id is not None,
            "permalink": row.source_permalink or "",
            "author": row.author_id,
            "created_at": row.created_at.isoformat(),
        },
    )


def _view(row: Decision) -> DecisionView:
    assert row.id is not None
    return DecisionView(
        id=row.id,
        project=row.project,
        text=row.text,
        author_id=row.author_id,
        origin=str(row.origin),
        permalink=row.source_permalink,
        source_channel=row.source_channel,
        created_at=row.created_at,
        supersedes_id=row.supersedes_id,
        superseded_by_id=row.superseded_by_id,
    )
