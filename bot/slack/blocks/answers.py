"""Answers with numbered citations, abstentions, escalations to reviewers, and the answer modal."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.services.decisions import DecisionView
from bot.services.questions import Abstention, Answer, Citation
from bot.slack.blocks import ids
from bot.slack.blocks.common import (
    Block,
    actions,
    button,
    context,
    date_token,
    quote,
    safe_line,
    section,
    user_ref,
)
from bot.slack.text import safe

KIND_NAMES = {
    "decision": "Decision",
    "story": "Approved story",
    "note": "Meeting notes",
    "knowledge": "Team knowledge",
    "answer": "Answer",
}


def citation_line(citation: Citation) -> str:
    """`[1] Decision #12 by @ingrid, 3 Mar 2026 (source)` — what, who, when, where."""
    parts = [f"*[{citation.number}]* {KIND_NAMES.get(citation.kind, 'Record')}"]
    if citation.title:
        parts.append(safe_line(citation.title, 120))
    if citation.author:
        parts.append("by " + user_ref(citation.author))
    if citation.created_at:
        parts.append(date_token(citation.created_at))
    line = " · ".join(parts)
    if citation.permalink.startswith("https://"):
        line += f" · <{citation.permalink}|source>"
    return line


def answer_message(answer: Answer) -> tuple[str, list[Block]]:
    cites = "\n".join(citation_line(c) for c in answer.citations)
    blocks: list[Block] = [
        section(safe(answer.text, 2800)),
        context(cites),
        actions(
            [
                button("Helpful", ids.ANSWER_HELPFUL, str(answer.question_id)),
                button("Wrong or outdated", ids.ANSWER_WRONG, str(answer.question_id)),
            ]
        ),
    ]
    return safe(answer.text, 3000), blocks


def abstention_message(abstention: Abstention) -> tuple[str, list[Block]]:
    text = "Nothing recorded answers this yet, so I won't guess."
    who = ", ".join(user_ref(r) for r in abstention.reviewers) or "the client side"
    blocks: list[Block] = [section(f":mag: {text}")]
    if abstention.nearest:
        lines = "\n".join(citation_line(c) for c in abstention.nearest)
        blocks.append(section("The nearest records, in case they help:\n" + lines))
    blocks.append(
        context(
            f"I've asked {who} in <#{abstention.escalation_channel}>; "
            "you'll get the answer in this thread."
        )
    )
    return text, blocks


def escalation_message(
    question_id: int,
    question_text: str,
    asker_id: str,
    asked_in: str,
    reviewers: Sequence[str],
    *,
    private: bool = False,
) -> tuple[str, list[Block]]:
    who = " ".join(user_ref(r) for r in reviewers)
    text = f"A question from {user_ref(asker_id)} that nothing recorded answers"
    # A question from a private channel or a DM is not repeated here: reviewers read it in
    # the Answer form, which only they can open.
    shown = (
        "(asked in a private conversation; open *Answer* to read it)"
        if private
        else f"(asked in <#{asked_in}>):\n{quote(question_text, 2500)}"
    )
    blocks: list[Block] = [
        section(f":question: {text} {shown}"),
        context(
            f"{who} — reply in this thread or use *Answer*; the answer is recorded as a "
            "decision and sent to the asker."
        ),
        actions([button("Answer", ids.QUESTION_ANSWER, str(question_id), style="primary")]),
    ]
    return text, blocks


def answered_message(
    question_text: str, decision: DecisionView, answerer_id: str
) -> tuple[str, list[Block]]:
    text = f"Answered by {user_ref(answerer_id)} and recorded as decision #{decision.id}"
    return text, [
        section(f":white_check_mark: {text}:\n{quote(decision.text, 2500)}"),
        context("Question: " + safe_line(question_text, 1500)),
    ]


def decision_recorded_message(decision: DecisionView, *, superseded: int | None) -> str:
    note = f" It supersedes decision #{superseded}." if superseded else ""
    return (
        f":pushpin: Decision #{decision.id} recorded by {user_ref(decision.author_id)}:\n"
        f"{quote(decision.text, 2500)}\n{note}".rstrip()
    )


def answer_modal(question_id: int, question_text: str) -> dict[str, object]:
    return {
        "type": "modal",
        "callback_id": ids.ANSWER_MODAL,
        "private_metadata": json.dumps({"question_id": question_id}),
        "title": {"type": "plain_text", "text": "Answer a question"},
        "submit": {"type": "plain_text", "text": "Record answer"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            section(quote(question_text, 2900)),
            {
                "type": "input",
                "block_id": ids.ANSWER_TEXT_BLOCK,
                "label": {"type": "plain_text", "text": "Answer (recorded as a decision)"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": ids.ANSWER_TEXT_INPUT,
                    "multiline": True,
                    "max_length": 3000,
                },
            },
        ],
    }


def parse_answer_modal(view: dict[str, Any]) -> tuple[int, str] | dict[str, str]:
    meta = json.loads(str(view.get("private_metadata") or "{}"))
    values = (view.get("state") or {}).get("values") or {}
    text = str(
        values.get(ids.ANSWER_TEXT_BLOCK, {}).get(ids.ANSWER_TEXT_INPUT, {}).get("value") or ""
    )
    if not text.strip():
        return {ids.ANSWER_TEXT_BLOCK: "Write the answer, or close this form."}
    return int(meta["question_id"]), text.strip()
