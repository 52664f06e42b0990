"""The agent pane: which project a question there is about, and what to suggest.

A question in the pane has no channel of its own to say which project it is about. In order:
a `key:` prefix; the project already chosen in this conversation; the project of the channel
the person was viewing when they asked (Slack's thread context); the only project they belong
to. Otherwise the bot asks once, keeps the question, and answers it when the key comes back.
It never guesses across projects, and the pane is scoped as a DM is: private-channel records
stay in their channel, and only people who belong to a project may ask about it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Protocol

from bot.domain import MessageRef
from bot.domain.knowledge import PaneThread
from bot.projects import Project, ProjectsConfig
from bot.services.home.ports import Membership
from bot.services.knowledge.views import AskInput

_PREFIX = re.compile(r"^\s*([a-z0-9][a-z0-9_-]*)\s*:\s*", re.IGNORECASE)
DRAFT_PROMPT = "Draft stories from these notes"
TITLE_LIMIT = 80
OPEN_QUESTION = "what is still open for this sprint?"
MIN_NOTES_WORDS = 5


class PaneThreads(Protocol):
    def get(self, channel: str, thread_ts: str) -> PaneThread | None: ...

    def save(self, thread: PaneThread) -> None: ...


@dataclass(frozen=True)
class Prompt:
    title: str
    message: str


@dataclass(frozen=True)
class Welcome:
    greeting: str
    prompts: tuple[Prompt, ...]


@dataclass(frozen=True)
class DraftRequest:
    """Notes pasted in the pane to draft into stories: the cards go to the project's team
    channel, where its reviewers decide, as with `/story` there."""

    project: str
    notes: str
    channel: str


@dataclass(frozen=True)
class Reply:
    """Something to say in the pane instead of answering (which project? not a member …)."""

    text: str


class PaneService:
    def __init__(self, threads: PaneThreads, projects: ProjectsConfig) -> None:
        self._threads = threads
        self._projects = projects

    def started(
        self, thread: MessageRef, user: str, viewing: str | None, membership: Membership
    ) -> Welcome:
        """Remember what the person was viewing; suggest prompts for that project."""
        self._threads.save(PaneThread(thread.channel, thread.ts, user, viewing))
        return self._welcome(user, viewing, membership)

    def context_changed(self, thread: MessageRef, user: str, viewing: str | None) -> None:
        current = self._threads.get(thread.channel, thread.ts)
        base = current or PaneThread(thread.channel, thread.ts, user)
        self._threads.save(replace(base, viewing_channel=viewing))

    def route(
        self, thread: MessageRef, user: str, text: str, ts: str, membership: Membership
    ) -> AskInput | DraftRequest | Reply:
        """The question to answer (or notes to draft), with its project, or what to say."""
        state = self._threads.get(thread.channel, thread.ts) or PaneThread(
            thread.channel, thread.ts, user
        )
        project, message = self._choose(state, text.strip())
        if project is None:
            mine = [p for p in self._projects.projects if membership.belongs_to(user, p)]
            if len(mine) != 1:
                self._threads.save(replace(state, pending_question=message))
                return Reply(_which_project(mine))
            project = mine[0]
        if not membership.belongs_to(user, project):
            return Reply(
                f"You are not a member of {project.name}'s channels, so I can't answer "
                "questions about it here."
            )
        self._threads.save(replace(state, project=project.key, pending_question=None))
        if message.lower().startswith(DRAFT_PROMPT.lower()):
            return _draft(project, message[len(DRAFT_PROMPT) :])
        return AskInput(project.key, thread.channel, user, message, ts, thread.ts, private=True)

    def _choose(self, state: PaneThread, text: str) -> tuple[Project | None, str]:
        keys = {p.key: p for p in self._projects.projects}
        match = _PREFIX.match(text)
        if match and match.group(1).lower() in keys:
            return keys[match.group(1).lower()], text[match.end() :]
        if text.lower() in keys and state.pending_question:
            return keys[text.lower()], state.pending_question  # the answer to "which project?"
        if state.project in keys:
            return keys[state.project], text
        viewed = self._projects.for_channel(state.viewing_channel)
        return viewed, text

    def _welcome(self, user: str, viewing: str | None, membership: Membership) -> Welcome:
        project = self._projects.for_channel(viewing)
        if project is not None and membership.belongs_to(user, project):
            return Welcome(
                f"Hi! Ask me what was decided in {project.name}; I answer from its records, "
                "with sources, and ask the reviewers when nothing recorded answers it.",
                (
                    Prompt(
                        "What did the client decide?",
                        "What did the client decide in the latest meeting?",
                    ),
                    Prompt("What is still open?", OPEN_QUESTION[0].upper() + OPEN_QUESTION[1:]),
                    Prompt("Draft stories from notes", DRAFT_PROMPT),
                ),
            )
        mine = [p for p in self._projects.projects if membership.belongs_to(user, p)]
        prompts = tuple(
            Prompt(
                f"Open in {p.name}"[:TITLE_LIMIT], f"{p.key}: what is still open for this sprint?"
            )
            for p in mine[:3]
        )
        return Welcome(
            "Hi! Ask me what was decided in your projects. Start with the project's key "
            "(like `acme: …`) or open the pane beside one of its channels.",
            prompts or (Prompt("What can you do?", "What can you do?"),),
        )


def _which_project(mine: list[Project]) -> str:
    if not mine:
        return (
            "You are not in any project's channels yet, so there is nothing I may answer "
            "for you here."
        )
    keys = ", ".join(f"`{p.key}` ({p.name})" for p in mine)
    return f"Which project is this about? Reply with its key: {keys}. I'll answer right after."


def _draft(project: Project, notes: str) -> DraftRequest | Reply:
    notes = notes.lstrip(" :\n\t")
    if len(notes.split()) < MIN_NOTES_WORDS:
        return Reply(
            f"Paste the meeting notes after “{DRAFT_PROMPT}” in the same message; the drafted "
            f"cards go to <#{project.team.channel}> for the reviewers, as with `/story` there."
        )
    return DraftRequest(project.key, notes, project.team.channel)
