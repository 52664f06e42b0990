"""The bot's answers with numbered citations, its abstentions, and the notice when someone
marks an answer as wrong."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ContextActionsBlock,
    FeedbackButtonObject,
    FeedbackButtonsElement,
)

from bot.services.knowledge.views import Abstention, Answer, Citation
from bot.slack.blocks import ids
from bot.slack.blocks.common import (
    Block,
    context,
    date_token,
    safe_line,
    section,
    user_ref,
)
from bot.slack.markdown import to_markdown, to_mrkdwn
from bot.slack.text import safe, truncate

FEEDBACK_HELPFUL, FEEDBACK_WRONG = "helpful", "wrong"

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


# Slack asks AI apps to mark what a model wrote as such.
AI_DISCLAIMER = "AI-generated from the records cited; check the sources before relying on it."


def answer_message(answer: Answer) -> tuple[str, list[Block]]:
    cites = "\n".join(citation_line(c) for c in answer.citations)
    blocks: list[Block] = [
        section(truncate(to_mrkdwn(answer.text), 2800)),
        context(cites),
        *answer_footer(answer.question_id),
    ]
    return safe(answer.text, 3000), blocks


def answer_footer(question_id: int) -> list[Block]:
    """Native feedback buttons and the AI disclaimer, under every answer on every surface."""
    return [feedback_block(question_id), context(f":sparkles: _{AI_DISCLAIMER}_")]


def feedback_block(question_id: int) -> Block:
    """Slack's own thumbs up / down on an answer; the value says which answer and which way."""
    element = FeedbackButtonsElement(
        action_id=ids.ANSWER_FEEDBACK,
        positive_button=FeedbackButtonObject(
            text="Helpful",
            value=f"{FEEDBACK_HELPFUL}:{question_id}",
            accessibility_label="This answer was helpful",
        ),
        negative_button=FeedbackButtonObject(
            text="Wrong or outdated",
            value=f"{FEEDBACK_WRONG}:{question_id}",
            accessibility_label="This answer is wrong or outdated",
        ),
    )
    return ContextActionsBlock(elements=[element]).to_dict()


def parse_feedback(value: str) -> tuple[int, bool] | None:
    """(question id, helpful) from a feedback button's value; None when it is not ours."""
    verdict, _, number = value.partition(":")
    if verdict not in (FEEDBACK_HELPFUL, FEEDBACK_WRONG) or not number.isdigit():
        return None
    return int(number), verdict == FEEDBACK_HELPFUL


def citations_markdown(citations: Sequence[Citation]) -> str:
    """The citations as Markdown, appended at the end of a streamed answer."""
    lines = ["", "**Sources**"]
    for c in citations:
        what = KIND_NAMES.get(c.kind, "Record")
        title = f" {to_markdown(' '.join(c.title.split())[:120])}" if c.title else ""
        when = f", {c.created_at:%d %b %Y}" if c.created_at else ""
        line = f"[{c.number}] {what}{title}{when}"
        if c.permalink.startswith("https://"):
            line += f" ([source]({c.permalink}))"
        lines.append(f"- {line}")
    return "\n".join(lines)


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
