"""`Privacy`: what a digest posted to one channel may show of what was said elsewhere."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain import MessageRef
from bot.domain.digests import DigestDecision, DigestQuestion
from bot.services.digests.privacy import PRIVATE_QUESTION, Privacy

PRIVATE, CLIENT = "C0SECRET", "C0CLIENT"
AT = datetime(2026, 3, 23, 12, tzinfo=UTC)


def decision(channel: str, *, private: bool, text: str = "secret") -> DigestDecision:
    return DigestDecision(1, text, "U0REVIEWER", AT, None, False, channel, private)


def question(**kw: object) -> DigestQuestion:
    fields: dict[str, object] = {
        "id": 7,
        "text": "Is the merger budget 4.2 million?",
        "asker_id": "U0DEV",
        "asked_at": AT,
        "message": MessageRef(PRIVATE, "1.2"),
        "answered": True,
        "answer_text": None,
        "answer_decision": None,
        "source_channel": PRIVATE,
        "source_private": True,
    }
    return DigestQuestion(**(fields | kw))  # type: ignore[arg-type]


def test_private_content_is_shown_in_its_own_channel_only() -> None:
    secret = decision(PRIVATE, private=True)
    shared = decision(PRIVATE, private=False, text="shared")
    inside, outside = Privacy(PRIVATE), Privacy(CLIENT)

    assert inside.visible([secret, shared]) == [secret, shared]
    assert outside.visible([secret, shared]) == [shared]


def test_a_private_question_keeps_a_human_answer_but_not_the_bots() -> None:
    by_bot = Privacy(CLIENT).question(question(answer_text="Yes, 4.2 million [1]."))
    assert (by_bot.text, by_bot.message, by_bot.answer, by_bot.private) == (
        PRIVATE_QUESTION,
        None,
        None,
        True,
    )

    human = decision(CLIENT, private=False, text="Ask the CFO.")
    by_human = Privacy(CLIENT).question(question(answer_decision=human))
    assert (by_human.text, by_human.answer, by_human.private) == (
        PRIVATE_QUESTION,
        "Ask the CFO.",
        True,
    )

    shown = Privacy(PRIVATE).question(question(answer_text="Yes, 4.2 million [1]."))
    assert (shown.text, shown.answer, shown.message) == (
        "Is the merger budget 4.2 million?",
        "Yes, 4.2 million [1].",
        MessageRef(PRIVATE, "1.2"),
    )


def test_a_human_answer_recorded_in_private_stays_there() -> None:
    secret_answer = decision(PRIVATE, private=True, text="The CFO said 4.2.")
    public = question(source_channel=CLIENT, source_private=False, answer_decision=secret_answer)

    assert Privacy(CLIENT).question(public).answer is None
    assert Privacy(PRIVATE).question(public).answer == "The CFO said 4.2."
