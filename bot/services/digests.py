"""Handover digests: what one side did, for the other side's morning.

The content window runs from the end of the last digest actually posted to that side, so a
day of downtime loses nothing. Posting is exactly once per (project, side, local date): the
key is claimed in the database before anything is posted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta

from pydantic import BaseModel

from bot.errors import BotError
from bot.llm.base import ChatModel
from bot.llm.prompts import Prompt
from bot.projects import Project, ProjectsConfig
from bot.services.digest_content import DigestContent, DiscussionSummary, SideName
from bot.services.digest_refs import Privacy, decision_ref, meeting_ref, story_ref
from bot.storage import (
    add_channel_message,
    claim_digest,
    get_decision,
    get_note,
    last_posted_digest,
    list_channel_messages,
    list_decisions,
    list_questions,
    list_stories,
    mark_digest_failed,
    mark_digest_posted,
    notes_between,
    open_questions,
)
from bot.storage.db import Database
from bot.storage.models import ChannelMessage
from bot.storage.types import DigestSide, QuestionStatus, StoryStatus, now_utc

log = logging.getLogger(__name__)
FIRST_WINDOW = timedelta(days=7)  # the very first digest looks back a week
# A pending claim this old was cut off by a crash, and the digest may be claimed again. A run
# claims only once the digest is built (the LLM summary, at most a few LLM timeouts, comes
# first), so a live claim spans one chat.postMessage: seconds, two minutes at the very worst
# with the Slack client's own retries. Short, so an interrupted morning digest still goes out
# on the next attempt that morning instead of waiting out a long lease.
STALE_CLAIM = timedelta(minutes=3)


class Summary(BaseModel):
    summary: str
    cited: list[int]


class DigestService:
    def __init__(
        self,
        db: Database,
        projects: ProjectsConfig,
        chat: ChatModel,
        prompt: Prompt,
        *,
        clock: Callable[[], datetime] = now_utc,
    ) -> None:
        self._db = db
        self._projects = projects
        self._chat = chat
        self._prompt = prompt
        self._clock = clock

    # -- collecting ----------------------------------------------------------------------

    def collect_message(
        self,
        channel: str,
        ts: str,
        text: str,
        *,
        user_id: str | None,
        thread_ts: str | None,
        permalink: str | None,
    ) -> bool:
        """Keep a message of a project channel for the next digest's discussion summary."""
        project = self._projects.for_channel(channel)
        if project is None or not text.strip():
            return False
        with self._db.session() as session:
            return add_channel_message(
                project.key,
                channel,
                ts,
                text,
                user_id=user_id,
                thread_ts=thread_ts,
                permalink=permalink,
                session=session,
            )

    # -- exactly once --------------------------------------------------------------------

    def last_posted_date(self, project: str, side: str) -> date | None:
        with self._db.session() as session:
            digest = last_posted_digest(project, DigestSide(side), session=session)
        return digest.local_date if digest else None

    def claim(self, content: DigestContent, channel: str) -> datetime | None:
        """A claim token if this run may post the digest: it is new, its last attempt
        failed, or its pending claim is stale. One conditional write, so of racing runs one
        wins; the token makes sure a run that lost its claim cannot mark the digest."""
        now = now_utc()  # wall-clock time, not the digest's moment (`apo digest --now`)
        with self._db.session() as session:
            won = claim_digest(
                content.project,
                DigestSide(content.side),
                content.local_date,
                channel_id=channel,
                window_start=content.window_start,
                window_end=content.window_end,
                stale_before=now - STALE_CLAIM,
                claimed_at=now,
                session=session,
            )
        return now if won else None

    def posted(self, content: DigestContent, channel: str, ts: str, token: datetime) -> None:
        with self._db.session() as session:
            mark_digest_posted(
                content.project,
                DigestSide(content.side),
                content.local_date,
                channel_id=channel,
                message_ts=ts,
                claimed_at=token,
                session=session,
            )

    def failed(self, content: DigestContent, error: str, token: datetime) -> None:
        with self._db.session() as session:
            mark_digest_failed(
                content.project,
                DigestSide(content.side),
                content.local_date,
                error,
                claimed_at=token,
                session=session,
            )

    # -- content -------------------------------------------------------------------------

    def build(self, project_key: str, side: SideName, local_date: date) -> DigestContent:
        """What the side's channel gets: see `Privacy` for what it may not see."""
        project = self._projects.get(project_key)
        privacy = Privacy((project.client if side == "client" else project.team).channel)
        end = self._clock()
        with self._db.session() as session:
            last = last_posted_digest(project.key, DigestSide(side), session=session)
            start = last.window_end if last and last.window_end else end - FIRST_WINDOW
            changed = privacy.stories(
                list_stories(project=project.key, since=start, until=end, session=session),
                session=session,
            )
            waiting = privacy.stories(
                list_stories(project=project.key, status=StoryStatus.draft, session=session),
                session=session,
            )
            decisions = privacy.decisions(
                list_decisions(
                    project.key, include_superseded=True, since=start, until=end, session=session
                )
            )
            asked = list_questions(project.key, since=start, until=end, session=session)
            answered_by = privacy.decisions(
                get_decision(q.answer_decision_id, session=session)
                for q in asked
                if q.answer_decision_id is not None
            )
            answers = {d.id: d.text for d in answered_by if d.id is not None}
            still_open = open_questions(project.key, session=session)
            notes = privacy.notes(
                notes_between(project.key, since=start, until=end, session=session)
            )
            meetings = tuple(
                meeting_ref(n, list_stories(note_id=n.id, session=session)) for n in notes
            )
            messages = list_channel_messages(
                project.key,
                since=start,
                until=end,
                channel_id=project.team.channel,
                session=session,
            )
            threads = {
                note_id: get_note(note_id, session=session).placement_ts
                for note_id in {s.note_id for s in [*changed, *waiting]}
            }
        content = DigestContent(
            project=project.key,
            project_name=project.name,
            side=side,
            local_date=local_date,
            window_start=start,
            window_end=end,
            decisions=tuple(decision_ref(d) for d in decisions),
            waiting=tuple(story_ref(s, threads) for s in waiting),
            open_questions=tuple(privacy.question(q, answers) for q in still_open),
        )
        if side == "team":
            return replace(
                content,
                meetings=meetings,
                approved=tuple(
                    story_ref(s, threads) for s in changed if s.status == StoryStatus.approved
                ),
                rejected=tuple(
                    story_ref(s, threads) for s in changed if s.status == StoryStatus.rejected
                ),
                drafted=tuple(story_ref(s, threads) for s in changed if s.created_at >= start),
                answered=tuple(
                    privacy.question(q, answers)
                    for q in asked
                    if q.status == QuestionStatus.answered
                ),
            )
        return replace(content, discussion=self._summarise(project, messages))

    def _summarise(
        self, project: Project, messages: Sequence[ChannelMessage]
    ) -> DiscussionSummary | None:
        if not messages:
            return None
        recent = list(messages)[-80:]  # the model reads the latest; older ones are linked
        numbered = "\n".join(
            f"[{n}] <{m.user_id or 'someone'}> {m.text[:600]}"
            for n, m in enumerate(recent, start=1)
        )
        sources = tuple((m.channel_id, m.ts) for m in recent)
        try:
            answer = self._chat.structured(
                self._prompt.render(project_name=project.name, messages=numbered),
                Summary,
                purpose="digest_summary",
            )
        except BotError as exc:
            log.warning("digest summary for %s unavailable: %s", project.key, exc)
            return DiscussionSummary(None, sources)
        # Keep the numbering the model saw: [n] in its text is sources[n - 1].
        cited = tuple(n for n in dict.fromkeys(answer.cited) if 1 <= n <= len(recent))
        return DiscussionSummary(answer.summary.strip(), sources, cited)
