"""A Slack message edited or deleted after the bot used it: whatever came from it follows.

A collected channel message takes the new text or is forgotten (digests summarise what people
say now); a decision recorded from it takes the new text or is removed, with an entry in its
history; notes sent with the message shortcut leave digests when it is deleted. The index
follows each, so answers never cite words the author took back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.domain import MessageRef

if TYPE_CHECKING:
    from bot.services.digests.service import DigestService
    from bot.services.knowledge.decisions import DecisionService
    from bot.services.stories.batches import StoryService


class MessageEdits:
    def __init__(
        self, digests: DigestService, decisions: DecisionService, stories: StoryService
    ) -> None:
        self._digests = digests
        self._decisions = decisions
        self._stories = stories

    def changed(self, message: MessageRef, text: str, *, editor: str | None) -> None:
        self._digests.revise_message(message.channel, message.ts, text)
        self._decisions.revise_from_message(message, text, editor=editor)
        self._stories.revise_from_message(message, text)

    def deleted(self, message: MessageRef) -> None:
        self._digests.revise_message(message.channel, message.ts, None)
        self._decisions.revise_from_message(message, None, editor=None)
        self._stories.revise_from_message(message, None)
