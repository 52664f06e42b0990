"""Identifiers shared by the Block Kit builders and the listeners that handle them.

A button built with one action_id and a listener registered for another fail silently (Slack
shows a warning triangle, nothing is logged). Both sides import these names, so a typo is an
import error instead of a dead button.
"""

from __future__ import annotations

from typing import Final

# Buttons on story cards and batch messages (the value carries the story or note id).
STORY_APPROVE: Final = "story_approve"
STORY_EDIT: Final = "story_edit"
STORY_REJECT: Final = "story_reject"
STORY_VIEW_FULL: Final = "story_view_full"
STORY_FINDINGS: Final = "story_findings"  # "n more findings": all of them, privately
NOTES_RETRY: Final = "notes_retry"
# The story's issue in the tracker: Retry a failed push ("<story id>:<failures>"), close the
# issue of a story rejected after it was filed, send a batch's approved stories (note id).
STORY_PUSH_RETRY: Final = "story_push_retry"
STORY_CLOSE_ISSUE: Final = "story_close_issue"
BATCH_PUSH: Final = "batch_push"

# Modal callback ids (view_submission routing).
STORY_NOTES_MODAL: Final = "story_notes_modal"
STORY_EDIT_MODAL: Final = "story_edit_modal"
STORY_REJECT_MODAL: Final = "story_reject_modal"
STORY_FULL_MODAL: Final = "story_full_modal"

# Message shortcut ("Draft user stories"); must match the app manifest.
DRAFT_FROM_MESSAGE: Final = "draft_from_message"

# Inputs of the /story modal: state.values[BLOCK][INPUT].
NOTES_BLOCK: Final = "notes_block"
NOTES_INPUT: Final = "notes_input"
PROJECT_BLOCK: Final = "project_block"
PROJECT_INPUT: Final = "project_input"
DATE_BLOCK: Final = "date_block"
DATE_INPUT: Final = "date_input"
TITLE_BLOCK: Final = "title_block"
TITLE_INPUT: Final = "title_input"

# Inputs of the Edit modal.
EDIT_TITLE_BLOCK: Final = "edit_title_block"
EDIT_TITLE_INPUT: Final = "edit_title_input"
EDIT_ROLE_BLOCK: Final = "edit_role_block"
EDIT_ROLE_INPUT: Final = "edit_role_input"
EDIT_GOAL_BLOCK: Final = "edit_goal_block"
EDIT_GOAL_INPUT: Final = "edit_goal_input"
EDIT_BENEFIT_BLOCK: Final = "edit_benefit_block"
EDIT_BENEFIT_INPUT: Final = "edit_benefit_input"
EDIT_CRITERIA_BLOCK: Final = "edit_criteria_block"
EDIT_CRITERIA_INPUT: Final = "edit_criteria_input"
EDIT_POINTS_BLOCK: Final = "edit_points_block"
EDIT_POINTS_INPUT: Final = "edit_points_input"
EDIT_PRIORITY_BLOCK: Final = "edit_priority_block"
EDIT_PRIORITY_INPUT: Final = "edit_priority_input"

# Input of the Reject modal.
REJECT_REASON_BLOCK: Final = "reject_reason_block"
REJECT_REASON_INPUT: Final = "reject_reason_input"

# Questions and decisions.
QUESTION_ANSWER: Final = "question_answer"  # "Answer" button on an escalation
ANSWER_HELPFUL: Final = "answer_helpful"
ANSWER_WRONG: Final = "answer_wrong"
ANSWER_FEEDBACK: Final = "answer_feedback"  # Slack's native feedback buttons on an answer
ANSWER_CORRECT: Final = "answer_correct"  # "Record the correct decision" in a client digest
CORRECTION_MODAL: Final = "answer_correction_modal"
ANSWER_MODAL: Final = "question_answer_modal"
ANSWER_TEXT_BLOCK: Final = "answer_text_block"
ANSWER_TEXT_INPUT: Final = "answer_text_input"
RECORD_DECISION: Final = "record_decision"  # message shortcut; must match the app manifest

# The Home tab.
HOME_VIEW: Final = "apo_home"
HOME_EXPORT_MARKDOWN: Final = "home_export_markdown"
HOME_EXPORT_JIRA: Final = "home_export_jira_csv"
HOME_EXPORT_GHERKIN: Final = "home_export_gherkin"
