"""Modals of story review: Edit, Reject and the whole story (the `/story` notes form is in
`story_notes_modal`).

Parsers return either the parsed result or a dict of block_id → message, which the listener
passes straight to Slack as `response_action: errors`, so mistakes are shown next to the field.
Prefilled inputs are plain text (Slack shows them verbatim), so they are cut to size but not
escaped; read-only text in sections is mrkdwn and is escaped.
"""

from __future__ import annotations

import json

from bot.domain.stories import StoryEdit, StoryState, StoryView
from bot.quality import rank_findings
from bot.slack.blocks import ids
from bot.slack.blocks.common import Block, context, header, pack_sections, quote, section
from bot.slack.blocks.forms import (
    INPUT_LIMIT,
    STALE_FORM,
    input_block,
    metadata_id,
    modal,
    text_input,
    text_value,
)
from bot.slack.blocks.story_card import UNSUPPORTED_WARNING, decision_line
from bot.slack.blocks.story_criteria import FORMAT_HINT, criteria_to_text, parse_criteria
from bot.slack.text import escape

MAX_MODAL_BLOCKS = 100
TITLE_LIMIT = 150
ROLE_LIMIT = 200
PRIORITY_LIMIT = 32
MAX_POINTS = 1000.0


def _points_text(points: float | None) -> str:
    if points is None:
        return ""
    return str(int(points)) if points == int(points) else str(points)


def _parse_points(text: str) -> float | None:
    """Blank is no estimate; otherwise a number from 0 to 1000 ("3", "0.5", "2,5")."""
    if not text.strip():
        return None
    value = float(text.strip().replace(",", "."))  # ValueError for "three"
    if not 0 <= value <= MAX_POINTS:
        raise ValueError(value)
    return value


def edit_modal(story: StoryView) -> Block:
    """The Edit modal, prefilled. Text that does not fit a Slack input is cut, and the modal says
    so, because saving it would otherwise drop the rest without the reviewer noticing."""
    full_criteria = criteria_to_text(story.criteria)
    criteria_text = _fit_scenarios(full_criteria)
    too_long = {
        "title": len(story.title) > TITLE_LIMIT,
        "role": len(story.role) > ROLE_LIMIT,
        "goal": len(story.goal) > INPUT_LIMIT,
        "benefit": len(story.benefit) > INPUT_LIMIT,
        "acceptance criteria": len(criteria_text) < len(full_criteria),
    }
    cut = [name for name, is_cut in too_long.items() if is_cut]
    blocks: list[Block] = []
    if cut:
        blocks.append(
            context(
                f":warning: Too long for a Slack text field, so shortened here: {', '.join(cut)}. "
                "Saving keeps the shortened text."
            )
        )
    blocks += [
        _field(ids.EDIT_TITLE_BLOCK, "Title", ids.EDIT_TITLE_INPUT, story.title, TITLE_LIMIT),
        _field(ids.EDIT_ROLE_BLOCK, "As a (role)", ids.EDIT_ROLE_INPUT, story.role, ROLE_LIMIT),
        _field(
            ids.EDIT_GOAL_BLOCK, "I want (goal)", ids.EDIT_GOAL_INPUT, story.goal, multiline=True
        ),
        _field(
            ids.EDIT_BENEFIT_BLOCK,
            "So that (benefit)",
            ids.EDIT_BENEFIT_INPUT,
            story.benefit,
            multiline=True,
            optional=True,
        ),
        input_block(
            ids.EDIT_CRITERIA_BLOCK,
            "Acceptance criteria",
            text_input(ids.EDIT_CRITERIA_INPUT, initial=criteria_text, multiline=True),
            hint=FORMAT_HINT,
        ),
        input_block(
            ids.EDIT_POINTS_BLOCK,
            "Story points",
            text_input(ids.EDIT_POINTS_INPUT, initial=_points_text(story.points), max_length=6),
            optional=True,
            hint="An estimate such as 1, 2, 3, 5, 8 or 0.5; sent to Jira and the CSV export.",
        ),
        _field(
            ids.EDIT_PRIORITY_BLOCK,
            "Priority",
            ids.EDIT_PRIORITY_INPUT,
            story.priority or "",
            PRIORITY_LIMIT,
            optional=True,
        ),
    ]
    return modal(
        ids.STORY_EDIT_MODAL, "Edit story", blocks, submit="Save", close="Cancel", meta=_meta(story)
    )


def _field(
    block_id: str,
    label: str,
    action_id: str,
    value: str,
    limit: int = INPUT_LIMIT,
    *,
    multiline: bool = False,
    optional: bool = False,
) -> Block:
    element = text_input(action_id, initial=value, multiline=multiline, max_length=limit)
    return input_block(block_id, label, element, optional=optional)


def _fit_scenarios(text: str) -> str:
    """Criteria text cut to whole scenarios that fit an input (a half scenario would not parse)."""
    if len(text) <= INPUT_LIMIT:
        return text
    kept = ""
    for paragraph in text.split("\n\n"):
        candidate = f"{kept}\n\n{paragraph}" if kept else paragraph
        if len(candidate) > INPUT_LIMIT:
            break
        kept = candidate
    return kept or text[:INPUT_LIMIT]


