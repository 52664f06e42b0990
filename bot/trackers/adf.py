"""An issue's description in the Atlassian Document Format (ADF), the JSON Jira Cloud's v3
API takes. Story text goes into text nodes as it is: ADF has no markup to escape, so nothing a
model or a person wrote can turn into a macro or a mention."""

from __future__ import annotations

from typing import Any

from bot.domain.tracker import IssueDraft

Node = dict[str, Any]


def description(issue: IssueDraft) -> Node:
    content: list[Node] = [_paragraph(issue.sentence)]
    content.append(_heading("Acceptance criteria"))
    if issue.criteria:
        content.append(_gherkin(issue))
    else:
        content.append(_paragraph("None recorded."))
    if issue.quotes:
        content.append(_heading("From the meeting notes"))
        content += [{"type": "blockquote", "content": [_paragraph(q)]} for q in issue.quotes]
    if issue.open_questions:
        content.append(_heading("Open questions"))
        content.append(_bullets(issue.open_questions))
    content.append(_origin(issue))
    return {"type": "doc", "version": 1, "content": content}


def _gherkin(issue: IssueDraft) -> Node:
    lines = [f"Feature: {_line(issue.summary)}"]
    for n, c in enumerate(issue.criteria, 1):
        lines += [
            "",
            f"  Scenario: {n}",
            f"    Given {_line(c.given)}",
            f"    When {_line(c.when)}",
            f"    Then {_line(c.then)}",
        ]
    return {
        "type": "codeBlock",
        "attrs": {"language": "gherkin"},
        "content": [_text("\n".join(lines))],
    }


def _origin(issue: IssueDraft) -> Node:
    parts: list[Node] = []
    if issue.approved_by:
        parts.append(_text(f"Approved by {_line(issue.approved_by)} in APO Bridge. "))
    else:
        parts.append(_text("Approved in APO Bridge. "))
    if issue.card_link:
        link = {"type": "link", "attrs": {"href": issue.card_link}}
        parts.append(_text(f"Story #{issue.story_id} in Slack", marks=[link]))
    else:
        parts.append(_text(f"Story #{issue.story_id}."))
    return {"type": "paragraph", "content": parts}


def _heading(text: str) -> Node:
    return {"type": "heading", "attrs": {"level": 3}, "content": [_text(text)]}


def _bullets(items: tuple[str, ...]) -> Node:
    return {
        "type": "bulletList",
        "content": [{"type": "listItem", "content": [_paragraph(i)]} for i in items],
    }


def _paragraph(text: str) -> Node:
    flat = _line(text)
    # ADF refuses an empty text node; an empty paragraph has no content instead.
    return {"type": "paragraph", "content": [_text(flat)] if flat else []}


def _text(text: str, marks: list[Node] | None = None) -> Node:
    node: Node = {"type": "text", "text": text}
    if marks:
        node["marks"] = marks
    return node


def _line(text: str) -> str:
    return " ".join(text.split())
