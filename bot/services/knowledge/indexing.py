"""Everything that goes into the retrieval index: the team's Markdown knowledge, meeting
notes, decisions and approved stories, each described by one `IndexRecord`.

Ids are stable (`knowledge:<path>#<n>`, `note:<id>#<n>`, `decision:<id>`, `story:<id>`) and a
file's old sections are removed before its new ones go in, so re-indexing updates instead of
duplicating, also when a file got shorter.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.domain import Clock, utc_now
from bot.domain.knowledge import DecisionView
from bot.domain.stories import StoryView
from bot.errors import BotError
from bot.retrieval.types import (
    Document,
    IndexRecord,
    KnowledgeStore,
    is_translation,
    translation_document,
)
from bot.services.knowledge.folders import is_skipped_by_default, owning_project, without_banner
from bot.services.knowledge.ports import Translator

log = logging.getLogger(__name__)

Splitter = Callable[[str], list[tuple[str, str]]]
PUBLIC = "public"
Seen = tuple[str, str]  # (where it may be cited, normalised text)
# "Status: Superseded", "- Status: superseded by 0005", "**Status:** superseded" (ADR style)
_SUPERSEDED = re.compile(
    r"^[\s>*-]*\**status\**\s*:\s*\**\s*superseded", re.IGNORECASE | re.MULTILINE
)


@dataclass(frozen=True)
class IndexReport:
    files: int
    sections: int
    skipped: tuple[str, ...] = ()  # READMEs, examples, another project's folder
    duplicates: int = 0  # sections whose text the project's index already held


class KnowledgeIndexer:
    def __init__(
        self,
        knowledge: Callable[[], KnowledgeStore],
        split: Splitter,
        *,
        clock: Clock = utc_now,
        translator: Translator | None = None,
    ) -> None:
        self._knowledge = knowledge
        self._split = split
        self._clock = clock
        self._translator = translator

    def index_decisions(
        self, decision: DecisionView, superseded: DecisionView | None, *, question_text: str | None
    ) -> None:
        """A new decision (an answer indexed with its question, so that question finds it
        again) and the one it superseded, now marked. A failure is logged, not raised: the
        decision is stored, and `apo index` can rebuild the index later."""
        text = decision.text
        if question_text:
            text = f"Question: {question_text}\nAnswer: {decision.text}"
        docs = [_decision_document(decision, text)]
        if superseded is not None:
            docs.append(_decision_document(superseded, superseded.text))
        try:
            self._knowledge().upsert(self._translated(docs))
        except Exception:
            ids = [decision.id] + ([superseded.id] if superseded else [])
            log.exception("could not index decisions %s", ids)

    def index_story(self, story: StoryView, *, channel: str | None, private: bool) -> None:
        """An approved story becomes searchable knowledge; a failure here is logged, not
        raised, so it never undoes the approval."""
        criteria = "\n".join(f"Given {c.given} When {c.when} Then {c.then}" for c in story.criteria)
        record = IndexRecord(
            project=story.project,
            kind="story",
            title=f"Story #{story.id}: {story.title}",
            source_channel=channel or "",
            private=private,
            author=story.decided_by or "",
            created_at=story.decided_at or self._clock(),
            story_id=story.id,
        )
        doc = Document(
            f"story:{story.id}",
            f"{story.title}\n{story.sentence}\n{criteria}",
            record.to_metadata(),
        )
        try:
            self._knowledge().upsert([doc])
        except Exception:
            log.exception("could not index approved story %s", story.id)

    def index_path(self, path: Path, *, project: str, include_all: bool = False) -> IndexReport:
        """Index a Markdown file, or a folder's Markdown: README files and `examples/` only
        with `include_all` (or named as the file), another project's folder never."""
        if not path.exists():
            raise BotError(f"There is no file or folder {path}.")
        owner = owning_project(path if path.is_file() else path / "_")
        if owner not in (None, project):
            raise BotError(
                f"{path} is project {owner}'s knowledge; index it with --project {owner}."
            )
        candidates = sorted(path.rglob("*.md")) if path.is_dir() else [path]
        files, skipped = [], []
        for file in candidates:
            if owning_project(file) not in (None, project) or (
                path.is_dir() and not include_all and is_skipped_by_default(file, path)
            ):
                skipped.append(_stable_path(file))
            else:
                files.append(file)
        # What this run re-indexes is replaced, so only other sources' passages count as seen.
        seen = self._indexed_texts(project, but_sources={_stable_path(f) for f in files})
        sections = duplicates = 0
        for file in files:
            relative = _stable_path(file)
            text = without_banner(file.read_text(encoding="utf-8", errors="replace"))
            modified = datetime.fromtimestamp(file.stat().st_mtime, tz=UTC)
            added, dropped = self._replace(
                f"knowledge:{project}:{relative}",
                text,
                project=project,
                kind="knowledge",
                source=relative,
                fallback_title=relative,
                created_at=modified,
                superseded=bool(_SUPERSEDED.search(text)),
                seen=seen,
            )
            sections, duplicates = sections + added, duplicates + dropped
        return IndexReport(len(files), sections, tuple(skipped), duplicates)

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
        added, _ = self._replace(
            f"note:{project}:{note_id}",
            text,
            project=project,
            kind="note",
            source=f"note:{note_id}",
            fallback_title=title or f"Meeting notes #{note_id}",
            created_at=created_at,
            channel=channel or "",
            private=private,
            seen=self._indexed_texts(project, but_sources={f"note:{note_id}"}),
        )
        return added

    def remove_note(self, note_id: int, *, project: str) -> None:
        """A note whose message was deleted (or whose draft failed) leaves the index."""
        self._knowledge().delete_where({"project": project, "source": f"note:{note_id}"})

    def remove_story(self, story_id: int) -> None:
        """A story rejected after its approval leaves the index; a failure is logged."""
        try:
            self._knowledge().delete([f"story:{story_id}"])
        except Exception:
            log.exception("could not remove story %s from the index", story_id)

    def remove_decision(self, decision_id: int) -> None:
        """A removed decision leaves the index; a failure is logged (`apo index` rebuilds)."""
        try:
            self._knowledge().delete([f"decision:{decision_id}"])
        except Exception:
            log.exception("could not remove decision %s from the index", decision_id)

    def _translated(self, docs: list[Document]) -> list[Document]:
        """``docs`` and their translations into the project's other languages (made once per
        text by the chat model, see services.knowledge.translation); citations quote the
        originals, the translations are only found."""
        if self._translator is None:
            return docs
        out = list(docs)
        for doc in docs:
            project = str(doc.metadata.get("project", ""))
            for language, text in self._translator.translations(project, doc.text).items():
                out.append(translation_document(doc, language, text))
        return out

    def _indexed_texts(self, project: str, *, but_sources: set[str]) -> set[Seen]:
        """The project's current passages, normalised, each with where it may be cited: a
        section with the same text and at least that reach is not indexed a second time (it
        would come back twice in every answer)."""
        return {
            (_reach(doc.metadata.get("private"), doc.metadata.get("source_channel")), text)
            for doc in self._knowledge().all({"project": project})
            if doc.metadata.get("source") not in but_sources
            and not is_translation(doc.id)
            and not doc.metadata.get("superseded")
            and (text := _normalised(doc.text))
        }

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
        seen: set[Seen],
    ) -> tuple[int, int]:
        """Replace a source's sections; (sections indexed, sections dropped as duplicates).
        `seen` holds the passages already indexed and gains the new ones. A public copy
        covers every channel; a private one only its own, so it never hides a public one."""
        store = self._knowledge()
        store.delete_where({"project": project, "source": source})  # IndexRecord's keys
        sections: list[tuple[str, str]] = []
        split = self._split(text)
        reach = _reach(private, channel)
        for title, section in split:
            text = _normalised(section)
            if not text or (PUBLIC, text) in seen or (reach, text) in seen:
                continue
            if not superseded:  # history is not cited, so it covers nothing
                seen.add((reach, text))
            sections.append((title, section))
        dropped = len(split) - len(sections)
        docs = [
            Document(
                id=f"{prefix}#{n}",
                text=section,
                metadata=IndexRecord(
                    project=project,
                    kind=kind,
                    source=source,
                    title=title or fallback_title,
                    source_channel=channel,
                    private=private,
                    superseded=superseded,
                    created_at=created_at,
                ).to_metadata(),
            )
            for n, (title, section) in enumerate(sections)
        ]
        if docs:
            # Knowledge sections are records people write; meeting notes are long and are
            # searched through the decisions and stories drafted from them.
            store.upsert(self._translated(docs) if kind == "knowledge" else docs)
        return len(docs), dropped


def _normalised(text: str) -> str:
    return " ".join(text.casefold().split())


def _reach(private: object, channel: object) -> str:
    """Where a passage may be cited: everywhere, or only in its own private channel."""
    return f"channel:{channel or ''}" if private else PUBLIC


def _stable_path(file: Path) -> str:
    """The same file gets the same id whichever folder was indexed: its path from the working
    directory (the repository) when it is inside it, else its absolute path."""
    resolved = file.resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def _decision_document(decision: DecisionView, text: str) -> Document:
    record = IndexRecord(
        project=decision.project,
        kind="decision",
        title=f"Decision #{decision.id}",
        source_channel=decision.source_channel or "",
        private=decision.private,
        superseded=decision.superseded_by_id is not None,
        permalink=decision.permalink or "",
        author=decision.author_id,
        created_at=decision.created_at,
    )
    return Document(f"decision:{decision.id}", text, record.to_metadata())
