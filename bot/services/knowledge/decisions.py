"""Recording decisions and keeping the retrieval index in step with them.

A decision is indexed as it is stored, so a question asked a minute later can cite it. A newer
decision may supersede an older one: the older stays (it is history) but is marked, in the
database and in the index, so answers no longer rest on it.

Who may record: anyone their own decision; a decision under someone else's name (a message's
author) only a reviewer; replacing a decision only a reviewer. The CLI acts as an admin.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.domain import Actor, Clock, MessageRef, utc_now
from bot.domain.knowledge import DecisionInput, DecisionView
from bot.errors import BotError, NotAllowed
from bot.projects import Project, ProjectsConfig
from bot.services.knowledge.indexing import KnowledgeIndexer
from bot.services.knowledge.ports import DecisionStore, QuestionStore

MAX_DECISION_CHARS = 4000
_SUPERSEDES = re.compile(
    r"^\s*(?:supersedes|replaces|erstatter)\s+#?(\d+)\s*[:\-–—]?\s*", re.IGNORECASE
)
REPLACE_REFUSED = (
    "Only the reviewers of {project} can replace a decision. Record yours as a new decision, "
    "or ask a reviewer to replace the old one."
)
AUTHOR_OR_REVIEWER = (
    "Only the reviewers of {project} or the message's author can record it as a decision."
)
ESCALATION_REPLY = "Replies to an escalated question are recorded as its answer already."


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


def is_reviewer(project: Project, actor: Actor) -> bool:
    return actor.admin or project.is_reviewer(actor.user_id)


class DecisionService:
    def __init__(
        self,
        store: DecisionStore,
        questions: QuestionStore,
        projects: ProjectsConfig,
        indexer: KnowledgeIndexer,
        *,
        clock: Clock = utc_now,
    ) -> None:
        self._store = store
        self._questions = questions
        self._projects = projects
        self._indexer = indexer
        self._clock = clock

    def check_may_record(
        self, project_key: str, actor: Actor, *, author_id: str, supersedes: int | None
    ) -> None:
        """Raise NotAllowed unless `actor` may record a decision by `author_id` that replaces
        decision `supersedes` (None: replaces none)."""
        project = self._projects.get(project_key)
        if actor.user_id != author_id and not is_reviewer(project, actor):
            # Anyone may quote a decision, but only a reviewer or the message's author may
            # put words into the record under that author's name.
            raise NotAllowed(AUTHOR_OR_REVIEWER.format(project=project.name))
        if supersedes is not None and not is_reviewer(project, actor):
            raise NotAllowed(REPLACE_REFUSED.format(project=project.name))

    def check_message(
        self,
        project_key: str,
        actor: Actor,
        message: MessageRef,
        *,
        thread_ts: str | None,
        author_id: str,
        supersedes: int | None,
    ) -> None:
        """The checks before a channel message becomes a decision (shortcut or reaction)."""
        self.check_may_record(project_key, actor, author_id=author_id, supersedes=supersedes)
        if (
            thread_ts
            and thread_ts != message.ts
            and self._questions.escalated_at(MessageRef(message.channel, thread_ts))
        ):
            # Replies to an escalation are answers, already recorded with the question's
            # privacy; recording one again here would copy it out of that scope.
            raise BotError(ESCALATION_REPLY)

    def reaction_records(self, project_key: str, emoji: str, actor: Actor) -> bool:
        """Whether this reaction asks for a decision: the project's emoji, from a reviewer
        (anyone else's reaction means nothing)."""
        project = self._projects.get(project_key)
        return emoji == project.decision_emoji and is_reviewer(project, actor)

    def record(self, decision: DecisionInput, actor: Actor) -> tuple[DecisionView, bool]:
        """Store and index a decision; False when this source message was recorded before."""
        project = self._projects.get(decision.project)
        self.check_may_record(
            project.key, actor, author_id=decision.author_id, supersedes=decision.supersedes_id
        )
        text = check_decision_text(decision.text)
        view, created, superseded = self._store.add(
            replace(decision, project=project.key, text=text)
        )
        if created:
            self._indexer.index_decisions(view, superseded, question_text=decision.question_text)
        return view, created

    def revise_from_message(
        self, message: MessageRef, text: str | None, *, editor: str | None
    ) -> list[DecisionView]:
        """The Slack message a decision came from was edited (`text`) or deleted (None): the
        decision takes the new text, or is removed, with an entry in its history, and the
        index follows, so answers cite what the message says now. Only the author (or a
        workspace admin) can edit or delete a Slack message, so no check is needed here."""
        if text is not None:
            text = text.strip()
            if not text or len(text) > MAX_DECISION_CHARS:
                return []  # an emptied or overlong edit leaves the record as it was
        revised = self._store.revise_from_message(message, text, actor_id=editor, at=self._clock())
        for decision in revised:
            if decision.removed:
                self._indexer.remove_decision(decision.id)
            else:
                question = (
                    self._questions.get(decision.question_id).text
                    if decision.question_id is not None
                    else None
                )
                self._indexer.index_decisions(decision, None, question_text=question)
        return revised
