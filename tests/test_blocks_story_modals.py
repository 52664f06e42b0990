"""Story modals: `/story` notes, Edit, Reject and the whole story, and parsing their submissions.

Submissions are built from the modal's own initial values, the way Slack sends them back, so a
round trip proves that what the reviewer sees is what gets saved.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from bot.domain.stories import Criterion, StoryEdit
from bot.slack.blocks import ids
from bot.slack.blocks.story_criteria import criteria_to_text, parse_criteria
from bot.slack.blocks.story_modals import (
    edit_modal,
    full_story_modal,
    parse_edit_submission,
    parse_reject_submission,
    reject_modal,
)
from bot.slack.blocks.story_notes_modal import NotesForm, notes_modal, parse_notes_submission
from tests.slack_limits import Block, all_text, assert_modal_within_limits, assert_no_live_mentions
from tests.story_samples import HOSTILE, huge_story, make_story


def submitted(view: Block, **overrides: Any) -> Block:
    """A view_submission `view` as Slack sends it: each input's current value under state."""
    values: dict[str, dict[str, Any]] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        state: dict[str, Any] = {"type": element["type"]}
        if element["type"] == "plain_text_input":
            state["value"] = element.get("initial_value")
        elif element["type"] == "static_select":
            state["selected_option"] = element.get("initial_option")
        elif element["type"] == "datepicker":
            state["selected_date"] = element.get("initial_date")
        values[block["block_id"]] = {element["action_id"]: state}
    for block_id, state in overrides.items():
        action_id = next(iter(values[block_id]))
        values[block_id][action_id].update(state)
    return {**view, "state": {"values": values}}


def test_edit_modal_round_trips_to_the_same_story_edit() -> None:
    story = make_story(benefit="jeg kan forberede rommene før klinikken åpner")
    view = edit_modal(story)
    assert_modal_within_limits(view)
    assert view["callback_id"] == ids.STORY_EDIT_MODAL
    result = parse_edit_submission(submitted(view))
    assert result == (
        17,
        StoryEdit(story.title, story.role, story.goal, story.benefit, story.criteria),
    )


def test_edit_modal_of_a_huge_story_fits_and_warns_about_the_cut() -> None:
    view = edit_modal(huge_story())
    assert_modal_within_limits(view)
    assert "shortened here: title, goal, acceptance criteria" in all_text(view["blocks"])
    result = parse_edit_submission(submitted(view))
    assert isinstance(result, tuple), result
    story_id, edit = result
    assert story_id == 17 and 0 < len(edit.criteria) < 30  # whole scenarios only


def test_edit_submission_reports_each_wrong_field() -> None:
    view = edit_modal(make_story())
    bad = "Given a user\nWhen she saves\nThen it is saved\n\nGiven a user\nWhen she deletes"
    errors = parse_edit_submission(
        submitted(
            view,
            **{
                ids.EDIT_TITLE_BLOCK: {"value": "  "},
                ids.EDIT_ROLE_BLOCK: {"value": None},
                ids.EDIT_CRITERIA_BLOCK: {"value": bad},
            },
        )
    )
    assert isinstance(errors, dict)
    assert set(errors) == {ids.EDIT_TITLE_BLOCK, ids.EDIT_ROLE_BLOCK, ids.EDIT_CRITERIA_BLOCK}
    assert errors[ids.EDIT_CRITERIA_BLOCK] == "Scenario 2 has no Then line."


def test_criteria_text_round_trips_and_and_lines_join_the_clause_above() -> None:
    criteria = make_story().criteria
    assert parse_criteria(criteria_to_text(criteria)) == criteria
    parsed = parse_criteria("given a user\nAnd she is an admin\nWHEN she saves\nThen it is saved\n")
    assert parsed == (Criterion("a user and she is an admin", "she saves", "it is saved"),)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Write at least one scenario"),
        ("Given a\nWhen b\nWhen c\nThen d", "Scenario 1 has more than one When line"),
        ("Given a\nWhen b\nThen c\n\nWhen b\nThen c", "Scenario 2 has no Given line"),
        ("Given a\nThen c\nWhen b", "Scenario 1 has its lines in the order Given, Then, When"),
        ("just a sentence", "Scenario 1 must start with a Given line"),
        ("Given a\nWhen b\nThen", "Scenario 1 has an empty Then line"),
    ],
)
def test_invalid_criteria_say_which_scenario_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_criteria(text)


