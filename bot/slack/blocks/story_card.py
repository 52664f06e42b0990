"""One drafted story as a Slack message: what a reviewer needs to decide, inside Slack's limits.

A card shows the story sentence, its criteria, the quotes that ground it and what the checks
found. Everything in it came from people or the model, so all of it is escaped. Long or numerous
items are cut (never the whole message rejected by Slack) and a *View whole story* button opens the
complete text in a modal. Only the three most severe findings are shown; an *n more findings*
button lists them all to the reviewer who asks (`findings_message`).
"""

from __future__ import annotations

import re

from bot.domain.stories import FindingView, StoryView, indefinite_article
from bot.quality import rank_findings
from bot.slack.blocks import ids
from bot.slack.blocks.common import (
    MAX_BLOCKS,
    Block,
    actions,
    bullets,
    button,
    clip,
    context,
    date_token,
    header,
    pack_sections,
    quote,
    safe_line,
    section,
    user_ref,
)
from bot.slack.text import escape, truncate

HEADER_LIMIT = 150
MAX_SCENARIOS = 8
MAX_QUOTES = 5
MAX_MISSING = 3
MAX_FINDINGS = 3  # the most severe; the rest behind a button, so the card stays readable
MAX_FINDINGS_LISTED = 40
MAX_QUESTIONS = 5
MAX_DEPENDENCIES = 5
CLAUSE_LIMIT = 900  # three clauses and their labels stay under one section's 3,000
QUOTE_LIMIT = 600
MORE = " — see *View whole story*"
UNKNOWN_ROLES = {"", "unknown", "unknown role", "?"}

_SEVERITY = {
    "error": (":red_circle:", "Error"),
    "warning": (":large_orange_circle:", "Warning"),
    "info": (":large_blue_circle:", "Note"),
}

UNSUPPORTED_WARNING = (
    ":warning: *Unsupported*: none of the quotes given for this story appears in the notes. "
    "Check it against the notes before approving."
)


def story_card(story: StoryView, *, reviewers_hint: bool = True) -> tuple[str, list[Block]]:
    """The review card for one story; buttons while it is a draft, who decided once it is not."""
    body, cut = _body(story)
    state = _state_blocks(story, cut=cut, reviewers_hint=reviewers_hint)
    if len(body) + len(state) > MAX_BLOCKS:  # leave room for the state, issue and buttons
        # One block for the "more" line, and one in case *View whole story* needs its own row.
        body = [
            *body[: MAX_BLOCKS - len(state) - 2],
            context(f"_More of this story is not shown{MORE}._"),
        ]
        cut = True
        state = _state_blocks(story, cut=cut, reviewers_hint=reviewers_hint)
    return _fallback(story), body + state


def _fallback(story: StoryView) -> str:
    state = {"draft": "draft", "approved": "approved", "rejected": "rejected"}[story.status]
    return f"Story {story.position} ({state}): {safe_line(story.title, 300)}"


def _body(story: StoryView) -> tuple[list[Block], bool]:
    """Every block above the buttons, and whether anything had to be cut to fit."""
    title = f"{story.position}. {escape(' '.join(story.title.split()))}"
    blocks: list[Block] = [header(title)]
    cut = len(title) > HEADER_LIMIT
    if story.unsupported:
        blocks.append(section(UNSUPPORTED_WARNING))
    sentence, sentence_cut = _sentence(story)
    blocks.append(section(sentence))
    if story.duplicate_note:
        note = safe_line(story.duplicate_note, 1000)
        blocks.append(section(f":twisted_rightwards_arrows: *Possible duplicate*: {note}"))
    for part in (_criteria, _quotes, _missing):
        part_blocks, part_cut = part(story)
        blocks.extend(part_blocks)
        cut = cut or part_cut
    blocks += _findings(story)
    blocks += bullets("*Open questions*", story.open_questions, cap=MAX_QUESTIONS, more=MORE)
    if story.dependencies:
        shown = [safe_line(d, 200) for d in story.dependencies[:MAX_DEPENDENCIES]]
        extra = len(story.dependencies) - len(shown)
        blocks.append(
            context(
                "*Depends on:* " + "; ".join(shown) + (f" _…and {extra} more_" if extra else "")
            )
        )
    cut = cut or sentence_cut or len(story.open_questions) > MAX_QUESTIONS
    return blocks, cut or len(story.dependencies) > MAX_DEPENDENCIES


