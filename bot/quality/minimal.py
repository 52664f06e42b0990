"""QUS "minimal": the story sentence holds a role, a means and an end, and nothing else.

Extra detail belongs in the acceptance criteria. The signs of it are a bracketed remark, an
example ("e.g.", "f.eks."), a note after a dash (ASCII or Unicode) or a semicolon, a second
sentence, and template words used again as template words ("so that we …" inside the goal).
Template words inside ordinary phrases ("save it as a PDF", "sort so that the oldest is
first") are not flagged.
"""

from __future__ import annotations

import re
import unicodedata

from .shape import benefit_text, goal_text
from .text import found_phrases, normalise, phrase_pattern
from .types import Check, Finding, StoryDraft
from .vocab import ABBREVIATIONS

_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]|\{[^}]*\}")
_DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
# A dash with space on either side, an em dash or bar anywhere, or a doubled hyphen.
_DASH_NOTE = re.compile(rf"(?P<l>\S?)\s+[{_DASHES}]{{1,2}}\s+(?P<r>\S?)|[\u2014\u2015]|--")
_SEMICOLON = re.compile(r";\s*\S")
_NOTE_LABEL = re.compile(r"(?<![\w-])(?:nb|n\.b\.|note|merk|obs|ps|todo)\s*:", re.IGNORECASE)
_SENTENCE_BREAK = re.compile(r"[.!?]\s+\S")
_ABBREVIATIONS = phrase_pattern(ABBREVIATIONS)
_EXAMPLE_WORDS = phrase_pattern(
    ("for example", "for instance", "for eksempel", "blant annet", "eg", "feks", "f.eks", "e.g")
)
# Template words are the start of a clause about a person: "so that we …", not "so that the
# oldest comes first".
_PRONOUN = r"(?:i|we|you|they|he|she|my|our|jeg|vi|du|de|han|hun|vår|vårt|min|mitt)"
_BENEFIT_WORDS = re.compile(rf"(?<![\w-])(?P<words>so that|slik at|sånn at|for at)\s+{_PRONOUN}\b")
_GOAL_BENEFIT = re.compile(
    rf"(?<![\w-])(?P<words>so that|so|slik at|sånn at|så|for at)\s+{_PRONOUN}\s+(?:can|kan|\w+)"
)
# The benefit's own "so that" is stripped before this runs, so any other one starts a second end.
_SECOND_END = re.compile(r"(?<![\w-])(?P<words>so that|slik at|sånn at)\s")
_WANT_WORDS = re.compile(r"(?<![\w-])(?:i want|i'd like|i would like|jeg vil|jeg ønsker)\b")
_ROLE_WORDS = re.compile(r"^(?:as an?|som en|som et|som)\s")


def _dash_note(text: str) -> bool:
    for match in _DASH_NOTE.finditer(unicodedata.normalize("NFKC", text)):
        left, right = match.group("l") or "", match.group("r") or ""
        if not (left.isdigit() and right.isdigit()):  # "09:00 - 17:00" is a range
            return True
    return False


def _template_words(part: str, text: str) -> list[str]:
    low = normalise(text)
    found: list[str] = []
    role_words = _ROLE_WORDS.match(low)
    if role_words:
        found.append(role_words.group(0).strip())
    found += [m.group(0) for m in _WANT_WORDS.finditer(low)]
    benefit = {"goal": _GOAL_BENEFIT, "benefit": _SECOND_END}.get(part, _BENEFIT_WORDS)
    found += [m.group("words") for m in benefit.finditer(low)]
    return list(dict.fromkeys(found))


def minimal(story: StoryDraft) -> list[Finding]:
    """One finding per part (role, goal, benefit) that carries more than its one job."""
    findings: list[Finding] = []
    for part, text in (
        ("role", story.role),
        ("goal", goal_text(story)),
        ("benefit", benefit_text(story)),
    ):
        problems: list[str] = []
        problems += [f'a bracketed remark "{b}"' for b in _BRACKETS.findall(text)]
        examples = found_phrases(_ABBREVIATIONS, text) or found_phrases(_EXAMPLE_WORDS, text)
        problems += [f'an example ("{a}")' for a in examples]
        if _dash_note(text):
            problems.append("a note after a dash")
        if _SEMICOLON.search(text):
            problems.append("a note after a semicolon")
        if _NOTE_LABEL.search(text):
            problems.append('a remark ("NB:", "Note:")')
        if _SENTENCE_BREAK.search(_ABBREVIATIONS.sub("", normalise(text))):
            problems.append("more than one sentence")
        problems += [f'the template words "{w}" again' for w in _template_words(part, text)]
        if problems:
            findings.append(
                Finding(
                    Check.MINIMAL,
                    "warning",
                    f"The {part} has {', '.join(problems)}: cut it to one plain clause and "
                    "move the details to the acceptance criteria.",
                )
            )
    return findings
