"""The bot's answers with numbered citations, its abstentions, and the notice when someone
marks an answer as wrong."""

from __future__ import annotations

from collections.abc import Sequence

from bot.services.knowledge.views import Abstention, Answer, Citation
from bot.slack.blocks import ids
from bot.slack.blocks.common import (
    Block,
    actions,
    button,
    context,
    date_token,
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


def wrong_answer_notice(reviewers: Sequence[str], reporter: str) -> str:
    who = " ".join(user_ref(r) for r in reviewers)
    return (
        f"{who}: {user_ref(reporter)} marked this answer as wrong or outdated. Please record "
        "the current decision (`/decision supersedes #N: …`)."
    )
