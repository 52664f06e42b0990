"""Checking meeting notes before they are stored: empty, wordless or oversized input gets a
message that says what to do, instead of a model call that can only fail."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.errors import BotError

_EMOJI_CODE = re.compile(r":[a-z0-9_+\-']+:")
_SLACK_TOKEN = re.compile(r"<[^>]*>")


class NotesRejected(BotError):
    """The notes cannot be drafted from as they are; the message says why and what to do."""


@dataclass(frozen=True)
class NotesSubmission:
    project: str
    text: str
    source: str  # inline | modal | message | file | cli
    author_id: str | None
    channel_id: str | None
    title: str = ""
    meeting_date: date | None = None
    # Until Slack has told us the channel is public (after the ack), notes count as private:
    # a digest or answer built in between must not show them elsewhere.
    private: bool = True
    # What makes a delivery unique (e.g. trigger id): a retried delivery maps to the same note.
    delivery_id: str = ""


def check_notes(text: str, *, max_chars: int) -> str:
    notes = text.strip()
    if not notes:
        raise NotesRejected(
            "There are no notes to draft from. Write `/story` followed by the notes, or "
            "`/story` alone to paste them into a form."
        )
    if len(notes) > max_chars:
        raise NotesRejected(
            f"These notes are {len(notes):,} characters long; the limit is {max_chars:,}. "
            "Split them into several parts, for example one per meeting topic."
        )
    words = _SLACK_TOKEN.sub(" ", _EMOJI_CODE.sub(" ", notes))
    if not any(ch.isalpha() for ch in words):
        raise NotesRejected(
            "These notes have no words I can draft stories from (only emoji, links or "
            "symbols). Paste the meeting notes as text."
        )
    return notes
