"""Handover digests: what one side did, for the other side's morning.

The content window runs from the end of the last digest actually posted to that side, so a
day of downtime loses nothing. Posting is exactly once per (project, side, local date): the
key is claimed in the store before anything is posted, and a run marks the digest only while
its claim is the live one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta

from bot.domain import Clock, MessageRef, utc_now
from bot.domain.digests import DigestKey, DigestSideName
from bot.llm.base import ChatModel
from bot.llm.prompts import Prompt
from bot.projects import Project, ProjectsConfig
from bot.services.digests.content import (
    DigestContent,
    decision_ref,
    meeting_ref,
    story_ref,
    wrong_answer_ref,
)
from bot.services.digests.ports import DigestPublisher, DigestStore
from bot.services.digests.privacy import Privacy
from bot.services.digests.summary import summarise
from bot.services.digests.timing import side_of

log = logging.getLogger(__name__)
FIRST_WINDOW = timedelta(days=7)  # the very first digest looks back a week
# A pending claim this old was cut off by a crash, and the digest may be claimed again. A run
# claims only once the digest is built (the LLM summary, at most a few LLM timeouts, comes
# first), so a live claim spans one chat.postMessage: seconds, two minutes at the very worst
# with the Slack client's own retries. Short, so an interrupted morning digest still goes out
# on the next attempt that morning instead of waiting out a long lease.
STALE_CLAIM = timedelta(minutes=3)
DEFAULT_RETENTION = timedelta(days=90)  # APO_MESSAGE_RETENTION_DAYS
# How many times a run waits out another run's unposted claim: once is enough for a dead
# claimant (its claim is stale after the wait); twice covers a third run taking over meanwhile.
_HELD_WAITS = 2


class _Held:
    """The digest is claimed by another run that has not posted it (yet)."""


_HELD = _Held()


class DigestService:
    def __init__(
        self,
        store: DigestStore,
        projects: ProjectsConfig,
        chat: ChatModel,
        prompt: Prompt,
        *,
        retention: timedelta = DEFAULT_RETENTION,
        clock: Clock = utc_now,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._retention = retention
        self._store = store
        self._projects = projects
        self._chat = chat
        self._prompt = prompt
        self._clock = clock
        self._sleep = sleep

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
        return self._store.collect(
            project.key,
            MessageRef(channel, ts),
            text,
            user_id=user_id,
            thread_ts=thread_ts,
            permalink=permalink,
        )

    def revise_message(self, channel: str, ts: str, text: str | None) -> bool:
        """A collected message was edited (`text`) or deleted (None) in Slack: digests
        summarise what it says now, or nothing of it."""
        if self._projects.for_channel(channel) is None:
            return False
        return self._store.revise(MessageRef(channel, ts), text if text and text.strip() else None)

    def forget_old_messages(self) -> int:
        """Delete the collected channel messages older than the retention period."""
        forgotten = self._store.forget_before(self._clock() - self._retention)
        if forgotten:
            log.info("forgot %d collected channel messages past retention", forgotten)
        return forgotten

    def last_posted_date(self, project: str, side: DigestSideName) -> date | None:
        posted = self._store.last_posted(project, side)
        return posted.local_date if posted else None

    def post(
        self,
        project: str,
        side: DigestSideName,
        local_date: date,
        publisher: DigestPublisher,
        *,
        until: datetime | None = None,
        attempts: int = 3,
        backoff: float = 15.0,
        take_over: bool = False,
    ) -> MessageRef | None:
        """Build, claim and post; the message, or None when nothing was posted (already
        posted by another run, or a quiet day the project skips).

        A post that fails for a passing reason (Slack down, a dropped connection) is marked
        failed, then claimed and posted again, up to `attempts` times in all, `backoff`,
        2 × `backoff`, … seconds apart, so a brief outage at digest time still gets the day's
        digest out. The last failure, or a lasting one (an unknown channel), is raised.

        `take_over`: an earlier run of this digest died (its job's lease lapsed), so its claim
        is taken over at once, and a digest it got into the channel is adopted, not repeated.
        """
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        config = self._projects.get(project)
        content = self.build(config.key, side, local_date, until=until)
        attempt = 1
        waits = 0
        while True:
            try:
                outcome = self._post_once(content, config, publisher, take_over=take_over)
                if not isinstance(outcome, _Held):
                    return outcome
                if waits >= _HELD_WAITS:
                    log.warning(
                        "%s digest for %s on %s is still claimed by another run; leaving it",
                        side,
                        project,
                        local_date,
                    )
                    return None
                # Another run claimed it and has not posted yet: it may be posting now, or it
                # may have died between claim and post (a crash, a deploy). Giving up here
                # would lose the morning's digest when that run is dead, so wait until its
                # claim is stale, then claim again: the live run has posted by then (and the
                # claim fails for good), or it is dead and this run posts instead.
                waits += 1
                log.info(
                    "%s digest for %s on %s is claimed but not posted; checking again in %s",
                    side,
                    project,
                    local_date,
                    STALE_CLAIM,
                )
                self._sleep(STALE_CLAIM.total_seconds() + 1)
                continue
            except Exception as exc:  # the publisher's own errors: it says which may pass
                if attempt >= attempts or not publisher.is_transient(exc):
                    raise
                delay = backoff * 2 ** (attempt - 1)
                log.warning(
                    "%s digest for %s on %s failed (%s); trying again in %.1f s",
                    side,
                    project,
                    local_date,
                    exc,
                    delay,
                )
                self._sleep(delay)
                attempt += 1

    def _post_once(
        self,
        content: DigestContent,
        config: Project,
        publisher: DigestPublisher,
        *,
        take_over: bool = False,
    ) -> MessageRef | _Held | None:
        key = DigestKey(content.project, content.side, content.local_date)
        channel = side_of(config, content.side).channel
        claimed_at = self._clock()  # the claim's token; not the digest's moment (`until`)
        won = self._store.claim(
            key,
            channel=channel,
            window_start=content.window_start,
            window_end=content.window_end,
            claimed_at=claimed_at,
            stale_before=claimed_at if take_over else claimed_at - STALE_CLAIM,
        )
        if not won:
            posted = self._store.last_posted(key.project, key.side)
            if posted is not None and posted.local_date >= key.local_date:
                log.info(
                    "%s digest for %s on %s is already posted",
                    key.side,
                    key.project,
                    key.local_date,
                )
                return None
            return _HELD
        try:
            message: MessageRef | None
            found = publisher.find_posted(channel, content) if take_over else None
            if found is not None:
                log.info(
                    "%s digest for %s on %s was already posted; keeping it",
                    key.side,
                    key.project,
                    key.local_date,
                )
                message = found
            elif not content.is_quiet:
                message = publisher.post_digest(channel, content)
            elif config.quiet_digest == "one_line":
                message = publisher.post_quiet_line(channel, content)
            else:
                message = None  # skipped, and marked posted so no later run sends it
        except Exception as exc:
            self._store.mark_failed(key, str(exc), claimed_at=claimed_at)
            raise
        self._store.mark_posted(key, message, claimed_at=claimed_at)
        return message

    def preview(self, project_key: str, side: DigestSideName) -> DigestContent:
        """What the side's digest would say if it went out now (`/apo digest now`); nothing is
        claimed or marked, so the scheduled digest still goes out in full."""
        project = self._projects.get(project_key)
        now = self._clock()
        return self.build(project.key, side, now.astimezone(side_of(project, side).zone).date())

    def build(
        self,
        project_key: str,
        side: DigestSideName,
        local_date: date,
        *,
        until: datetime | None = None,
    ) -> DigestContent:
        """What the side's channel gets for the window ending `until` (default: now); see
        `Privacy` for what it may not see."""
        project = self._projects.get(project_key)
        privacy = Privacy(side_of(project, side).channel)
        end = until or self._clock()
        last = self._store.last_posted(project.key, side)
        start = last.window_end if last and last.window_end else end - FIRST_WINDOW
        seen = self._store.activity(
            project.key, since=start, until=end, discussion_channel=project.team.channel
        )
        content = DigestContent(
            project=project.key,
            project_name=project.name,
            side=side,
            local_date=local_date,
            window_start=start,
            window_end=end,
            decisions=tuple(decision_ref(d) for d in privacy.visible(seen.decisions)),
            waiting=tuple(story_ref(s) for s in privacy.visible(seen.waiting)),
            open_questions=tuple(privacy.question(q) for q in seen.open_questions),
        )
        if side == "client":
            return replace(
                content,
                discussion=summarise(self._chat, self._prompt, project, seen.discussion),
                # Answers people marked wrong reach the reviewers, with one click to correct.
                wrong_answers=tuple(
                    wrong_answer_ref(w) for w in privacy.visible(seen.wrong_answers)
                ),
            )
        changed = privacy.visible(seen.changed)
        return replace(
            content,
            meetings=tuple(meeting_ref(n) for n in privacy.visible(seen.notes)),
            approved=tuple(story_ref(s) for s in changed if s.status == "approved"),
            rejected=tuple(story_ref(s) for s in changed if s.status == "rejected"),
            drafted=tuple(story_ref(s) for s in changed if s.created_at >= start),
            answered=tuple(privacy.question(q) for q in seen.asked if q.answered),
        )
