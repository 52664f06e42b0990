"""What each kind of job does in a worker: the service call the listener used to make after
the ack, with the Slack publishers of the job's workspace (its `team`), built once per
workspace token in each worker process."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain import Actor, MessageRef
from bot.domain.digests import DigestSideName
from bot.domain.jobs import Job, JobKind
from bot.errors import BotError
from bot.jobs.digest_runner import DigestRunner
from bot.services import Services
from bot.services.home.service import reviewers_of
from bot.services.knowledge.ports import AnswerPublisher
from bot.services.knowledge.views import Abstention, AskInput
from bot.services.stories.ports import BatchPublisher
from bot.slack.blocks.common import MAX_BLOCKS, context
from bot.slack.blocks.digest import digest_message
from bot.slack.channels import ChannelDirectory
from bot.slack.links import SlackLinks
from bot.slack.people import SlackPeople
from bot.slack.publishers.files import SlackFilePublisher
from bot.slack.publishers.home import SlackHomePublisher
from bot.slack.publishers.knowledge import SlackKnowledgePublisher
from bot.slack.publishers.pane import SlackPaneBatchPublisher, SlackPanePublisher
from bot.slack.publishers.stories import SlackBatchPublisher
from bot.slack.trouble import SlackTrouble
from bot.slack.workspaces import WorkspaceClients

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Publishers:
    client: WebClient
    links: SlackLinks
    batches: SlackBatchPublisher
    knowledge: SlackKnowledgePublisher
    trouble: SlackTrouble  # Slack errors no retry mends, once per workspace token
    directory: ChannelDirectory
    home: SlackHomePublisher
    files: SlackFilePublisher
    people: SlackPeople


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
        self._digests = DigestRunner(services, clients)
        self._by_kind: dict[JobKind, Callable[[Job, int], None]] = {
            JobKind.DRAFT_BATCH: self._draft_batch,
            JobKind.ANSWER_QUESTION: self._answer_question,
            JobKind.ANSWER_ESCALATION: self._answer_escalation,
            JobKind.ESCALATION_REPLY: self._escalation_reply,
            JobKind.SHOW_DECISION: self._show_decision,
            JobKind.POST_DIGEST: self._post_digest,
            JobKind.EXPORT_BACKLOG: self._export_backlog,
            JobKind.DIGEST_PREVIEW: self._digest_preview,
            JobKind.PUSH_STORY: self._push_story,
            JobKind.PUSH_BATCH: self._push_batch,
            JobKind.CLOSE_ISSUE: self._close_issue,
        }

    def __call__(self, job: Job, attempt: int) -> None:
        trouble = self._for(job).trouble
        trouble.check_token()
        try:
            self._by_kind[job.kind](job, attempt)
        except SlackApiError as exc:
            lasting = trouble.lasting(exc)
            if lasting is None:
                raise  # worth another attempt (the runner backs off)
            raise lasting from exc

    def _for(self, job: Job) -> _Publishers:
        """The publishers speaking with the job's workspace's token (one client per token)."""
        client = self._clients.client_for(job.optional_text("team"))
        with self._lock:
            found = self._publishers.get(id(client))
            if found is None or found.client is not client:
                links = SlackLinks(client)
                found = self._publishers[id(client)] = _Publishers(
                    client,
                    links,
                    SlackBatchPublisher(client),
                    SlackKnowledgePublisher(client),
                    SlackTrouble(client, self._services.projects),
                    ChannelDirectory(client),
                    SlackHomePublisher(client),
                    SlackFilePublisher(client),
                    SlackPeople(client, links),
                )
            return found

    def _draft_batch(self, job: Job, attempt: int) -> None:
        slack = self._for(job)
        publisher: BatchPublisher = slack.batches
        pane_channel = job.optional_text("pane_channel")
        pane_thread = job.optional_text("pane_thread")
        if pane_channel and pane_thread:
            pane = MessageRef(pane_channel, pane_thread)
            publisher = SlackPaneBatchPublisher(slack.client, slack.batches, pane, slack.links)
        self._services.stories.run_batch(
            job.number("note_id"), publisher, channel=job.text("channel"), resume=attempt > 1
        )

    def _post_digest(self, job: Job, attempt: int) -> None:
        named = job.text("side")
        if named not in ("team", "client"):
            raise BotError(f"job {job.key}: unknown digest side {named!r}")
        side: DigestSideName = "team" if named == "team" else "client"
        self._digests(
            job.text("project"),
            side,
            date.fromisoformat(job.text("date")),
            take_over=attempt > 1,  # the run before was killed: its claim and post are ours
        )

    def _show_decision(self, job: Job, _attempt: int) -> None:
        """Redraw first (the decision shows at once), then the tracker: a slow or failing
        Jira never holds the card back; it shows the key, or the problem with Retry."""
        story_id, slack = job.number("story_id"), self._for(job)
        story = self._services.review.show_decision(story_id, slack.batches)
        # The story leaves (or changes on) every reviewer's "waiting for your review" list.
        self._refresh_home(job, reviewers_of(self._services.projects, [story.project]))
        self._services.tracker.after_decision(story_id, slack.batches, slack.people, owner=job.key)

    def _push_story(self, job: Job, _attempt: int) -> None:
        slack = self._for(job)
        self._services.tracker.push(
            job.number("story_id"), slack.batches, slack.people, owner=job.key
        )

    def _push_batch(self, job: Job, _attempt: int) -> None:
        note_id, slack = job.number("note_id"), self._for(job)
        try:
            self._services.tracker.push_batch(note_id, slack.batches, slack.people, owner=job.key)
        finally:  # the summary's button counts what is still waiting
            self._services.review.show_batch(note_id, slack.batches)

    def _close_issue(self, job: Job, _attempt: int) -> None:
        self._services.tracker.close(job.number("story_id"), self._for(job).batches)

    def _refresh_home(self, job: Job, users: list[str]) -> None:
        slack = self._for(job)
        try:
            self._services.home.refresh(users, slack.directory, slack.home)
        except Exception:  # a stale Home tab is redrawn when opened; the job itself is done
            log.exception("could not refresh the Home tab of %s", users)

    def _export_backlog(self, job: Job, _attempt: int) -> None:
        user = job.text("user")
        slack = self._for(job)

        def sees(channel: str | None, private: bool) -> bool:
            return not private or (channel is not None and slack.directory.is_member(user, channel))

        try:
            file = self._services.exports.export(
                job.text("project"), job.text("format"), Actor(user), sees
            )
        except BotError as exc:
            slack.files.tell(user, exc.user_message)
            return
        slack.files.send_privately(user, file)

    def _digest_preview(self, job: Job, _attempt: int) -> None:
        side: DigestSideName = "team" if job.text("side") == "team" else "client"
        slack = self._for(job)
        content = self._services.digests.preview(job.text("project"), side)
        text, blocks = digest_message(content, slack.links)
        slack.client.chat_postEphemeral(
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
        slack = self._for(job)
        publisher: AnswerPublisher = slack.knowledge
        if job.flag("pane"):
            thread = MessageRef(ask.channel, ask.thread_ts or ask.message_ts or "")
            publisher = SlackPanePublisher(slack.client, thread)
        result = self._services.questions.answer(ask, publisher, resume=attempt > 1)
        if isinstance(result, Abstention):  # a new question on the reviewers' Home tabs
            self._refresh_home(job, reviewers_of(self._services.projects, [ask.project]))

    def _answer_escalation(self, job: Job, _attempt: int) -> None:
        decision = self._services.escalations.answer(
            job.number("question_id"),
            job.text("text"),
            Actor(job.text("user")),
            self._for(job).knowledge,
        )
        self._refresh_home(job, reviewers_of(self._services.projects, [decision.project]))

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
