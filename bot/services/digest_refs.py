"""Database rows → the plain references a digest lists."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlmodel import Session

from bot.services.digest_content import DecisionRef, MeetingRef, QuestionRef, StoryRef
from bot.storage import get_note
from bot.storage.models import Decision, MeetingNote, Question, Story
from bot.storage.types import StoryStatus


def story_ref(story: Story, threads: dict[int, str | None] | None = None) -> StoryRef:
    """`threads` maps note ids to their batch message: cards are replies in that thread."""
    assert story.id is not None
    return StoryRef(
        story.id,
        story.title,
        str(story.status),
        story.decided_by,
        story.card_channel,
        story.card_ts,
        (threads or {}).get(story.note_id),
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
        approved=tuple(
            story_ref(s, {note.id: note.placement_ts})
            for s in stories
            if s.status == StoryStatus.approved
        ),
        waiting=tuple(
            story_ref(s, {note.id: note.placement_ts})
            for s in stories
            if s.status == StoryStatus.draft
        ),
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


PRIVATE_QUESTION = "A question asked in a private conversation"


def question_ref(
    question: Question, answers: dict[int, str] | None = None, *, visible: bool = True
) -> QuestionRef:
    """`answers` maps decision ids to their text: a human answer lives in its decision.

    A question the digest's channel may not see (asked in another private conversation) is
    listed without its text, its link or the bot's answer (which quotes what was asked); a
    human answer is a decision recorded where the reader can see it, so it stays.
    """
    assert question.id is not None
    human = None
    if question.answer_decision_id is not None and answers:
        human = answers.get(question.answer_decision_id)
    if not visible:
        return QuestionRef(
            question.id,
            PRIVATE_QUESTION,
            question.asker_id,
            question.asked_at,
            None,
            None,
            human,
            private=True,
        )
    return QuestionRef(
        question.id,
        question.text,
        question.asker_id,
        question.asked_at,
        question.channel_id,
        question.thread_ts or question.message_ts,
        question.answer_text if question.answer_text is not None else human,
    )


@dataclass
class Privacy:
    """What a digest posted to `channel` may show. Public content, yes; content from a private
    conversation (a private channel, a DM) only in that same conversation. Stories follow
    the meeting notes they were drafted from; questions from elsewhere are redacted."""

    channel: str
    _notes: dict[int, bool] = field(default_factory=dict)

    def sees(self, private: bool, source_channel: str | None) -> bool:
        return not private or source_channel == self.channel

    def decisions(self, rows: Iterable[Decision]) -> list[Decision]:
        return [d for d in rows if self.sees(d.source_private, d.source_channel)]

    def notes(self, rows: Iterable[MeetingNote]) -> list[MeetingNote]:
        return [n for n in rows if self.sees(n.source_private, n.channel_id)]

    def stories(self, rows: Iterable[Story], *, session: Session) -> list[Story]:
        shown = []
        for story in rows:
            if story.note_id not in self._notes:
                note = get_note(story.note_id, session=session)
                self._notes[story.note_id] = self.sees(note.source_private, note.channel_id)
            if self._notes[story.note_id]:
                shown.append(story)
        return shown

    def question(self, question: Question, answers: dict[int, str]) -> QuestionRef:
        visible = self.sees(question.source_private, question.channel_id)
        return question_ref(question, answers, visible=visible)