def _sentence(story: StoryView) -> tuple[str, bool]:
    """ "As a *role*, I want …, so that …" with each part capped so the whole fits one section."""
    role, role_cut = clip(story.role, 200)
    goal, goal_cut = clip(story.goal, 1900)
    benefit, benefit_cut = clip(story.benefit, 800)
    if role.lower() in UNKNOWN_ROLES:
        text = f"As an _unknown role_ :grey_question:, I want {goal}"
    else:
        text = f"As {indefinite_article(role)} *{role}*, I want {goal}"
    text += f", so that {benefit}." if benefit else "."
    return text, role_cut or goal_cut or benefit_cut


def _criteria(story: StoryView) -> tuple[list[Block], bool]:
    if not story.criteria:
        return [section(":grey_question: *No acceptance criteria yet.*")], False
    cut = len(story.criteria) > MAX_SCENARIOS
    scenarios = []
    for n, criterion in enumerate(story.criteria[:MAX_SCENARIOS], start=1):
        given, g_cut = clip(criterion.given, CLAUSE_LIMIT)
        when, w_cut = clip(criterion.when, CLAUSE_LIMIT)
        then, t_cut = clip(criterion.then, CLAUSE_LIMIT)
        cut = cut or g_cut or w_cut or t_cut
        scenarios.append(f"*{n}.* *Given* {given}\n      *When* {when}\n      *Then* {then}")
    hidden = len(story.criteria) - MAX_SCENARIOS
    if hidden > 0:
        scenarios.append(f"_…and {hidden} more scenarios{MORE}_")
    return pack_sections("*Acceptance criteria*", scenarios), cut


def _quotes(story: StoryView) -> tuple[list[Block], bool]:
    if not story.verified_quotes:
        return [], False
    shown = [quote(q, QUOTE_LIMIT) for q in story.verified_quotes[:MAX_QUOTES]]
    cut = any(len(escape(q.strip())) > QUOTE_LIMIT for q in story.verified_quotes[:MAX_QUOTES])
    hidden = len(story.verified_quotes) - MAX_QUOTES
    if hidden > 0:
        shown.append(f"_…and {hidden} more quotes{MORE}_")
    return pack_sections(":memo: *From the notes*", shown), cut or hidden > 0


def _missing(story: StoryView) -> tuple[list[Block], bool]:
    if not story.missing_quotes:
        return [], False
    title = ":warning: *Quoted by the model but not found in the notes:*"
    blocks = bullets(
        title, story.missing_quotes, cap=MAX_MISSING, item_limit=QUOTE_LIMIT, more=MORE
    )
    return blocks, len(story.missing_quotes) > MAX_MISSING


def _findings(story: StoryView) -> list[Block]:
    """The most severe findings; a button lists them all privately, so hidden findings need
    no *View whole story*."""
    if not story.findings:
        return []
    ranked = rank_findings(story.findings)
    blocks = pack_sections("*Quality checks*", [_finding_line(f) for f in ranked[:MAX_FINDINGS]])
    hidden = len(ranked) - MAX_FINDINGS
    if hidden > 0:
        label = f"{hidden} more finding{'s' if hidden > 1 else ''}"
        blocks[-1]["accessory"] = button(label, ids.STORY_FINDINGS, str(story.id))
    return blocks


def findings_message(story: StoryView) -> tuple[str, list[Block]]:
    """Every finding on a story, most severe first: the private answer to *n more findings*."""
    title = f"{story.position}. {safe_line(story.title, 200)}"
    ranked = rank_findings(story.findings)
    lines = [_finding_line(f, 1000) for f in ranked[:MAX_FINDINGS_LISTED]]
    hidden = len(ranked) - MAX_FINDINGS_LISTED
    if hidden > 0:
        lines.append(f"_…and {hidden} more findings_")
    if not lines:
        lines.append("_No findings on this story._")
    heading = f"*Quality checks on story {title}* ({len(ranked)})"
    blocks = pack_sections(heading, lines)[:MAX_BLOCKS]
    return f"Quality checks on story {title}: {len(ranked)}", blocks


