"""What a digest posted to one channel may show of what was said elsewhere."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from bot.domain.digests import DigestQuestion
from bot.services.digests.content import QuestionRef

PRIVATE_QUESTION = "A question asked in a private conversation"


class Sourced(Protocol):
    @property
    def source_channel(self) -> str | None: ...

    @property
    def source_private(self) -> bool: ...


SourcedT = TypeVar("SourcedT", bound=Sourced)


@dataclass(frozen=True)
class Privacy:
    """What a digest posted to `channel` may show. Public content, yes; content from a private
    conversation (a private channel, a DM) only in that same conversation. Stories carry the
    source of the meeting notes they were drafted from; questions from elsewhere are redacted."""

    channel: str

    def sees(self, item: Sourced) -> bool:
        return not item.source_private or item.source_channel == self.channel

    def visible(self, items: Iterable[SourcedT]) -> list[SourcedT]:
        return [item for item in items if self.sees(item)]

    def question(self, question: DigestQuestion) -> QuestionRef:
        """A question the channel may not see (asked in another private conversation) is
        listed without its text, its link or the bot's answer (which quotes what was asked);
        a person's answer is a decision, shown when the channel may see that decision."""
        decision = question.answer_decision
        human = decision.text if decision is not None and self.sees(decision) else None
        if not self.sees(question):
            return QuestionRef(
                question.id,
                PRIVATE_QUESTION,
                question.asker_id,
                question.asked_at,
                None,
                human,
                private=True,
            )
        return QuestionRef(
            question.id,
            question.text,
            question.asker_id,
            question.asked_at,
            question.message,
            question.answer_text if question.answer_text is not None else human,
        )
