"""Acceptance criteria as editable text, and back.

A Slack modal has no repeatable field group, so the Edit modal shows the criteria as one
multi-line text: one scenario per paragraph, lines starting "Given ", "When ", "Then " ("And …"
or "But …" continue the line above). Parsing is strict enough to say exactly which scenario is
wrong, because a reviewer fixing a typo in a modal cannot see a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.domain.stories import Criterion

FORMAT_HINT = (
    "One scenario per paragraph (separate them with an empty line). Each has a line starting "
    "Given, one starting When and one starting Then; a line starting And adds to the line above."
)

# "*Given*" and "1." are allowed so text copied from a story card parses too.
_KEYWORD = re.compile(r"^[*_]*(given|when|then|and|but)\b[*_]*[:,]?\s*(.*)$", re.IGNORECASE)
_LIST_MARK = re.compile(r"^(?:[-•]\s*|[*_]*\d+[.)][*_]*\s*)")
_SCENARIO_TITLE = re.compile(r"^scenario\b.*$", re.IGNORECASE)
_CLAUSES = ("given", "when", "then")


def criteria_to_text(criteria: Sequence[Criterion]) -> str:
    """The text the Edit modal shows; :func:`parse_criteria` reads it back unchanged."""
    return "\n\n".join(
        f"Given {_one_line(c.given)}\nWhen {_one_line(c.when)}\nThen {_one_line(c.then)}"
        for c in criteria
    )


def parse_criteria(text: str) -> tuple[Criterion, ...]:
    """Scenarios from the modal's text; ValueError with a message for the reviewer otherwise."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    if not paragraphs:
        raise ValueError("Write at least one scenario: a Given line, a When line and a Then line.")
    return tuple(_parse_scenario(p, n) for n, p in enumerate(paragraphs, start=1))


def _parse_scenario(paragraph: str, n: int) -> Criterion:
    lines = _clause_lines(paragraph, n)
    keywords = [keyword for keyword, _ in lines]
    for keyword in _CLAUSES:  # report what is missing or doubled before what is out of order
        if keyword not in keywords:
            raise ValueError(f"Scenario {n} has no {keyword.title()} line.")
        if keywords.count(keyword) > 1:
            raise ValueError(
                f"Scenario {n} has more than one {keyword.title()} line. Use And for the extra "
                "part, or an empty line to start a new scenario."
            )
    if keywords != list(_CLAUSES):
        order = ", ".join(k.title() for k in keywords)
        raise ValueError(f"Scenario {n} has its lines in the order {order}: use Given, When, Then.")
    for keyword, text in lines:
        if not text:
            raise ValueError(f"Scenario {n} has an empty {keyword.title()} line.")
    given, when, then = (text for _, text in lines)
    return Criterion(given=given, when=when, then=then)


def _clause_lines(paragraph: str, n: int) -> list[tuple[str, str]]:
    """(keyword, text) per Given/When/Then line, with And/But and wrapped lines joined to them."""
    clauses: list[tuple[str, str]] = []
    for raw in paragraph.splitlines():
        line = _LIST_MARK.sub("", raw.strip()).strip()
        if not line or _SCENARIO_TITLE.match(line):
            continue
        match = _KEYWORD.match(line)
        keyword, rest = (match.group(1).lower(), match.group(2).strip()) if match else ("", line)
        if keyword in _CLAUSES:
            clauses.append((keyword, rest))
            continue
        if not clauses:
            raise ValueError(f"Scenario {n} must start with a Given line.")
        extra = f"{keyword} {rest}".strip()  # "And …" keeps its "and"; a wrapped line is as is
        last, text = clauses[-1]
        clauses[-1] = (last, f"{text} {extra}".strip())
    return clauses


def _one_line(text: str) -> str:
    return " ".join(text.split())