def _finding_line(finding: FindingView, limit: int = 250) -> str:
    emoji, label = _SEVERITY[finding.severity]
    return (
        f"{emoji} *{label}* ({safe_line(finding.check, 60)}): {safe_line(finding.message, limit)}"
    )


def _state_blocks(story: StoryView, *, cut: bool, reviewers_hint: bool) -> list[Block]:
    """Buttons for a draft; for a decided story who decided and when, then its issue in the
    tracker; an approved story may still be edited (its issue follows) or rejected."""
    view_full = button("View whole story", ids.STORY_VIEW_FULL, str(story.id))
    if story.status == "draft":
        buttons = [
            button("Approve", ids.STORY_APPROVE, str(story.id), style="primary"),
            button("Edit", ids.STORY_EDIT, str(story.id)),
            button("Reject", ids.STORY_REJECT, str(story.id), style="danger"),
        ]
        blocks = [actions([*buttons, view_full] if cut else buttons, block_id=f"story:{story.id}")]
        if reviewers_hint:
            blocks.append(context("Only this project's reviewers can approve, edit or reject."))
        return blocks
    blocks = [context(decision_line(story)), *issue_blocks(story)]
    later: list[Block] = []
    if story.status == "approved":
        later = [
            button("Edit", ids.STORY_EDIT, str(story.id)),
            button("Reject", ids.STORY_REJECT, str(story.id), style="danger"),
        ]
    if cut:
        later.append(view_full)
    if later:
        blocks.append(actions(later, block_id=f"story:{story.id}"))
    return blocks


_ISSUE_KEY = re.compile(r"^[A-Z][A-Z0-9_]*-[0-9]+$")


def issue_link(story: StoryView) -> str | None:
    """ "<url|ACME-12>" for the story's issue, or None; the key and address came from the
    tracker, so only a well-formed key and an http(s) address become a link."""
    issue = story.tracked.issue
    if issue is None or not _ISSUE_KEY.match(issue.key):
        return None
    if issue.url.startswith(("https://", "http://")) and not set(issue.url) & set("<>| "):
        return f"<{issue.url}|{issue.key}>"
    return issue.key


def issue_blocks(story: StoryView) -> list[Block]:
    """The issue's key and link; a failed push with what to fix and Retry; for a story
    rejected after it was filed, the offer to close its issue."""
    tracked, link = story.tracked, issue_link(story)
    blocks: list[Block] = []
    if link and story.status == "approved":
        blocks.append(context(f":ticket: Filed as {link}"))
    if story.status == "rejected" and link:
        if tracked.closed:
            blocks.append(context(f":ticket: Its issue {link} is closed."))
        else:
            blocks.append(
                section(f":ticket: This story was already filed as {link}. Close that issue too?")
            )
            value = f"{story.id}:{tracked.failures}"
            blocks.append(
                actions(
                    [
                        button(
                            f"Close {tracked.issue.key}" if tracked.issue else "Close",
                            ids.STORY_CLOSE_ISSUE,
                            value,
                        )
                    ],
                    block_id=f"issue:{story.id}",
                )
            )
    if tracked.problem and not (story.status == "rejected" and tracked.closed):
        text = truncate(escape(tracked.problem), 1500)
        blocks.append(
            section(
                f":warning: *Not in the tracker yet*: {text}" if not link else f":warning: {text}"
            )
        )
        if story.status == "approved":
            value = f"{story.id}:{tracked.failures}"
            blocks.append(
                actions(
                    [button("Retry", ids.STORY_PUSH_RETRY, value, style="primary")],
                    block_id=f"push:{story.id}",
                )
            )
    return blocks


def decision_line(story: StoryView) -> str:
    """ ":white_check_mark: Approved by @who <date>" (or rejected, with the escaped reason)."""
    when = f" {date_token(story.decided_at)}" if story.decided_at else ""
    who = user_ref(story.decided_by)
    if story.status == "approved":
        return f":white_check_mark: Approved by {who}{when}"
    line = f":x: Rejected by {who}{when}"
    if story.reject_reason:
        line += f". Reason: {truncate(escape(story.reject_reason.strip()), 1500)}"
    return line
