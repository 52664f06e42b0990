"""`SlackBatchPublisher`: a drafting batch in Slack, the placeholder that shows progress and
becomes the batch summary (or a failure with Retry), and one review card per story in its
thread. It renders with the Block Kit builders and posts; the story service decides when."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain import MessageRef
from bot.domain.stories import BatchView, StoryView
from bot.services.stories.ports import PublishFailed
from bot.slack.blocks.common import Block
from bot.slack.blocks.stories import batch_message, drafting_message, failure_message
from bot.slack.blocks.story_card import story_card
from bot.slack.channels import ChannelDirectory


class SlackBatchPublisher:
    def __init__(self, client: WebClient) -> None:
        self._client = client
        self._channels = ChannelDirectory(client)

    def is_private(self, channel: str) -> bool:
        return self._channels.is_private(channel)

    def show_progress(
        self, where: MessageRef | None, *, channel: str, batch: BatchView, step: str
    ) -> MessageRef:
        text, blocks = drafting_message(batch.project_name, batch.author_id, batch.title, step)
        if where is not None:
            self._update(where, text, blocks)
            return where
        posted = self._client.chat_postMessage(channel=channel, text=text, blocks=blocks)
        return MessageRef(str(posted["channel"]), str(posted["ts"]))

    def post_card(self, thread: MessageRef, story: StoryView) -> MessageRef:
        text, blocks = story_card(story)
        try:
            card = self._client.chat_postMessage(
                channel=thread.channel, thread_ts=thread.ts, text=text, blocks=blocks
            )
        except (SlackApiError, OSError) as exc:
            raise PublishFailed(str(exc)) from exc
        return MessageRef(str(card["channel"]), str(card["ts"]))

    def update_card(self, where: MessageRef, story: StoryView) -> None:
        self._update(where, *story_card(story))

    def show_batch(self, where: MessageRef, batch: BatchView) -> None:
        self._update(where, *batch_message(batch))

    def show_failure(
        self, where: MessageRef, *, project_name: str, problem: str, note_id: int
    ) -> None:
        self._update(where, *failure_message(project_name, problem, note_id))

    def _update(self, where: MessageRef, text: str, blocks: list[Block]) -> None:
        self._client.chat_update(channel=where.channel, ts=where.ts, text=text, blocks=blocks)
