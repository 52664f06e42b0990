"""The human loop in Slack: a reviewer's reply in an escalation thread or through the Answer
button becomes a decision; the asker hears about it in their own thread. Also the feedback
buttons on answers."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.errors import BotError
from bot.services import Services
from bot.services.human_answers import HumanAnswer
from bot.slack.blocks import ids
from bot.slack.blocks.answers import answer_modal, answered_message, parse_answer_modal
from bot.slack.blocks.common import section, user_ref
from bot.slack.links import SlackLinks
from bot.slack.text import plain


class HumanLoop:
    def __init__(self, app: App, services: Services, links: SlackLinks) -> None:
        self._answers = services.answers
        self._links = links
        self._register(app)

    def thread_reply(self, event: dict[str, Any], client: WebClient) -> None:
        question = self._answers.escalated_at(event["channel"], event["thread_ts"])
        if question is None or not self._answers.may_answer(question, event.get("user", "")):
            return
        try:
            result = self._answers.answer_by_human(
                question.id or 0,
                event.get("text") or "",
                event["user"],
                permalink=self._links(event["channel"], event["ts"]),
            )
        except BotError as exc:
            client.chat_postEphemeral(
                channel=event["channel"], user=event["user"], text=exc.user_message
            )
            return
        self.notify(client, result, event["user"])

    def notify(self, client: WebClient, result: HumanAnswer, answerer: str) -> None:
        question = result.question
        text, blocks = answered_message(question.text, result.decision, answerer)
        client.chat_postMessage(
            channel=question.channel_id,
            thread_ts=question.thread_ts or question.message_ts,
            text=f"{user_ref(question.asker_id)} {text}",
            blocks=blocks,
        )
        if question.escalation_channel and question.escalation_ts:
            if question.source_private:
                # Neither the question nor its answer leaves the private conversation.
                text = f"Answered by {user_ref(answerer)} as decision #{result.decision.id}"
                blocks = [
                    section(
                        f":white_check_mark: {text}; the answer is kept in the "
                        "private conversation it was asked in."
                    )
                ]
            else:
                text, blocks = answered_message(question.text, result.decision, answerer)
            client.chat_update(
                channel=question.escalation_channel,
                ts=question.escalation_ts,
                text=text,
                blocks=blocks,
            )

    def _register(self, app: App) -> None:
        answers = self._answers

        @app.action(ids.QUESTION_ANSWER)
        def answer_button(
            ack: Ack,
            action: dict[str, Any],
            body: dict[str, Any],
            client: WebClient,
            respond: Respond,
        ) -> None:
            ack()
            question = answers.question(int(action["value"]))
            if not answers.may_answer(question, body["user"]["id"]):
                respond(
                    response_type="ephemeral",
                    replace_original=False,
                    text="Only the project's reviewers can record an answer as a decision.",
                )
                return
            client.views_open(
                trigger_id=body["trigger_id"], view=answer_modal(question.id or 0, question.text)
            )

        @app.view(ids.ANSWER_MODAL)
        def answer_submitted(
            ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
        ) -> None:
            parsed = parse_answer_modal(view)
            if isinstance(parsed, dict):
                ack(response_action="errors", errors=parsed)
                return
            question_id, text = parsed
            try:  # database checks only, so the form closes well within Slack's 3 seconds
                answers.check_can_answer(question_id, body["user"]["id"])
            except BotError as exc:
                ack(
                    response_action="errors",
                    errors={ids.ANSWER_TEXT_BLOCK: plain(exc.user_message)},
                )
                return
            ack()
            result = answers.answer_by_human(question_id, text, body["user"]["id"])
            self.notify(client, result, body["user"]["id"])

        @app.action(ids.ANSWER_HELPFUL)
        def helpful(
            ack: Ack, action: dict[str, Any], body: dict[str, Any], respond: Respond
        ) -> None:
            ack()
            feedback(action, body, respond, helpful=True)

        @app.action(ids.ANSWER_WRONG)
        def wrong(
            ack: Ack,
            action: dict[str, Any],
            body: dict[str, Any],
            respond: Respond,
            client: WebClient,
        ) -> None:
            ack()
            question = feedback(action, body, respond, helpful=False)
            reviewers = " ".join(user_ref(r) for r in answers.reviewers(question.project))
            client.chat_postMessage(
                channel=body["channel"]["id"],
                thread_ts=body["container"].get("thread_ts") or body["container"]["message_ts"],
                text=f"{reviewers}: {user_ref(body['user']['id'])} marked this answer as wrong or "
                "outdated. Please record the current decision (`/decision supersedes #N: …`).",
            )

        def feedback(
            action: dict[str, Any], body: dict[str, Any], respond: Respond, *, helpful: bool
        ) -> Any:
            question = answers.feedback(
                int(action["value"]),
                body["channel"]["id"],
                body["container"]["message_ts"],
                body["user"]["id"],
                helpful,
            )
            respond(
                response_type="ephemeral",
                replace_original=False,
                text="Thanks, noted." if helpful else "Thanks; I've told the reviewers.",
            )
            return question
