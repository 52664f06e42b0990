"""Meeting notes cut into sentences, each with the section heading it sits under.

Notes come as bullets, numbered items, wrapped lines, chat transcripts with timestamps and
speaker names, or prose. A heading such as "Open questions:" or "Parkert:" says what the items
below it are, so every sentence keeps the kind of section it belongs to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .text import normalise, phrase_pattern

Section = Literal["", "needs", "open", "rejected", "decisions", "actions"]

SECTION_WORDS: dict[Section, tuple[str, ...]] = {
    "open": (
        "open questions", "open question", "open issues", "open items", "questions",
        "question", "to clarify", "to be clarified", "unresolved", "undecided", "tbd",
        "questions for the client", "åpne spørsmål", "åpent spørsmål", "spørsmål", "uavklart",
        "uavklarte", "må avklares", "til avklaring", "avklaringer", "spørsmål til kunden",
    ),
    "rejected": (
        "parked", "parking lot", "out of scope", "not now", "later", "postponed", "rejected",
        "won't do", "not in scope", "deferred", "future", "nice to have later", "parkert",
        "utenfor scope", "ikke nå", "senere", "utsatt", "avvist", "droppet", "ikke i scope",
    ),
    "decisions": (
        "decisions", "decision", "decided", "agreed", "beslutninger", "beslutning",
        "besluttet", "vedtak", "enige om",
    ),
    "actions": (
        "action items", "actions", "action points", "todo", "to do", "next steps", "follow-up",
        "follow up", "aksjonspunkter", "oppgaver", "neste steg", "oppfølging", "attendees",
        "participants", "present", "deltakere", "til stede", "agenda",
    ),
    "needs": (
        "requirements", "requirement", "needs", "requests", "wishes", "wishlist", "must have",
        "must-have", "should have", "user needs", "features", "feature requests", "krav",
        "behov", "ønsker", "ønskeliste", "må ha", "bør ha", "funksjoner",
    ),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class NoteSentence:
    """One sentence of the notes as written, and the section heading above it ("" if none)."""

    text: str
    section: Section = ""
    heading: bool = False


_BULLET = re.compile(r"^\s*(?:[-*•·▪‣◦–—]|\d{1,3}[.)]|[a-zA-Z][.)](?=\s))\s*")
_HEADING = re.compile(r"^\s*(?:#{1,6}\s*)?(?P<title>[^:]{1,60}?)\s*:?\s*$")
# A sentence ends at . ! or ? followed by space and a character that is not lower case:
# "3. mars" (a Norwegian date) and "ca. 20 fakturaer" stay whole.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=\S)")
_ABBREVIATION_END = re.compile(
    r"\b(?:e\.g|i\.e|etc|f\.eks|osv|dvs|bl\.a|ca|kl|mr|ms|dr|nr)\.$", re.IGNORECASE
)
_TIMESTAMP = re.compile(r"^\s*\[?\(?\d{1,2}:\d{2}(?::\d{2})?\)?\]?\s*")
_SPEAKER = re.compile(r"^\s*[A-ZÆØÅ][\w'.-]*(?:\s+[A-ZÆØÅ][\w'.-]*){0,2}\s*(?:\([^)]*\))?\s*:\s+")
_SECTION_PATTERNS = {name: phrase_pattern(words) for name, words in SECTION_WORDS.items()}


def section_of(line: str) -> Section | None:
    """The section a heading line opens, or None when the line is not a heading."""
    stripped = line.strip()
    is_markdown = stripped.startswith("#")
    if not (is_markdown or stripped.endswith(":")) or len(stripped.split()) > 6:
        return None
    match = _HEADING.match(stripped)
    if not match:
        return None
    title = normalise(match.group("title").lstrip("#"))
    for name, pattern in _SECTION_PATTERNS.items():
        found = pattern.search(title)
        if found and len(found.group(0)) * 2 >= len(title):  # the heading is mostly the cue
            return name
    return ""


def strip_speaker(sentence: str) -> str:
    """The sentence without a leading timestamp or "Name:" speaker label."""
    return _SPEAKER.sub("", _TIMESTAMP.sub("", sentence, count=1), count=1)


def note_sentences(notes: str) -> list[NoteSentence]:
    """Split notes into sentences, each bullet or numbered item its own, with its section.

    A plain line that ends without punctuation and is followed by a line starting in lower case
    is a wrapped sentence and is joined to it. A heading's section lasts until the next heading
    or an empty line followed by a line that is not a list item.
    """
    lines: list[tuple[str, Section | None]] = []  # None marks a heading
    section: Section = ""
    blank = False
    for raw in notes.splitlines():
        bullet = bool(_BULLET.match(raw))
        text = _BULLET.sub("", raw, count=1).strip() if bullet else raw.strip()
        if not text:
            blank = True
            lines.append(("", section))
            continue
        if blank and not bullet:
            section = ""
        blank = False
        heading = None if bullet else section_of(text)
        if heading is not None:
            section = heading
            lines.append((text, None))
            continue
        previous = lines[-1][0] if lines else ""
        if previous and not bullet and text[0].islower() and previous[-1] not in ".!?:":
            lines[-1] = (f"{previous} {text}", lines[-1][1])
        else:
            lines.append((text, section))
    return [
        NoteSentence(sentence, kind or "", heading=kind is None)
        for line, kind in lines
        for sentence in _split_line(line)
    ]


def split_sentences(notes: str) -> list[str]:
    """The sentences of `note_sentences`, as plain strings."""
    return [s.text for s in note_sentences(notes)]


def _split_line(text: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        candidate = text[start : match.start()].strip()
        if text[match.end()].islower() or _ABBREVIATION_END.search(candidate.rstrip("\"')]")):
            continue
        pieces.append(candidate)
        start = match.end()
    pieces.append(text[start:].strip())
    return [p for p in pieces if p]
