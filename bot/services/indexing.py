"""Putting the team's Markdown knowledge and meeting notes into the retrieval index.

Ids are stable (`knowledge:<path>#<n>`, `note:<id>#<n>`) and a file's old sections are removed
before its new ones go in, so re-indexing updates instead of duplicating, also when a file got
shorter.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.domain import StoryView
from bot.errors import BotError
from bot.retrieval.types import Document, KnowledgeStore

Splitter = Callable[[str], list[tuple[str, str]]]
# "Status: Superseded", "- Status: superseded by 0005", "**Status:** superseded" (ADR style)
_SUPERSEDED = re.compile(
    r"^[\s>*-]*\**status\**\s*:\s*\**\s*superseded", re.IGNORECASE | re.MULTILINE
)


@dataclass(frozen=True)
class IndexReport:
    files: int
    sections: int


class KnowledgeIndexer:
    def __init__(self, knowledge: Callable[[], KnowledgeStore], split: Splitter) -> None:
        self._knowledge = knowledge
        self._split = split

    def index_path(self, path: Path, *, project: str) -> IndexReport:
        if not path.exists():
            raise BotError(f"There is no file or folder {path}.")
        files = sorted(path.rglob("*.md")) if path.is_dir() else [path]
        sections = 0
        for file in files:
            relative = _stable_path(file)
            text = file.read_text(encoding="utf-8", errors="replace")
            modified = datetime.fromtimestamp(file.stat().st_mtime, tz=UTC)
            sections += self._replace(
                f"knowledge:{project}:{relative}",
                text,
                project=project,
                kind="knowledge",
                source=relative,
                fallback_title=relative,
                created_at=modified,
                superseded=bool(_SUPERSEDED.search(text)),
            )
        return IndexReport(len(files), sections)

    def index_note(
        self,
        note_id: int,
        text: str,
        *,
        project: str,
        title: str,
        channel: str | None,
        private: bool,
        created_at: datetime,
    ) -> int:
        return self._replace(
            f"note:{project}:{note_id}",
            text,
            project=project,
            kind="note",
            source=f"note:{note_id}",
            fallback_title=title or f"Meeting notes #{note_id}",
            created_at=created_at,
            channel=channel or "",
            private=private,
        )

    def index_story(self, story: StoryView, *, channel: str | None, private: bool) -> None:
        """An approved story as searchable knowledge, cited as "Story #n"."""
        criteria = "\n".join(f"Given {c.given} When {c.when} Then {c.then}" for c in story.criteria)
        decided_at = story.decided_at or datetime.now(UTC)
        doc = Document(
            id=f"story:{story.id}",
            text=f"{story.title}\n{story.sentence}\n{criteria}",
            metadata={
                "project": story.project,
                "kind": "story",
                "title": f"Story #{story.id}: {story.title}",
                "source_channel": channel or "",
                "private": private,
                "superseded": False,
                "permalink": "",
                "author": story.decided_by or "",
                "created_at": decided_at.isoformat(),
                "story_id": story.id,
            },
        )
        self._knowledge().upsert([doc])

    def _replace(
        self,
        prefix: str,
        text: str,
        *,
        project: str,
        kind: str,
        source: str,
        fallback_title: str,
        created_at: datetime,
        channel: str = "",
        private: bool = False,
        superseded: bool = False,
    ) -> int:
        store = self._knowledge()
        store.delete_where({"project": project, "source": source})
        docs = [
            Document(
                id=f"{prefix}#{n}",
                text=section,
                metadata={
                    "project": project,
                    "kind": kind,
                    "source": source,
                    "title": title or fallback_title,
                    "source_channel": channel,
                    "private": private,
                    "superseded": superseded,
                    "permalink": "",
                    "author": "",
                    "created_at": created_at.isoformat(),
                },
            )
            for n, (title, section) in enumerate(self._split(text))
        ]
        if docs:
            store.upsert(docs)
        return len(docs)


def _stable_path(file: Path) -> str:
    """The same file gets the same id whichever folder was indexed: its path from the working
    directory (the repository) when it is inside it, else its absolute path."""
    resolved = file.resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()
