"""Which stories of a batch a story depends on. The model names them by title ("titles of
other stories in this batch"); a reviewer may write "story 2" or "#12"."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.domain.stories import StoryView

_NOT_WORD = re.compile(r"[^\w]+")


def blockers(story: StoryView, batch: Sequence[StoryView]) -> list[StoryView]:
    """The stories of the same batch (or backlog) this one depends on, in its order."""
    found: list[StoryView] = []
    for text in story.dependencies:
        other = _resolve(text, story, batch)
        if other is not None and other not in found:
            found.append(other)
    return found


def _resolve(text: str, story: StoryView, batch: Sequence[StoryView]) -> StoryView | None:
    wanted = _words(text)
    others = [s for s in batch if s.id != story.id]
    by_title = [s for s in others if _words(s.title) == wanted]
    if by_title:
        return by_title[0]
    if m := re.fullmatch(r"(?:story\s*)?#(\d+)", text.strip(), re.IGNORECASE):
        return next((s for s in others if s.id == int(m.group(1))), None)
    if m := re.fullmatch(r"story\s+(\d+)", text.strip(), re.IGNORECASE):
        return next((s for s in others if s.position == int(m.group(1))), None)  # as on its card
    return None


def _words(text: str) -> str:
    return " ".join(_NOT_WORD.sub(" ", text.casefold()).split())
