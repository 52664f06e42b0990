"""The Home tab: per project the person belongs to, the stories waiting for their review (with
the card's own Approve / Edit / Reject buttons, so deciding here is deciding on the card),
questions escalated to them, their own open questions, recent decisions, when each side's next
digest goes out, and the backlog export buttons."""

from __future__ import annotations

from bot.domain.home import HomeView, NextDigest, OpenQuestion, ProjectHome, WaitingStory
from bot.slack.blocks import ids
from bot.slack.blocks.common import (
    Block,
    actions,
    button,
    context,
    date_token,
    divider,
    header,
    safe_line,
    section,
    user_ref,
)

HOME_BLOCK_LIMIT = 100  # Slack's limit for a Home tab view
STORIES_SHOWN = 5  # each is three blocks; the rest are counted
EXPORTS = (
    ("Markdown", ids.HOME_EXPORT_MARKDOWN),
    ("Jira CSV", ids.HOME_EXPORT_JIRA),
    ("Gherkin", ids.HOME_EXPORT_GHERKIN),
)


def home_view(home: HomeView) -> dict[str, object]:
    blocks: list[Block] = [header("Your work in APO Bridge")]
    if not home.projects:
        blocks.append(
            section(
                "You are not in any project's channels yet. Once you are, the stories waiting "
                "for you, your questions and the latest decisions show up here."
            )
        )
    for project in home.projects:
        blocks.extend(_project(project))
    if len(blocks) > HOME_BLOCK_LIMIT:
        blocks = blocks[: HOME_BLOCK_LIMIT - 1]
        blocks.append(context("There is more than fits here; see the project channels."))
    return {"type": "home", "callback_id": ids.HOME_VIEW, "blocks": blocks}


def _project(project: ProjectHome) -> list[Block]:
    blocks: list[Block] = [divider(), header(project.name)]
    if project.reviewer:
        blocks.extend(_waiting(project))
        blocks.extend(_escalated(project.escalated))
    blocks.extend(_mine(project.mine))
    blocks.append(section("*Recent decisions*\n" + _decisions(project)))
    blocks.append(context(_digests(project.digests)))
    if project.reviewer:  # exporting is the reviewers' (the service refuses anyone else too)
        blocks.append(
            actions(
                [button(f"Export {label}", action, project.key) for label, action in EXPORTS],
                block_id=f"home_export:{project.key}",
            )
        )
    return blocks


def _waiting(project: ProjectHome) -> list[Block]:
    if not project.waiting:
        return [section("*Waiting for your review*\nNothing: every drafted story is decided.")]
    blocks = [section(f"*Waiting for your review* ({len(project.waiting)})")]
    for story in project.waiting[:STORIES_SHOWN]:
        blocks.extend(_story(story))
    if (more := len(project.waiting) - STORIES_SHOWN) > 0:
        blocks.append(context(f"…and {more} more; their cards are in the project channels."))
    return blocks


def _story(story: WaitingStory) -> list[Block]:
    where = f" · card in <#{story.card.channel}>" if story.card else ""
    return [
        section(f"*#{story.id} {safe_line(story.title, 150)}*\n{safe_line(story.sentence, 600)}"),
        context(f"Drafted story{where}"),
        actions(
            [
                button("Approve", ids.STORY_APPROVE, str(story.id), style="primary"),
                button("Edit", ids.STORY_EDIT, str(story.id)),
                button("Reject", ids.STORY_REJECT, str(story.id), style="danger"),
            ],
            block_id=f"home_story:{story.id}",
        ),
    ]


def _escalated(questions: tuple[OpenQuestion, ...]) -> list[Block]:
    if not questions:
        return [section("*Questions for you*\nNone open.")]
    blocks = [section(f"*Questions for you* ({len(questions)})")]
    for question in questions:
        text = question.text if question.redacted else safe_line(question.text, 500)
        block = section(f"{text}\n_asked by {user_ref(question.asker_id)}_")
        block["accessory"] = button("Answer", ids.QUESTION_ANSWER, str(question.id))
        blocks.append(block)
    return blocks


def _mine(questions: tuple[OpenQuestion, ...]) -> list[Block]:
    if not questions:
        return []
    lines = [
        f"• {safe_line(q.text, 200)} ({'sent to the reviewers' if q.escalation else 'open'})"
        for q in questions
    ]
    return [section("*Your open questions*\n" + "\n".join(lines))]


def _decisions(project: ProjectHome) -> str:
    if not project.decisions:
        return "None recorded yet."
    lines = []
    for d in project.decisions:
        who = f"{user_ref(d.author_id)}, {date_token(d.created_at)}"
        line = f"• #{d.id} {safe_line(d.text, 200)} — {who}"
        if d.permalink and d.permalink.startswith("https://"):
            line += f" · <{d.permalink}|source>"
        lines.append(line)
    return "\n".join(lines)


def _digests(digests: tuple[NextDigest, ...]) -> str:
    if not digests:
        return "No digest is scheduled in the next three weeks."
    parts = [
        f"{d.side} digest in <#{d.channel}>: {d.local.strftime('%a %d %b %H:%M')} ({d.zone})"
        for d in digests
    ]
    return ":alarm_clock: Next " + "; ".join(parts)
