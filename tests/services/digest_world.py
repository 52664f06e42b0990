"""A digest service over the real SQL store on a fresh SQLite file, with a fake chat model, a
fixed clock and an in-memory publisher; plus helpers that put rows where the digest reads them.

Rows are written directly: stories, decisions and questions belong to other services, and the
digest service only reads them.
"""

from __future__ import annotations

import itertools
import shutil
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Literal

from bot.domain import MessageRef
from bot.domain.digests import DigestSideName
from bot.llm.prompts import PromptLibrary
from bot.projects import Project, ProjectsConfig, Side
from bot.services.digests.content import DigestContent
from bot.services.digests.service import DigestService
from bot.storage.db import Database
from bot.storage.digest_store import SqlDigestStore
from bot.storage.migrate import upgrade
from bot.storage.models import Decision, MeetingNote, Question, Story
from bot.storage.projects import upsert_project
from bot.storage.types import DecisionOrigin, NoteSource, QuestionStatus, StoryStatus
from tests.fakes import FakeChatModel, FixedClock

CLIENT, TEAM, SECRET = "C0CLIENT", "C0TEAM", "C0SECRET"
DEVELOPER, REVIEWER = "U0DEV", "U0REVIEWER"
MONDAY = date(2026, 3, 2)  # FixedClock's default moment is 09:00 UTC that day


def acme(quiet_digest: Literal["skip", "one_line"] = "one_line") -> ProjectsConfig:
    return ProjectsConfig(
        projects=(
            Project(
                key="acme",
                name="Acme Invoicing",
                channels=(SECRET,),
                reviewers=(REVIEWER,),
                client=Side(timezone="Europe/Oslo", channel=CLIENT),
                team=Side(timezone="Asia/Bangkok", channel=TEAM),
                quiet_digest=quiet_digest,
            ),
        )
    )


class SlackDown(Exception):
    """A failure worth another attempt."""


class NoSuchChannel(Exception):
    """A failure that no retry mends."""


@dataclass
class Posted:
    kind: Literal["digest", "quiet_line"]
    channel: str
    content: DigestContent


@dataclass
class FakeDigestPublisher:
    """Records what would be posted; `fail_next` makes the next posts raise instead."""

    posts: list[Posted] = field(default_factory=list)
    failures: deque[Exception] = field(default_factory=deque)

    def fail_next(self, *errors: Exception) -> None:
        self.failures.extend(errors)

    def post_digest(self, channel: str, content: DigestContent) -> MessageRef:
        return self._post(Posted("digest", channel, content))

    def post_quiet_line(self, channel: str, content: DigestContent) -> MessageRef:
        return self._post(Posted("quiet_line", channel, content))

    def find_posted(self, channel: str, content: DigestContent) -> MessageRef | None:
        for number, posted in enumerate(self.posts, start=1):
            same_day = (posted.content.project, posted.content.side, posted.content.local_date)
            if posted.channel == channel and same_day == (
                content.project,
                content.side,
                content.local_date,
            ):
                return MessageRef(channel, f"1700000000.{number:06d}")
        return None

    def is_transient(self, error: Exception) -> bool:
        return isinstance(error, SlackDown)

    def _post(self, posted: Posted) -> MessageRef:
        if self.failures:
            raise self.failures.popleft()
        self.posts.append(posted)
        return MessageRef(posted.channel, f"1700000000.{len(self.posts):06d}")


def _migrated_template(folder: Path) -> Path:
    """A freshly migrated database, made once per test session (folder: pytest's session
    temp folder) and copied for each test: migrating is most of a test's time otherwise."""
    template = folder / "digests-migrated.db"
    if not template.exists():
        building = folder / "digests-migrating.db"
        upgrade(f"sqlite:///{building}")  # closes its connections: the file is complete
        building.replace(template)
    return template


