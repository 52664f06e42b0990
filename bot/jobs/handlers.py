"""What each kind of job does in a worker: the service call the listener used to make after
the ack, with the Slack publishers of the job's workspace (its `team`), built once per
workspace token in each worker process."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk import WebClient

from bot.domain import Actor, MessageRef
from bot.domain.jobs import Job, JobKind
from bot.errors import BotError
from bot.services import Services
from bot.services.knowledge.views import AskInput
from bot.slack.links import SlackLinks
from bot.slack.publishers.knowledge import SlackKnowledgePublisher
from bot.slack.publishers.stories import SlackBatchPublisher
from bot.slack.workspaces import WorkspaceClients


@dataclass(frozen=True)
class _Publishers:
    client: WebClient
    links: SlackLinks
    batches: SlackBatchPublisher
    knowledge: SlackKnowledgePublisher


class JobHandlers:
    """Runs one job to its end. Services show their own failures (an error with Retry, a
    short apology); what escapes goes to the runner, which tries again or gives up. A job
    whose workspace is not installed (any more) fails at once (`WorkspaceNotInstalled`, a
    `BotError`): nobody there can be answered."""

    def __init__(self, services: Services, clients: WorkspaceClients) -> None:
        self._services = services
        self._clients = clients
        self._publishers: dict[int, _Publishers] = {}
        self._lock = threading.Lock()
        self._by_kind: dict[JobKind, Callable[[Job, int], None]] = {
            JobKind.DRAFT_BATCH: self._draft_batch,
            JobKind.ANSWER_QUESTION: self._answer_question,
            JobKind.ANSWER_ESCALATION: self._answer_escalation,
            JobKind.ESCALATION_REPLY: self._escalation_reply,
            JobKind.SHOW_DECISION: self._show_decision,
        }

    def __call__(self, job: Job, attempt: int) -> None:
        self._by_kind[job.kind](job, attempt)

    def _for(self, job: Job) -> _Publishers:
        """The publishers speaking with the job's workspace's token (one client per token)."""
        client = self._clients.client_for(job.optional_text("team"))
        with self._lock:
            found = self._publishers.get(id(client))
            if found is None or found.client is not client:
                found = self._publishers[id(client)] = _Publishers(
                    client,
                    SlackLinks(client),
                    SlackBatchPublisher(client),
                    SlackKnowledgePublisher(client),
                )
            return found

    def _draft_batch(self, job: Job, attempt: int) -> None:
        self._services.stories.run_batch(
            job.number("note_id"),
            self._for(job).batches,
            channel=job.text("channel"),
            resume=attempt > 1,
        )

    def _show_decision(self, job: Job, _attempt: int) -> None:
        self._services.review.show_decision(job.number("story_id"), self._for(job).batches)

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
        self._services.questions.answer(ask, self._for(job).knowledge, resume=attempt > 1)

    def _answer_escalation(self, job: Job, _attempt: int) -> None:
        self._services.escalations.answer(
            job.number("question_id"),
            job.text("text"),
            Actor(job.text("user")),
            self._for(job).knowledge,
        )

    def _escalation_reply(self, job: Job, _attempt: int) -> None:
        channel, user, ts = job.text("channel"), job.text("user"), job.text("ts")
        slack = self._for(job)
        try:
            self._services.escalations.answer_in_thread(
                MessageRef(channel, job.text("thread_ts")),
                job.text("text"),
                Actor(user),
                slack.knowledge,
                permalink=slack.links(channel, ts),
            )
        except BotError as exc:
            slack.client.chat_postEphemeral(channel=channel, user=user, text=exc.user_message)
