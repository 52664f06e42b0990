"""Escalations to reviewers: the question in the client channel, the Answer form, and the
message that closes it once a reviewer answered."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.domain.knowledge import DecisionView
from bot.slack.blocks import ids
from bot.slack.blocks.common import (
    Block,
    actions,
    button,
    context,
    quote,
    safe_line,
    section,
    user_ref,
)
from bot.slack.blocks.forms import STALE_FORM, metadata_id


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


def answered_privately_message(decision: DecisionView, answerer_id: str) -> tuple[str, list[Block]]:
    text = f"Answered by {user_ref(answerer_id)} as decision #{decision.id}"
    return text, [
        section(
            f":white_check_mark: {text}; the answer is kept in the "
            "private conversation it was asked in."
        )
    ]


def answer_modal(question_id: int, question_text: str) -> dict[str, object]:
    return _answer_form(
        ids.ANSWER_MODAL, "Answer a question", question_id, [section(quote(question_text, 2900))]
    )


def correction_modal(question_id: int, question_text: str, answer: str) -> dict[str, object]:
    """The answer form for an answer marked wrong: the question and the bot's answer above."""
    shown = [
        section(quote(question_text, 1400)),
        section("*The bot answered*\n" + quote(answer or "(no text)", 1400)),
    ]
    return _answer_form(ids.CORRECTION_MODAL, "Correct an answer", question_id, shown)


def _answer_form(
    callback_id: str, title: str, question_id: int, shown: list[Block]
) -> dict[str, object]:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": json.dumps({"question_id": question_id}),
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Record answer"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            *shown,
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
    values = (view.get("state") or {}).get("values") or {}
    text = str(
        values.get(ids.ANSWER_TEXT_BLOCK, {}).get(ids.ANSWER_TEXT_INPUT, {}).get("value") or ""
    )
    if not text.strip():
        return {ids.ANSWER_TEXT_BLOCK: "Write the answer, or close this form."}
    question_id = metadata_id(view, "question_id")
    if question_id is None:
        return {ids.ANSWER_TEXT_BLOCK: STALE_FORM}
    return question_id, text.strip()
