"""Plain value types shared by the quality checks.

The checks take these instead of storage models or LLM schemas so that they stay pure: the
story service converts whatever the model returned into a `StoryDraft`, and the Slack layer turns
`Finding`s into text. Everything is frozen so a report can be cached or compared in tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.domain.stories import Criterion, Severity

UNKNOWN_ROLE = "unknown"
"""The role the drafting prompt uses when the notes do not say who needs the feature."""


class Check(StrEnum):
    """Names of the checks, stable because reviewers and exports refer to them."""

    WELL_FORMED = "well_formed"
    ATOMIC = "atomic"
    MINIMAL = "minimal"
    UNAMBIGUOUS = "unambiguous"
    ESTIMATABLE = "estimatable"
    UNIFORM = "uniform"
    UNIQUE = "unique"
    GROUNDED = "grounded"
    CRITERIA = "criteria"  # scenario shape: a Given, one When, a Then
    TESTABLE = "testable"  # a Then no test can observe (feelings, absolutes, no outcome)
    ROLE = "role"  # missing, unknown, generic or not named in the notes


@dataclass(frozen=True, slots=True)
class StoryDraft:
    """A drafted user story as the model proposed it, before any human review.

    `goal` is the means ("export the report to PDF"), with or without a leading "to".
    `benefit` is the end (the "so that" part) and may be empty. `source_quotes` are the words
    from the notes the model says the story came from; they are checked, not trusted.
    """

    title: str
    role: str
    goal: str
    benefit: str = ""
    criteria: tuple[Criterion, ...] = ()
    source_quotes: tuple[str, ...] = ()

    @property
    def sentence(self) -> str:
        """The story in the Connextra template, as a reviewer would read it."""
        text = f"As a {self.role.strip()}, I want {self.goal.strip()}"
        if self.benefit.strip():
            text += f", so that {self.benefit.strip()}"
        return text


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem or remark about a story, written for the human reviewer."""

    check: Check
    severity: Severity
    message: str
