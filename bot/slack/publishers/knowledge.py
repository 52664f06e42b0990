"""What the knowledge use cases show in Slack: the answer to a question (in place of a
"Looking…" message), escalations to reviewers and their answers, feedback notices."""

from __future__ import annotations

from collections.abc import Sequence

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.web import SlackResponse

from bot.domain import MessageRef
from bot.domain.knowledge import DecisionView, QuestionView
from bot.services.knowledge.views import Abstention, Answer, AskInput
from bot.slack.blocks.answers import abstention_message, answer_message, wrong_answer_notice
from bot.slack.blocks.common import user_ref
from bot.slack.blocks.escalations import (
    answered_message,
    answered_privately_message,
    escalation_message,
)

LOOKING = ":mag: Looking through what was decided…"


def _ref(response: SlackResponse) -> MessageRef:
    return MessageRef(str(response["channel"]), str(response["ts"]))


class SlackKnowledgePublisher:
    """AnswerPublisher and EscalationPublisher over the Web API."""

    def __init__(self, client: WebClient) -> None:
        self._client = client

    def show_looking(self, thread: MessageRef) -> MessageRef:
        posted = self._client.chat_postMessage(
            channel=thread.channel, thread_ts=thread.ts, text=LOOKING
        )
        return _ref(posted)

    def show_answer(self, where: MessageRef, answer: Answer) -> None:
        text, blocks = answer_message(answer)
        self._client.chat_update(channel=where.channel, ts=where.ts, text=text, blocks=blocks)

    def show_abstention(self, where: MessageRef, abstention: Abstention) -> None:
        text, blocks = abstention_message(abstention)
        self._client.chat_update(channel=where.channel, ts=where.ts, text=text, blocks=blocks)

    def show_error(self, where: MessageRef, text: str) -> None:
        self._client.chat_update(channel=where.channel, ts=where.ts, text=text)

    def remove(self, where: MessageRef) -> None:
        self._client.chat_delete(channel=where.channel, ts=where.ts)

    def post_escalation(self, abstention: Abstention, ask: AskInput) -> MessageRef:
        text, blocks = escalation_message(
            abstention.question_id,
            ask.text,
            ask.asker_id,
            ask.channel,
            abstention.reviewers,
            private=ask.private,
        )
        posted = self._client.chat_postMessage(
            channel=abstention.escalation_channel, text=text, blocks=blocks
        )
        return _ref(posted)

    def tell_asker(self, question: QuestionView, decision: DecisionView, answerer: str) -> None:
        text, blocks = answered_message(question.text, decision, answerer)
        self._client.chat_postMessage(
            channel=question.channel,
            thread_ts=question.thread_ts or question.message_ts,
            text=f"{user_ref(question.asker_id)} {text}",
            blocks=blocks,
        )

    def show_answered(
        self, escalation: MessageRef, question: QuestionView, decision: DecisionView, answerer: str
    ) -> None:
        text, blocks = answered_message(question.text, decision, answerer)
        self._client.chat_update(
            channel=escalation.channel, ts=escalation.ts, text=text, blocks=blocks
        )

    def show_answered_privately(
        self, escalation: MessageRef, decision: DecisionView, answerer: str
    ) -> None:
        text, blocks = answered_privately_message(decision, answerer)
        self._client.chat_update(
            channel=escalation.channel, ts=escalation.ts, text=text, blocks=blocks
        )


class SlackFeedbackPublisher:
    """FeedbackPublisher for one click on an answer's feedback buttons."""

    def __init__(self, client: WebClient, respond: Respond) -> None:
        self._client = client
        self._respond = respond

    def thank(self, *, helpful: bool) -> None:
        self._respond(
            response_type="ephemeral",
            replace_original=False,
            text="Thanks, noted." if helpful else "Thanks; I've told the reviewers.",
        )

    def ask_reviewers_to_correct(
        self, thread: MessageRef, reviewers: Sequence[str], reporter: str
    ) -> None:
        self._client.chat_postMessage(
            channel=thread.channel,
            thread_ts=thread.ts,
            text=wrong_answer_notice(reviewers, reporter),
        )