def parse_edit_submission(view: Block) -> tuple[int, StoryEdit] | dict[str, str]:
    """(story id, the edit) or block_id → message; every wrong field is reported at once."""
    story_id = metadata_id(view, "story_id")
    if story_id is None:
        return {ids.EDIT_TITLE_BLOCK: STALE_FORM}
    title = " ".join(text_value(view, ids.EDIT_TITLE_BLOCK, ids.EDIT_TITLE_INPUT).split())
    role = " ".join(text_value(view, ids.EDIT_ROLE_BLOCK, ids.EDIT_ROLE_INPUT).split())
    goal = text_value(view, ids.EDIT_GOAL_BLOCK, ids.EDIT_GOAL_INPUT)
    benefit = text_value(view, ids.EDIT_BENEFIT_BLOCK, ids.EDIT_BENEFIT_INPUT)
    errors: dict[str, str] = {}
    if not title:
        errors[ids.EDIT_TITLE_BLOCK] = "Give the story a short title."
    if not role:
        errors[ids.EDIT_ROLE_BLOCK] = "Say who wants this, e.g. “clinic receptionist”."
    if not goal:
        errors[ids.EDIT_GOAL_BLOCK] = "Say what they want to do."
    try:
        criteria = parse_criteria(
            text_value(view, ids.EDIT_CRITERIA_BLOCK, ids.EDIT_CRITERIA_INPUT)
        )
    except ValueError as problem:
        errors[ids.EDIT_CRITERIA_BLOCK] = str(problem)
        criteria = ()
    try:
        points = _parse_points(text_value(view, ids.EDIT_POINTS_BLOCK, ids.EDIT_POINTS_INPUT))
    except ValueError:
        errors[ids.EDIT_POINTS_BLOCK] = "Give a number from 0 to 1000, e.g. 3 or 0.5, or nothing."
        points = None
    priority = " ".join(text_value(view, ids.EDIT_PRIORITY_BLOCK, ids.EDIT_PRIORITY_INPUT).split())
    if errors:
        return errors
    return story_id, StoryEdit(
        title=title,
        role=role,
        goal=goal,
        benefit=benefit,
        criteria=criteria,
        points=points,
        priority=priority or None,
    )


def reject_modal(story: StoryView) -> Block:
    """Asks why: a rejection without a reason teaches the next draft nothing."""
    blocks = [
        section(f"Why reject *{escape(' '.join(story.title.split()))}*?"),
        input_block(
            ids.REJECT_REASON_BLOCK,
            "Reason",
            text_input(ids.REJECT_REASON_INPUT, multiline=True, max_length=1000),
            hint="Shown on the card and kept with the story's history.",
        ),
    ]
    return modal(
        ids.STORY_REJECT_MODAL,
        "Reject story",
        blocks,
        submit="Reject",
        close="Cancel",
        meta=json.dumps({"story_id": story.id, "seen": story.status}),
    )


def parse_reject_submission(view: Block) -> tuple[int, str] | dict[str, str]:
    reason = text_value(view, ids.REJECT_REASON_BLOCK, ids.REJECT_REASON_INPUT)
    if not reason:
        return {ids.REJECT_REASON_BLOCK: "Say why, so the team knows what to change."}
    story_id = metadata_id(view, "story_id")
    if story_id is None:
        return {ids.REJECT_REASON_BLOCK: STALE_FORM}
    return story_id, reason


def full_story_modal(story: StoryView) -> Block:
    """The whole story, nothing capped, over as many sections as it takes (a modal holds 100)."""
    units = [decision_line(story) if story.status != "draft" else "_Draft, waiting for review._"]
    if story.unsupported:
        units.append(UNSUPPORTED_WARNING)
    units.append(escape(story.sentence))
    if story.duplicate_note:
        units.append(f"*Possible duplicate*: {escape(story.duplicate_note)}")
    units.append("*Acceptance criteria*")
    units += [
        f"*{n}.* *Given* {escape(c.given)}\n*When* {escape(c.when)}\n*Then* {escape(c.then)}"
        for n, c in enumerate(story.criteria, start=1)
    ]
    units += ["*From the notes*", *(quote(q, 10**6) for q in story.verified_quotes)]
    if story.missing_quotes:
        units += ["*Not found in the notes*", *(quote(q, 10**6) for q in story.missing_quotes)]
    units += [
        f"• _{f.severity}_ ({escape(f.check)}): {escape(f.message)}"
        for f in rank_findings(story.findings)
    ]
    units += [f"• Open question: {escape(q)}" for q in story.open_questions]
    units += [f"• Depends on: {escape(d)}" for d in story.dependencies]
    blocks = [header(f"{story.position}. {escape(story.title)}"), *pack_sections(None, units)]
    if len(blocks) > MAX_MODAL_BLOCKS:
        blocks = blocks[: MAX_MODAL_BLOCKS - 1]
        blocks.append(
            section("_The rest does not fit in Slack; `apo export` prints the whole story._")
        )
    return modal(
        ids.STORY_FULL_MODAL, "Whole story", blocks, submit=None, close="Close", meta=_meta(story)
    )


def seen_status(view: Block) -> StoryState:
    """The state the reject form was opened on: "approved" only if the reviewer saw that."""
    try:
        seen = json.loads(view.get("private_metadata") or "{}").get("seen")
    except (ValueError, AttributeError):
        seen = None
    return "approved" if seen == "approved" else "draft"


def _meta(story: StoryView) -> str:
    return json.dumps({"story_id": story.id})
