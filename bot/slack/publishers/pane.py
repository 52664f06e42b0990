"""Answers in the agent pane: a native status while the bot works, then the answer streamed
into the conversation (`chat.startStream` / `appendStream` / `stopStream`), its citations
appended at the end, and the feedback buttons and AI disclaimer added when the stream stops.

Where Slack refuses the status or the stream (an older client, a DM thread outside the pane),
it falls back to what channels get: a "Looking…" message rewritten into the answer.
"""

from __future__ import annotations

import logging
import re

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain import MessageRef
from bot.domain.knowledge import DecisionView, QuestionView
from bot.domain.stories import BatchView, StoryView
from bot.services.knowledge.views import Abstention, Answer, AskInput
from bot.slack.blocks.answers import (
    abstention_message,
    answer_footer,
    answer_message,
    citations_markdown,
)
from bot.slack.links import SlackLinks
from bot.slack.markdown import to_markdown
from bot.slack.publishers.knowledge import SlackKnowledgePublisher
from bot.slack.publishers.stories import SlackBatchPublisher

log = logging.getLogger(__name__)

SEARCHING = "Searching decisions…"
LOADING_MESSAGES = ["Searching decisions…", "Reading the records…", "Checking the sources…"]
# Streams are sent in sentence-sized pieces; the SDK buffers them into fewer calls.
_PIECE = re.compile(r"[^.!?\n]*[.!?\n]+\s*|[^.!?\n]+$")
STREAM_BUFFER = 120


class SlackPanePublisher:
    """AnswerPublisher for one question asked in the agent pane thread `thread`."""

    def __init__(self, client: WebClient, thread: MessageRef, team_id: str | None = None) -> None:
        self._client = client
        self._thread = thread
        self._team = team_id
        self._fallback = SlackKnowledgePublisher(client)

    def show_looking(self, thread: MessageRef) -> MessageRef:
        try:
            self.set_status(SEARCHING)
        except SlackApiError as exc:
            log.info("no status in %s (%s); posting a placeholder", thread, exc)
            return self._fallback.show_looking(thread)
        return self._thread  # no message yet: the answer starts the stream

    def set_status(self, status: str) -> None:
        self._client.assistant_threads_setStatus(
            channel_id=self._thread.channel,
            thread_ts=self._thread.ts,
            status=status,
            loading_messages=LOADING_MESSAGES if status else None,
        )

    def show_answer(self, where: MessageRef, answer: Answer) -> None:
        if where != self._thread:
            self._fallback.show_answer(where, answer)
            return
        stream = self._client.chat_stream(
            channel=where.channel,
            thread_ts=where.ts,
            buffer_size=STREAM_BUFFER,
            recipient_team_id=self._team,
        )
        try:
            for piece in _PIECE.findall(to_markdown(answer.text)):
                stream.append(markdown_text=piece)
            # The citations were checked against the passages before anything was sent.
            stream.append(markdown_text="\n" + citations_markdown(answer.citations))
            stream.stop(blocks=answer_footer(answer.question_id))
        except SlackApiError as exc:
            log.warning("streaming in %s failed (%s); posting the answer instead", where, exc)
            text, blocks = answer_message(answer)
            if stream.ts:
                self._client.chat_update(
                    channel=where.channel, ts=stream.ts, text=text, blocks=blocks
                )
            else:
                self._client.chat_postMessage(
                    channel=where.channel, thread_ts=where.ts, text=text, blocks=blocks
                )

    def show_abstention(self, where: MessageRef, abstention: Abstention) -> None:
        if where != self._thread:
            self._fallback.show_abstention(where, abstention)
            return
        text, blocks = abstention_message(abstention)
        self._client.chat_postMessage(
            channel=where.channel, thread_ts=where.ts, text=text, blocks=blocks
        )

    def show_error(self, where: MessageRef, text: str) -> None:
        if where != self._thread:
            self._fallback.show_error(where, text)
            return
        self._client.chat_postMessage(channel=where.channel, thread_ts=where.ts, text=text)

    def remove(self, where: MessageRef) -> None:
        if where != self._thread:
            self._fallback.remove(where)
            return
        self.set_status("")  # an empty status clears it

    def post_escalation(self, abstention: Abstention, ask: AskInput) -> MessageRef:
        return self._fallback.post_escalation(abstention, ask)

    def tell_asker(self, question: QuestionView, decision: DecisionView, answerer: str) -> None:
        self._fallback.tell_asker(question, decision, answerer)


class SlackPaneBatchPublisher:
    """BatchPublisher for notes pasted in the agent pane: the batch and its cards go to the
    project's channel as with `/story`; the pane's status follows the drafting ("Drafting part
    2 of 3…"), and the pane hears where the cards are when it is done."""

    def __init__(
        self, client: WebClient, batches: SlackBatchPublisher, pane: MessageRef, links: SlackLinks
    ) -> None:
        self._client = client
        self._batches = batches
        self._pane = pane
        self._links = links

    def is_private(self, channel: str) -> bool:
        return self._batches.is_private(channel)

    def show_progress(
        self, where: MessageRef | None, *, channel: str, batch: BatchView, step: str
    ) -> MessageRef:
        shown = self._batches.show_progress(where, channel=channel, batch=batch, step=step)
        self._status(step)
        return shown

    def post_card(self, thread: MessageRef, story: StoryView) -> MessageRef:
        return self._batches.post_card(thread, story)

    def update_card(self, where: MessageRef, story: StoryView) -> None:
        self._batches.update_card(where, story)

    def show_batch(self, where: MessageRef, batch: BatchView) -> None:
        self._batches.show_batch(where, batch)
        count = len(batch.stories)
        link = self._links(where.channel, where.ts)
        cards = f"<{link}|the cards>" if link else "the cards"
        stories = "1 story" if count == 1 else f"{count} stories"
        self._tell(f"Drafted {stories}: {cards} are in <#{where.channel}> for the reviewers.")

    def show_failure(
        self, where: MessageRef, *, project_name: str, problem: str, note_id: int
    ) -> None:
        self._batches.show_failure(
            where, project_name=project_name, problem=problem, note_id=note_id
        )
        self._tell(f"{problem} The batch message in <#{where.channel}> has a Retry button.")

    def _tell(self, text: str) -> None:
        # A message in the thread also clears the status.
        self._client.chat_postMessage(
            channel=self._pane.channel, thread_ts=self._pane.ts, text=text
        )

    def _status(self, step: str) -> None:
        try:
            self._client.assistant_threads_setStatus(
                channel_id=self._pane.channel, thread_ts=self._pane.ts, status=step
            )
        except SlackApiError as exc:  # the batch message shows the same progress
            log.info("no pane status in %s: %s", self._pane, exc)
