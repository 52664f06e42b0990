"""The `/story` modal (notes, project, meeting date, title) and reading its submission.

Validation happens here so the listener can answer Slack's view_submission with
`response_action: errors` inside the 3-second ack: the person fixes the field in place instead of
losing what they pasted.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.slack.blocks import ids
from bot.slack.blocks.common import Block, context
from bot.slack.blocks.forms import (
    INPUT_LIMIT,
    input_block,
    modal,
    plain,
    state_value,
    text_input,
    text_value,
)
from bot.slack.text import escape

MAX_OPTIONS = 100  # Slack's cap on a static_select's options
NOTES_HINT = (
    "Up to 3,000 characters (Slack's limit for a text field). For longer notes, post them in a "
    "channel or attach them as a file and use the “Draft user stories” message shortcut, "
    "or run `apo story FILE` on the command line."
)
BLANK_NOTES = "Paste the meeting notes here."
NO_PROJECT = "Choose the project these notes belong to."


@dataclass(frozen=True)
class NotesForm:
    """What the person asked for in the `/story` modal, checked and ready for drafting."""

    notes: str
    project: str
    meeting_date: date | None
    title: str
    channel_id: str


def notes_modal(
    projects: Sequence[tuple[str, str]],
    *,
    default_project: str | None,
    channel_id: str,
    today: date,
) -> Block:
    """The modal `/story` opens; `projects` are (key, name) pairs.

    With one project there is nothing to choose, so the select is left out and the project rides
    in private_metadata. `today` is passed in (not read from a clock) so the builder stays pure.
    """
    if not projects:
        raise ValueError("notes_modal needs at least one project")
    meta: dict[str, str] = {"channel_id": channel_id}
    blocks: list[Block] = [
        input_block(
            ids.NOTES_BLOCK,
            "Meeting notes",
            text_input(ids.NOTES_INPUT, multiline=True, max_length=INPUT_LIMIT),
            hint=NOTES_HINT,
        )
    ]
    if len(projects) == 1:
        key, name = projects[0]
        meta["project"] = key
        blocks.insert(0, context(f"Project: *{escape(name)}*"))
    else:
        blocks.append(_project_select(projects, default_project))
    blocks += [
        input_block(
            ids.DATE_BLOCK,
            "Meeting date",
            {"type": "datepicker", "action_id": ids.DATE_INPUT, "initial_date": today.isoformat()},
            optional=True,
        ),
        input_block(
            ids.TITLE_BLOCK,
            "Title",
            text_input(ids.TITLE_INPUT, max_length=150, placeholder="e.g. Sprint 12 client call"),
            optional=True,
            hint="Shown at the top of the drafted batch. Leave empty to use the meeting date.",
        ),
    ]
    return modal(
        ids.STORY_NOTES_MODAL,
        "Draft user stories",
        blocks,
        submit="Draft",
        close="Cancel",
        meta=json.dumps(meta),
    )


def _project_select(projects: Sequence[tuple[str, str]], default: str | None) -> Block:
    options = [
        {"text": plain(name, 75), "value": key[:150]} for key, name in projects[:MAX_OPTIONS]
    ]
    element: Block = {
        "type": "static_select",
        "action_id": ids.PROJECT_INPUT,
        "placeholder": plain("Choose a project", 150),
        "options": options,
    }
    initial = next((o for o in options if o["value"] == default), None)
    if initial is not None:
        element["initial_option"] = initial
    return input_block(ids.PROJECT_BLOCK, "Project", element)


def parse_notes_submission(view: Block) -> NotesForm | dict[str, str]:
    """The submission as a :class:`NotesForm`, or block_id → message for Slack to show."""
    meta = _metadata(view)
    errors: dict[str, str] = {}
    notes = text_value(view, ids.NOTES_BLOCK, ids.NOTES_INPUT)
    if not notes:
        errors[ids.NOTES_BLOCK] = BLANK_NOTES
    project = meta.get("project", "")
    if not project:
        selected = state_value(view, ids.PROJECT_BLOCK, ids.PROJECT_INPUT).get("selected_option")
        project = selected.get("value", "") if isinstance(selected, dict) else ""
    if not project:
        errors[ids.PROJECT_BLOCK] = NO_PROJECT
    meeting_date: date | None = None
    raw_date = state_value(view, ids.DATE_BLOCK, ids.DATE_INPUT).get("selected_date")
    if raw_date:
        try:
            meeting_date = date.fromisoformat(str(raw_date))
        except ValueError:
            errors[ids.DATE_BLOCK] = "Pick the meeting date from the calendar."
    if errors:
        return errors
    return NotesForm(
        notes=notes,
        project=project,
        meeting_date=meeting_date,
        title=" ".join(text_value(view, ids.TITLE_BLOCK, ids.TITLE_INPUT).split()),
        channel_id=meta.get("channel_id", ""),
    )


def _metadata(view: Block) -> dict[str, str]:
    """private_metadata as we wrote it; anything else is treated as empty rather than trusted."""
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except json.JSONDecodeError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): str(v) for k, v in data.items() if isinstance(v, str)}
