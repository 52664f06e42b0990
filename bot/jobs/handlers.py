"""What each kind of job does in a worker: the service call the listener used to make after
the ack, with Slack publishers built once per worker process."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_sdk import WebClient

from bot.domain import Actor, MessageRef
from bot.domain.digests import DigestSideName
from bot.domain.jobs import Job, JobKind
from bot.errors import BotError
from bot.services import Services
from bot.services.home.service import reviewers_of
from bot.services.knowledge.ports import AnswerPublisher
from bot.services.knowledge.views import Abstention, AskInput
from bot.services.stories.ports import BatchPublisher
from bot.slack.blocks.common import MAX_BLOCKS, context
from bot.slack.blocks.digest import digest_message
from bot.slack.channels import ChannelDirectory
from bot.slack.links import SlackLinks
from bot.slack.publishers.files import SlackFilePublisher
from bot.slack.publishers.home import SlackHomePublisher
from bot.slack.publishers.knowledge import SlackKnowledgePublisher
from bot.slack.publishers.pane import SlackPaneBatchPublisher, SlackPanePublisher
from bot.slack.publishers.stories import SlackBatchPublisher

log = logging.getLogger(__name__)


class JobHandlers:
    """Runs one job to its end. Services show their own failures (an error with Retry, a
    short apology); what escapes goes to the runner, which tries again or gives up."""

    def __init__(self, services: Services, client: WebClient) -> None:
        self._services = services
        self._client = client
        self._links = SlackLinks(client)
        self._batches = SlackBatchPublisher(client)
        self._knowledge = SlackKnowledgePublisher(client)
        self._directory = ChannelDirectory(client)
        self._home = SlackHomePublisher(client)
        self._files = SlackFilePublisher(client)
        self._by_kind: dict[JobKind, Callable[[Job, int], None]] = {
            JobKind.DRAFT_BATCH: self._draft_batch,
            JobKind.ANSWER_QUESTION: self._answer_question,
            JobKind.ANSWER_ESCALATION: self._answer_escalation,
            JobKind.ESCALATION_REPLY: self._escalation_reply,
            JobKind.SHOW_DECISION: self._show_decision,
            JobKind.EXPORT_BACKLOG: self._export_backlog,
            JobKind.DIGEST_PREVIEW: self._digest_preview,
        }

    def __call__(self, job: Job, attempt: int) -> None:
        self._by_kind[job.kind](job, attempt)

    def _draft_batch(self, job: Job, attempt: int) -> None:
        publisher: BatchPublisher = self._batches
        pane_channel, pane_thread = (
            job.optional_text("pane_channel"),
            job.optional_text("pane_thread"),
        )
        if pane_channel and pane_thread:
            pane = MessageRef(pane_channel, pane_thread)
            publisher = SlackPaneBatchPublisher(self._client, self._batches, pane, self._links)
        self._services.stories.run_batch(
            job.number("note_id"), publisher, channel=job.text("channel"), resume=attempt > 1
        )

    def _show_decision(self, job: Job, _attempt: int) -> None:
        story = self._services.review.show_decision(job.number("story_id"), self._batches)
        # The story leaves (or changes on) every reviewer's "waiting for your review" list.
        self._refresh_home(reviewers_of(self._services.projects, [story.project]))

    def _refresh_home(self, users: list[str]) -> None:
        try:
            self._services.home.refresh(users, self._directory, self._home)
        except Exception:  # a stale Home tab is redrawn when opened; the job itself is done
            log.exception("could not refresh the Home tab of %s", users)

    def _export_backlog(self, job: Job, _attempt: int) -> None:
        user = job.text("user")
        directory = self._directory

        def sees(channel: str | None, private: bool) -> bool:
            return not private or (channel is not None and directory.is_member(user, channel))

        try:
            file = self._services.exports.export(
                job.text("project"), job.text("format"), Actor(user), sees
            )
        except BotError as exc:
            self._files.tell(user, exc.user_message)
            return
        self._files.send_privately(user, file)

    def _digest_preview(self, job: Job, _attempt: int) -> None:
        side: DigestSideName = "team" if job.text("side") == "team" else "client"
        content = self._services.digests.preview(job.text("project"), side)
        text, blocks = digest_message(content, self._links)
        self._client.chat_postEphemeral(
            channel=job.text("channel"),
            user=job.text("user"),
            text=f"Preview (not posted): {text}",
            blocks=[context(":eyes: Preview, only for you: not posted."), *blocks][:MAX_BLOCKS],
        )

    def _answer_question(self, job: Job, attempt: int) -> None:
        ask = AskInput(
            project=job.text("project"),
            channel=job.text("channel"),
            asker_id=job.text("user"),
            text=job.text("text"),
            message_ts=job.optional_text("ts"),
            thread_ts=job.optional_text("thread_ts"),
            private=job.flag("private"),
        )
        publisher: AnswerPublisher = self._knowledge
        if job.flag("pane"):
            thread = MessageRef(ask.channel, ask.thread_ts or ask.message_ts or "")
            publisher = SlackPanePublisher(self._client, thread)
        result = self._services.questions.answer(ask, publisher, resume=attempt > 1)
        if isinstance(result, Abstention):  # a new question on the reviewers' Home tabs
            self._refresh_home(reviewers_of(self._services.projects, [ask.project]))

    def _answer_escalation(self, job: Job, _attempt: int) -> None:
        decision = self._services.escalations.answer(
            job.number("question_id"), job.text("text"), Actor(job.text("user")), self._knowledge
        )
        self._refresh_home(reviewers_of(self._services.projects, [decision.project]))

    def _escalation_reply(self, job: Job, _attempt: int) -> None:
        channel, user, ts = job.text("channel"), job.text("user"), job.text("ts")
        try:
            self._services.escalations.answer_in_thread(
                MessageRef(channel, job.text("thread_ts")),
                job.text("text"),
                Actor(user),
                self._knowledge,
                permalink=self._links(channel, ts),
            )
        except BotError as exc:
            self._client.chat_postEphemeral(channel=channel, user=user, text=exc.user_message)
