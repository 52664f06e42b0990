"""The reply when a decision is recorded."""

from __future__ import annotations

from bot.domain.knowledge import DecisionView
from bot.slack.blocks.common import quote, user_ref


def decision_recorded_message(decision: DecisionView, *, superseded: int | None) -> str:
    note = f" It supersedes decision #{superseded}." if superseded else ""
    return (
        f":pushpin: Decision #{decision.id} recorded by {user_ref(decision.author_id)}:\n"
        f"{quote(decision.text, 2500)}\n{note}".rstrip()
    )
