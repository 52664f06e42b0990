"""Quality checks for drafted user stories: pure functions, no I/O, standard library only.

The story service calls `check_batch` after the model answers and before anything reaches
Slack. The model's output is treated as a claim: quotes are looked up in the notes, the
Quality User Story criteria are linted (the role is also looked up in the notes), duplicates are
searched for in the batch and the approved backlog and reported once, on the later story, and
the notes' sentences are sorted into needs (those no story covers are listed) and open items
(questions and undecided points, for the client). Findings come ranked most severe first.
Embedding similarity is injected as a plain callable so this package never imports a model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.stories import Criterion, Severity

from .coverage import merge_questions, open_items, uncovered_needs
from .duplicates import (
    DEFAULT_EMBEDDING_THRESHOLD,
    DuplicateMatch,
    Similarity,
    comparison_text,
    find_duplicates,
    later_of,
)
from .grounding import QuoteCheck, grounding_findings, normalise, verify_quotes
from .qus import lint_batch, lint_story
from .ranking import rank_findings, severity_rank
from .types import UNKNOWN_ROLE, Check, Finding, StoryDraft

__all__ = [
    "DEFAULT_EMBEDDING_THRESHOLD",
    "UNKNOWN_ROLE",
    "BatchReport",
    "Check",
    "Criterion",
    "DuplicateMatch",
    "Finding",
    "QuoteCheck",
    "Severity",
    "Similarity",
    "StoryDraft",
    "StoryReport",
    "check_batch",
    "comparison_text",
    "find_duplicates",
    "lint_batch",
    "lint_story",
    "merge_questions",
    "normalise",
    "open_items",
    "rank_findings",
    "severity_rank",
    "uncovered_needs",
    "verify_quotes",
]


@dataclass(frozen=True, slots=True)
class StoryReport:
    """What the checks found about one drafted story, in the batch's order.

    `findings` are ranked most severe first (`rank_findings`). `duplicates` are the matches
    reported on this story: against the backlog, or with an earlier story of the batch."""

    story: StoryDraft
    quotes: QuoteCheck
    findings: tuple[Finding, ...]
    duplicates: tuple[DuplicateMatch, ...]

    @property
    def unsupported(self) -> bool:
        """No quote of this story could be verified in the notes."""
        return self.quotes.unsupported

    @property
    def errors(self) -> tuple[Finding, ...]:
        """Findings that should block approval until a human has looked."""
        return tuple(f for f in self.findings if f.severity == "error")


@dataclass(frozen=True, slots=True)
class BatchReport:
    """Per-story reports, the need sentences of the notes that no story covers, and the
    sentences of the notes that are open questions or undecided points (for the client)."""

    stories: tuple[StoryReport, ...]
    uncovered_needs: tuple[str, ...]
    open_items: tuple[str, ...] = ()


def check_batch(
    stories: Sequence[StoryDraft],
    notes: str,
    *,
    backlog: Sequence[tuple[str, str]] = (),
    similarity: Similarity | None = None,
    threshold: float | None = None,
) -> BatchReport:
    """Run every check on a drafted batch.

    `backlog` holds (id, text) of approved stories, text ideally built with `comparison_text`.
    `similarity(a, b)` returns the cosine similarity of two texts' embeddings; without it,
    duplicates are found by wording alone. `threshold` defaults to the similarity's own
    `duplicate_threshold`, else `DEFAULT_EMBEDDING_THRESHOLD`. Findings are ranked most severe
    first; among equals, grounding comes first, since an unsupported story makes the rest moot.
    """
    matches = find_duplicates(stories, backlog, similarity, threshold)
    lint = lint_batch(stories, duplicates=matches, notes=notes)
    reports = []
    for index, (story, findings) in enumerate(zip(stories, lint, strict=True)):
        quotes = verify_quotes(story.source_quotes, notes)
        reports.append(
            StoryReport(
                story=story,
                quotes=quotes,
                findings=tuple(rank_findings((*grounding_findings(quotes), *findings))),
                duplicates=tuple(m for m in matches if later_of(m) == index),
            )
        )
    return BatchReport(
        tuple(reports),
        tuple(uncovered_needs(notes, stories)),
        tuple(open_items(notes)),
    )
