"""Database rows → the plain references a digest lists."""

from __future__ import annotations

from bot.services.digest_content import DecisionRef, MeetingRef, QuestionRef, StoryRef
from bot.storage.models import Decision, MeetingNote, Question, Story
from bot.storage.types import StoryStatus


def story_ref(story: Story) -> StoryRef:
    assert story.id is not None
    return StoryRef(
        story.id,
        story.title,
        str(story.status),
        story.decided_by,
        story.card_channel,
        story.card_ts,
    )


def meeting_ref(note: MeetingNote, stories: list[Story]) -> MeetingRef:
    assert note.id is not None
    first_line = next(
        (line.strip("# ").strip() for line in note.raw_text.splitlines() if line.strip()), ""
    )
    return MeetingRef(
        note_id=note.id,
        title=note.title or first_line[:80],
        meeting_date=note.meeting_date,
        received_at=note.created_at,
        summary=_summary_of(note.raw_text),
        channel=note.placement_channel,
        ts=note.placement_ts,
        approved=tuple(story_ref(s) for s in stories if s.status == StoryStatus.approved),
        waiting=tuple(story_ref(s) for s in stories if s.status == StoryStatus.draft),
        questions_for_client=tuple(note.open_questions),
    )


def _summary_of(text: str, limit: int = 240) -> str:
    """The notes' first sentences: a short summary that needs no model."""
    flat = " ".join(line.strip("#*- ").strip() for line in text.splitlines() if line.strip())
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…"


def decision_ref(decision: Decision) -> DecisionRef:
    assert decision.id is not None
    return DecisionRef(
        decision.id,
        decision.text,
        decision.author_id,
        decision.created_at,
        decision.source_permalink,
        decision.superseded_by_id is not None,
    )


def question_ref(question: Question, answers: dict[int, str] | None = None) -> QuestionRef:
    """`answers` maps decision ids to their text: a human answer lives in its decision."""
    assert question.id is not None
    answer = question.answer_text
    if answer is None and question.answer_decision_id is not None and answers:
        answer = answers.get(question.answer_decision_id)
    return QuestionRef(
        question.id,
        question.text,
        question.asker_id,
        question.asked_at,
        question.channel_id,
        question.thread_ts or question.message_ts,
        answer,
    )