def test_notes_modal_with_one_project_keeps_it_in_metadata() -> None:
    view = notes_modal(
        [("acme", "Acme")], default_project=None, channel_id="C1", today=date(2025, 3, 3)
    )
    assert_modal_within_limits(view)
    assert view["title"]["text"] == "Draft user stories" and view["submit"]["text"] == "Draft"
    assert ids.PROJECT_BLOCK not in {b.get("block_id") for b in view["blocks"]}
    assert json.loads(view["private_metadata"]) == {"channel_id": "C1", "project": "acme"}
    notes = {"value": "Kunden vil ha mørk modus i appen."}
    result = parse_notes_submission(submitted(view, **{ids.NOTES_BLOCK: notes}))
    assert result == NotesForm(
        "Kunden vil ha mørk modus i appen.", "acme", date(2025, 3, 3), "", "C1"
    )


def test_notes_modal_with_several_projects_preselects_the_channel_project() -> None:
    projects = [("acme", "Acme"), ("nordlys", "Nordlys Helse")]
    view = notes_modal(projects, default_project="nordlys", channel_id="C2", today=date(2025, 3, 3))
    assert_modal_within_limits(view)
    (select,) = [b["element"] for b in view["blocks"] if b.get("block_id") == ids.PROJECT_BLOCK]
    assert select["initial_option"]["value"] == "nordlys"
    assert "apo story FILE" in all_text(view["blocks"])  # the way out of the 3,000-char cap
    result = parse_notes_submission(submitted(view, **{ids.NOTES_BLOCK: {"value": "notes"}}))
    assert isinstance(result, NotesForm) and result.project == "nordlys"


def test_notes_submission_errors_for_blank_notes_and_no_project() -> None:
    projects = [("acme", "Acme"), ("nordlys", "Nordlys")]
    view = notes_modal(projects, default_project=None, channel_id="C2", today=date(2025, 3, 3))
    errors = parse_notes_submission(submitted(view, **{ids.NOTES_BLOCK: {"value": " \n\t "}}))
    assert errors == {
        ids.NOTES_BLOCK: "Paste the meeting notes here.",
        ids.PROJECT_BLOCK: "Choose the project these notes belong to.",
    }


def test_reject_modal_requires_a_reason() -> None:
    view = reject_modal(make_story(title=HOSTILE))
    assert_modal_within_limits(view)
    assert_no_live_mentions(view)
    assert parse_reject_submission(submitted(view)) == {
        ids.REJECT_REASON_BLOCK: "Say why, so the team knows what to change."
    }
    reason = {"value": "  Dekkes allerede av historie 3.  "}
    result = parse_reject_submission(submitted(view, **{ids.REJECT_REASON_BLOCK: reason}))
    assert result == (17, "Dekkes allerede av historie 3.")


def test_full_story_modal_shows_everything_within_modal_limits() -> None:
    story = huge_story()
    view = full_story_modal(story)
    assert_modal_within_limits(view)
    assert "submit" not in view
    body = "\n".join(b["text"]["text"] for b in view["blocks"] if b["type"] == "section")
    assert "*30.* *Given* scenario 30 precondition" in body
    assert "Sitat 19:" in body
    assert body.count("patient&#x27;s") == 0 and body.count("patient's journey") == 101


def test_edit_modal_keeps_story_points_and_priority_and_checks_the_points() -> None:
    view = edit_modal(make_story(points=5.0, priority="High"))

    result = parse_edit_submission(submitted(view))
    assert isinstance(result, tuple) and (result[1].points, result[1].priority) == (5.0, "High")
    changed = parse_edit_submission(
        submitted(
            view,
            **{ids.EDIT_POINTS_BLOCK: {"value": "2,5"}, ids.EDIT_PRIORITY_BLOCK: {"value": ""}},
        )
    )
    assert isinstance(changed, tuple) and (changed[1].points, changed[1].priority) == (2.5, None)
    for wrong in ("three", "-1", "nan", "1e9"):
        errors = parse_edit_submission(submitted(view, **{ids.EDIT_POINTS_BLOCK: {"value": wrong}}))
        assert errors == {
            ids.EDIT_POINTS_BLOCK: "Give a number from 0 to 1000, e.g. 3 or 0.5, or nothing."
        }
