"""The morning handover digest, for the team or for the client.

Times are Slack date tokens, so each reader sees their own zone. Lists are capped so a busy
day still fits one message (≤ 50 blocks); every item links to where it lives in Slack.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from bot.domain import MessageRef
from bot.services.digests.content import DigestContent, QuestionRef, StoryRef
from bot.slack.blocks import ids
from bot.slack.blocks.common import (
    Block,
    button,
    context,
    date_token,
    divider,
    header,
    safe_line,
    section,
    user_ref,
)
from bot.slack.text import escape, truncate

Linker = Callable[[str | None, str | None], str | None]
MAX_ITEMS = 8
MAX_QUESTIONS = 10
MEETING_QUESTIONS = 5
MAX_WRONG_ANSWERS = 5


def digest_message(content: DigestContent, link: Linker) -> tuple[str, list[Block]]:
    who = "the team" if content.side == "team" else "the client"
    title = f"Morning handover for {who}: {content.project_name}"
    blocks: list[Block] = [
        header(title),
        context(
            f"What happened since {date_token(content.window_start)} · "
            f"{content.local_date:%A %d %B %Y}"
        ),
    ]
    body = _team(content, link) if content.side == "team" else _client(content, link)
    blocks += body or [section("A quiet day: nothing new since the last handover.")]
    return title, blocks[:50]


def quiet_message(content: DigestContent) -> tuple[str, list[Block]]:
    text = f"{content.project_name}: a quiet day, nothing new since the last handover."
    return text, [context(text)]


def _team(content: DigestContent, link: Linker) -> list[Block]:
    blocks: list[Block] = []
    for meeting in content.meetings[:3]:
        name = _linked(safe_line(meeting.title or "Meeting notes", 150), _url(link, meeting.batch))
        lines = [
            f":spiral_note_pad: *From the client meeting: {name}*",
            safe_line(meeting.summary, 400),
        ]
        if meeting.approved:
            lines.append("*Ready for sprint planning:* " + _stories(meeting.approved, link))
        # The batch's open questions: the model's and those the notes left undecided.
        questions = meeting.questions_for_client
        open_items = [safe_line(q, 200) for q in questions[:MEETING_QUESTIONS]]
        if len(questions) > MEETING_QUESTIONS:
            open_items.append(f"_…and {len(questions) - MEETING_QUESTIONS} more open questions_")
        if meeting.waiting:
            open_items.append("waiting for review: " + _stories(meeting.waiting, link))
        if open_items:
            lines.append("*Still needs a decision:*\n" + "\n".join(f"• {i}" for i in open_items))
        blocks.append(section("\n".join(lines)))
    if blocks:
        blocks.append(divider())
    blocks += _decisions(content, link)
    story_lines = [
        (label, refs)
        for label, refs in (
            ("Approved", content.approved),
            ("Rejected", content.rejected),
            ("Drafted", content.drafted),
            ("Waiting for review", content.waiting),
        )
        if refs
    ]
    if story_lines:
        blocks.append(
            section(
                "*Stories*\n"
                + "\n".join(
                    f"• {label} ({len(refs)}): {_stories(refs, link)}"
                    for label, refs in story_lines
                )
            )
        )
    if content.answered:
        blocks.append(
            section(
                "*Your questions, answered*\n"
                + "\n".join(_answered(q, link) for q in content.answered[:MAX_ITEMS])
                + _more(content.answered, MAX_ITEMS)
            )
        )
    if content.open_questions:
        blocks.append(
            section(
                "*Still open*\n"
                + "\n".join(f"• {_question(q, link)}" for q in content.open_questions[:MAX_ITEMS])
                + _more(content.open_questions, MAX_ITEMS)
            )
        )
    return blocks


def _client(content: DigestContent, link: Linker) -> list[Block]:
    blocks: list[Block] = []
    if content.open_questions:
        blocks.append(
            section(f"*The team is waiting for your answer* ({len(content.open_questions)})")
        )
        for question in content.open_questions[:MAX_QUESTIONS]:
            block = section(f"• {_question(question, link)}")
            block["accessory"] = button(
                "Answer", ids.QUESTION_ANSWER, str(question.id), style="primary"
            )
            blocks.append(block)
        if len(content.open_questions) > MAX_QUESTIONS:
            blocks.append(context(f"…and {len(content.open_questions) - MAX_QUESTIONS} more."))
    if content.waiting:
        blocks.append(
            section(
                f"*Stories waiting for review* ({len(content.waiting)}): "
                + _stories(content.waiting, link)
            )
        )
    blocks += _wrong_answers(content, link)
    blocks += _decisions(content, link, title="*What the team decided or clarified*")
    discussion = content.discussion
    if discussion is not None:
        if discussion.text is None:
            first = discussion.sources[0] if discussion.sources else None
            where = _linked("the team channel", _url(link, first))
            blocks.append(
                section(
                    f"*Team discussion*\nThe summary is missing today (the language model was not "
                    f"available); {len(discussion.sources)} messages are in {where}."
                )
            )
        else:
            blocks.append(
                section("*Team discussion*\n" + _cited(discussion.text, discussion.sources, link))
            )
    return blocks


def _wrong_answers(content: DigestContent, link: Linker) -> list[Block]:
    """Answers marked wrong or outdated: the question, the answer, what it cited, and a
    button for a reviewer to record the decision that corrects it."""
    if not content.wrong_answers:
        return []
    wrong = content.wrong_answers
    blocks: list[Block] = [section(f"*Answers marked wrong or outdated* ({len(wrong)})")]
    for item in wrong[:MAX_WRONG_ANSWERS]:
        reporters = ", ".join(user_ref(u) for u in item.reporters)
        cited = ", ".join(safe_line(c, 80) for c in item.citations) or "nothing"
        question = _linked(safe_line(item.question, 300), _url(link, item.message))
        block = section(
            f"• {question}\n   → {safe_line(item.answer, 400)}\n"
            f"   _cited: {cited}; marked by {reporters}_"
        )
        block["accessory"] = button(
            "Record the correct decision", ids.ANSWER_CORRECT, str(item.question_id)
        )
        blocks.append(block)
    if len(wrong) > MAX_WRONG_ANSWERS:
        blocks.append(context(f"…and {len(wrong) - MAX_WRONG_ANSWERS} more."))
    return blocks


def _decisions(content: DigestContent, link: Linker, title: str = "*Decisions*") -> list[Block]:
    if not content.decisions:
        return []
    lines = []
    for decision in content.decisions[:MAX_ITEMS]:
        text = safe_line(decision.text, 300)
        if decision.superseded:
            text = f"~{text}~ (superseded)"
        source = f" · <{decision.permalink}|source>" if _is_link(decision.permalink) else ""
        lines.append(
            f"• #{decision.id} {text} — {user_ref(decision.author_id)}, "
            f"{date_token(decision.at)}{source}"
        )
    return [section(title + "\n" + "\n".join(lines) + _more(content.decisions, MAX_ITEMS))]


def _stories(refs: Sequence[StoryRef], link: Linker) -> str:
    shown = [
        _linked(f"#{r.id} {safe_line(r.title, 80)}", _in_thread(_url(link, r.card), r)) + _issue(r)
        for r in refs[:MAX_ITEMS]
    ]
    return ", ".join(shown) + _more(refs, MAX_ITEMS)


_ISSUE_KEY = re.compile(r"^[A-Z][A-Z0-9_]*-[0-9]+$")


def _issue(ref: StoryRef) -> str:
    """ " (<url|ACME-12>)" once the story is filed; a key from the tracker is shown only if it
    looks like one, and linked only to an http(s) address."""
    if ref.issue is None or not _ISSUE_KEY.match(ref.issue.key):
        return ""
    url = ref.issue.url
    if url.startswith(("https://", "http://")) and not set(url) & set("<>| "):
        return f" (<{url}|{ref.issue.key}>)"
    return f" ({ref.issue.key})"


def _question(question: QuestionRef, link: Linker) -> str:
    if question.private:  # asked in a private conversation: its text and link stay there
        text = f"_{safe_line(question.text, 300)}_"
    else:
        text = _linked(safe_line(question.text, 300), _url(link, question.message))
    return f"{text} — {user_ref(question.asker_id)}, {date_token(question.asked_at)}"


def _answered(question: QuestionRef, link: Linker) -> str:
    answer = safe_line(question.answer or "answered", 400)
    return f"• {_question(question, link)}\n   → {answer}"


def _cited(text: str, sources: Sequence[MessageRef], link: Linker) -> str:
    """Turn the model's [n] markers into links to the messages they cite: `sources` are the
    messages in the numbering the model saw; a number it made up is dropped."""

    def to_link(match: re.Match[str]) -> str:
        n = int(match.group(1))
        target = _url(link, sources[n - 1]) if 1 <= n <= len(sources) else None
        return f"<{target}|[{n}]>" if target else ""

    return truncate(re.sub(r"\[(\d+)\]", to_link, escape(text)), 2900)


def _in_thread(url: str | None, ref: StoryRef) -> str | None:
    """A card is a reply in its batch's thread; Slack opens such a link in the thread only
    when it names the thread."""
    if url is None or ref.card is None or ref.thread_ts in (None, ref.card.ts):
        return url
    return f"{url}?thread_ts={ref.thread_ts}&cid={ref.card.channel}"


def _url(link: Linker, message: MessageRef | None) -> str | None:
    return link(message.channel, message.ts) if message is not None else None


def _linked(label: str, url: str | None) -> str:
    return f"<{url}|{label}>" if _is_link(url) else label


def _is_link(url: str | None) -> bool:
    return bool(url) and str(url).startswith("https://")


def _more(items: Sequence[object], cap: int) -> str:
    return f" …and {len(items) - cap} more" if len(items) > cap else ""
