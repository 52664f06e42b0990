"""A worker: consumer threads running jobs from the queue, the sweeper that sends again what a
dead worker left, and the daily digest scheduler.

`apo worker` runs one in its own process; `apo serve` starts `APO_WORKERS` of them as child
processes (`bot.jobs.processes`), so the model, embedding and search work never shares an
interpreter with the web side's acks. Tests run one in-process with `start_worker`.
"""

from __future__ import annotations

import logging
import os
import threading
from datetime import date

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.container import Container, build_container
from bot.digest_scheduler import DigestScheduler
from bot.domain.digests import DigestSideName
from bot.domain.jobs import JobKind
from bot.jobs.handlers import JobHandlers
from bot.jobs.queue import JobConsumer, JobQueue, queue_url
from bot.jobs.runner import JobRunner, Sweeper
from bot.settings import Settings
from bot.slack.links import SlackLinks
from bot.slack.publishers.digests import SlackDigestPublisher
from bot.slack.publishers.routed import ChannelRoutedBatchPublisher
from bot.slack.trouble import SlackTrouble
from bot.slack.workspaces import SingleWorkspace, WorkspaceClients, WorkspaceNotInstalled
from bot.storage.jobs import SqlJobLedger
from bot.storage.leader import leader_for

log = logging.getLogger(__name__)
# Set by `apo serve` on its worker children: they stop when that process is gone.
PARENT_ENV = "APO_WORKER_PARENT"


class Worker:
    def __init__(self, consumer: JobConsumer, sweeper: Sweeper) -> None:
        self.consumer = consumer
        self.sweeper = sweeper

    def stop(self) -> None:
        self.sweeper.stop()
        self.consumer.stop()


def run_worker(settings: Settings, *, threads: int) -> None:
    """The `apo worker` process: runs until SIGINT (finish running jobs) or SIGTERM."""
    container = build_container(settings)
    clients = container.slack_clients()
    queue = JobQueue(queue_url(settings))
    worker = start_worker(container, clients, queue, threads=threads, start=False)
    scheduler = start_digest_scheduler(container, clients)
    threading.Thread(target=container.warm_up, name="warm-up", daemon=True).start()
    _stop_with_parent()
    log.info("APO Bridge worker running %s job thread(s) from %s", threads, queue.url)
    try:
        worker.consumer.run()
    finally:
        worker.sweeper.stop()
        scheduler.shutdown(wait=False)


def start_worker(
    container: Container,
    slack: WebClient | WorkspaceClients,
    queue: JobQueue,
    *,
    threads: int,
    start: bool = True,
) -> Worker:
    """Bind the job handlers to `queue`, start the sweeper, and show drafts a stopped bot
    left with no job to finish them (and, later, drafts whose job was given up) as a failure
    with Retry. The consumer runs in background
    threads unless `start` is False (then the caller `run()`s it in its main thread)."""
    settings = container.settings
    clients = _clients(slack)
    ledger = SqlJobLedger(container.db)
    publisher = ChannelRoutedBatchPublisher(container.projects, clients)

    def show_abandoned_drafts() -> None:
        """Drafts no open job will finish (a stopped bot, a job given up) show Retry."""
        resuming = {job.number("note_id") for job in ledger.open_jobs(JobKind.DRAFT_BATCH)}
        container.services.stories.show_interrupted(publisher, resuming=resuming)

    show_abandoned_drafts()
    runner = JobRunner(
        ledger,
        JobHandlers(container.services, clients),
        lease_seconds=settings.job_lease_seconds,
        max_attempts=settings.job_max_attempts,
        gave_up=show_abandoned_drafts,
    )
    sweeper = Sweeper(
        ledger,
        queue,
        interval=settings.job_sweep_seconds,
        lease_seconds=settings.job_lease_seconds,
        max_attempts=settings.job_max_attempts,
        gave_up=show_abandoned_drafts,
    )
    consumer = queue.consumer(runner, threads=threads)
    sweeper.start()
    if start:
        consumer.start()
    return Worker(consumer, sweeper)


def start_digest_scheduler(
    container: Container, slack: WebClient | WorkspaceClients
) -> DigestScheduler:
    """Daily digests in each side's own zone; with PostgreSQL only one process schedules."""
    digests = container.services.digests
    scheduler = DigestScheduler(
        container.projects,
        DigestRunner(container, _clients(slack)),
        leader=leader_for(container.db.engine),
        last_posted=digests.last_posted_date,
        daily_upkeep=digests.forget_old_messages,
    )
    scheduler.start()
    return scheduler


class DigestRunner:
    """Posts one side's digest with the token of the project's workspace; a workspace that is
    not installed (any more) gets none, said in the log."""

    def __init__(self, container: Container, clients: WorkspaceClients) -> None:
        self._container = container
        self._clients = clients
        self._publishers: dict[int, tuple[SlackDigestPublisher, SlackTrouble]] = {}
        self._lock = threading.Lock()

    def __call__(self, project: str, side: DigestSideName, day: date) -> bool:
        team_id = self._container.projects.get(project).team_id
        try:
            client = self._clients.client_for(team_id)
        except WorkspaceNotInstalled:
            log.warning(
                "no %s digest for %s on %s: the app is not installed in its Slack workspace "
                "%s (any more)",
                side,
                project,
                day,
                team_id,
            )
            return False
        with self._lock:
            found = self._publishers.get(id(client))
            if found is None:
                found = self._publishers[id(client)] = (
                    SlackDigestPublisher(client, SlackLinks(client)),
                    SlackTrouble(client, self._container.projects),
                )
        publisher, trouble = found
        # A digest Slack will never take (the bot not in the channel, a revoked token) is
        # reported once (see SlackTrouble) and left failed; the next day's run tries again.
        if trouble.token_rejected is not None:
            return False  # said once in the log when Slack refused the token
        try:
            self._container.services.digests.post(project, side, day, publisher)
        except SlackApiError as exc:
            lasting = trouble.lasting(exc)
            if lasting is None:
                raise
            log.warning("%s digest for %s on %s not posted: %s", side, project, day, lasting)
            return False
        return True


def _clients(slack: WebClient | WorkspaceClients) -> WorkspaceClients:
    # One WebClient (tests, one SLACK_BOT_TOKEN) speaks for every workspace.
    return SingleWorkspace(slack) if isinstance(slack, WebClient) else slack


def _stop_with_parent() -> None:
    """A worker started by `apo serve` ends when that process ends, even by SIGKILL."""
    parent = os.environ.get(PARENT_ENV)
    if not parent:
        return

    def watch() -> None:
        stop = threading.Event()
        while not stop.wait(0.5):
            if os.getppid() != int(parent):
                log.info("the serving process %s is gone; the worker stops", parent)
                os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