class World:
    def __init__(
        self, tmp_path: Path, projects: ProjectsConfig | None = None, *, url: str | None = None
    ) -> None:
        """`url`: a migrated database to use instead of a fresh SQLite file."""
        if url is None:
            shutil.copyfile(_migrated_template(tmp_path.parent), tmp_path / "apo.db")
            url = f"sqlite:///{tmp_path / 'apo.db'}"
        self.db = Database(url)
        self.projects = projects or acme()
        with self.db.session() as session:
            for project in self.projects.projects:
                upsert_project(project.key, project.name, language="en", session=session)
        self.clock = FixedClock()
        self.chat = FakeChatModel()
        self.naps: list[float] = []
        self.during_nap: list[Callable[[], object]] = []  # what other runs do while one sleeps
        self.store = SqlDigestStore(self.db)
        self.digests = DigestService(
            self.store,
            self.projects,
            self.chat,
            PromptLibrary().get("summarize_discussion"),
            clock=self.clock,
            sleep=self._nap,
        )
        self.slack = FakeDigestPublisher()
        self._asked = itertools.count(1)

    def _nap(self, seconds: float) -> None:
        """The service's sleep: recorded, and the clock moves on by as much."""
        self.naps.append(seconds)
        self.clock.advance(seconds=seconds)
        for during in self.during_nap:
            during()
        self.during_nap.clear()

    def post(
        self, side: DigestSideName, day: date = MONDAY, *, attempts: int = 3, backoff: float = 15.0
    ) -> MessageRef | None:
        return self.digests.post("acme", side, day, self.slack, attempts=attempts, backoff=backoff)

    def build(self, side: DigestSideName, day: date = MONDAY) -> DigestContent:
        return self.digests.build("acme", side, day)

    def ago(self, **delta: float) -> datetime:
        return self.clock.now - timedelta(**delta)

    # -- what other services would have stored ---------------------------------------------

    def note(
        self,
        text: str,
        *,
        channel: str = CLIENT,
        private: bool = False,
        at: datetime | None = None,
        open_questions: tuple[str, ...] = (),
    ) -> int:
        row = MeetingNote(
            project="acme",
            channel_id=channel,
            source=NoteSource.inline,
            raw_text=text,
            dedupe_key=text[:100],
            source_private=private,
            placement_channel=channel,
            placement_ts="1700000100.000100",
            open_questions=list(open_questions),
            created_at=at or self.ago(hours=2),
        )
        return self._add(row)

    def story(
        self,
        note_id: int,
        title: str,
        *,
        status: StoryStatus = StoryStatus.draft,
        at: datetime | None = None,
        changed: datetime | None = None,
        position: int = 0,
        issue_key: str | None = None,
    ) -> int:
        created = at or self.ago(hours=2)
        row = Story(
            note_id=note_id,
            project="acme",
            position=position,
            title=title,
            role="accountant",
            goal=title.lower(),
            status=status,
            card_channel=CLIENT,
            card_ts=f"1700000200.{position:06d}",
            issue_key=issue_key,
            issue_url=f"https://acme.atlassian.net/browse/{issue_key}" if issue_key else None,
            created_at=created,
            updated_at=changed or created,
        )
        return self._add(row)

    def decision(
        self,
        text: str,
        *,
        channel: str = CLIENT,
        private: bool = False,
        at: datetime | None = None,
    ) -> int:
        row = Decision(
            project="acme",
            text=text,
            author_id=REVIEWER,
            origin=DecisionOrigin.command,
            source_channel=channel,
            source_private=private,
            created_at=at or self.ago(hours=1),
        )
        return self._add(row)

    def question(
        self,
        text: str,
        *,
        channel: str = TEAM,
        private: bool = False,
        at: datetime | None = None,
        answer_text: str | None = None,
        answer_decision_id: int | None = None,
    ) -> int:
        asked = at or self.ago(hours=3)
        answered = answer_text is not None or answer_decision_id is not None
        row = Question(
            project="acme",
            channel_id=channel,
            message_ts=f"1700000300.{next(self._asked):06d}",
            asker_id=DEVELOPER,
            text=text,
            status=QuestionStatus.answered if answered else QuestionStatus.escalated,
            asked_at=asked,
            answered_at=asked + timedelta(minutes=30) if answered else None,
            source_private=private,
            answer_text=answer_text,
            answer_decision_id=answer_decision_id,
        )
        return self._add(row)

    def said(self, text: str, *, channel: str = TEAM, at: datetime | None = None) -> MessageRef:
        """A message in a project channel, as the message listener hands it over."""
        ts = f"{(at or self.ago(hours=1)).timestamp():.6f}"
        self.digests.collect_message(
            channel, ts, text, user_id=DEVELOPER, thread_ts=None, permalink=None
        )
        return MessageRef(channel, ts)

    def _add(self, row: MeetingNote | Story | Decision | Question) -> int:
        with self.db.session() as session:
            session.add(row)
            session.flush()
            assert row.id is not None
            return row.id
