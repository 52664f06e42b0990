"""A worker: consumer threads running jobs from the queue, the sweeper that sends again what a
dead worker left, and the daily digest scheduler.

`apo worker` runs one in its own process; `apo serve` starts `APO_WORKERS` of them as child
processes (`bot.jobs.processes`), so the model, embedding and search work never shares an
interpreter with the web side's acks. Tests run one in-process with `start_worker`.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import date

from slack_sdk import WebClient

from bot.container import Container, build_container
from bot.digest_scheduler import DigestScheduler
from bot.domain.digests import DigestSideName
from bot.domain.jobs import Job, JobKind, JobSender, JobValue
from bot.jobs.handlers import JobHandlers
from bot.jobs.queue import JobConsumer, JobQueue, queue_url
from bot.jobs.runner import JobRunner, LedgerSender, Sweeper
from bot.ops import metrics
from bot.ops.metrics import serve_metrics
from bot.settings import Settings
from bot.slack.publishers.routed import ChannelRoutedBatchPublisher
from bot.slack.workspaces import SingleWorkspace, WorkspaceClients
from bot.storage.jobs import SqlJobLedger
from bot.storage.leader import leader_for

log = logging.getLogger(__name__)
# Set by `apo serve` on its worker children: they stop when that process is gone.
PARENT_ENV = "APO_WORKER_PARENT"
# A worker beside its web side (`apo serve`) runs at a lower CPU priority, so on a small
# machine the web side's acks get the CPU first when a burst of requests also starts a burst
# of jobs; the jobs wait a little, and they wait on the model and Slack anyway.
_NICENESS_BESIDE_WEB = 10


class Worker:
    def __init__(self, consumer: JobConsumer, sweeper: Sweeper) -> None:
        self.consumer = consumer
        self.sweeper = sweeper

    def stop(self) -> None:
        self.sweeper.stop()
        self.consumer.stop()


def run_worker(settings: Settings, *, threads: int) -> None:
    """The `apo worker` process: runs until SIGINT (finish running jobs) or SIGTERM."""
    if os.environ.get(PARENT_ENV):
        os.nice(_NICENESS_BESIDE_WEB)
    container = build_container(settings)
    clients = container.slack_clients()
    queue = JobQueue(queue_url(settings))
    worker = start_worker(container, clients, queue, threads=threads, start=False)
    scheduler = start_digest_scheduler(container, LedgerSender(SqlJobLedger(container.db), queue))
    threading.Thread(target=container.warm_up, name="warm-up", daemon=True).start()
    if settings.metrics_port is not None:
        serve_metrics(settings.metrics_port, container.health)
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


def start_digest_scheduler(container: Container, jobs: JobSender) -> DigestScheduler:
    """Daily digests in each side's own zone; with PostgreSQL only one process schedules.
    Each digest is a job, so one whose worker is killed while posting is finished by another
    (and one Slack already took is adopted, not posted twice)."""
    digests = container.services.digests
    projects = container.projects
    # Each scheduling process queues its own job per digest: a digest whose job ended failed
    # (Slack down all morning) is tried again by the next leader or a restart, while the
    # digest's own claim and the adoption of a message Slack already took keep it single.
    run = f"{socket.gethostname()}-{os.getpid()}-{int(time.time())}"

    def queue_digest(project: str, side: DigestSideName, day: date) -> None:
        jobs.send(digest_job(project, side, day, team=projects.get(project).team_id, run=run))

    scheduler = DigestScheduler(
        container.projects,
        queue_digest,
        leader=leader_for(container.db.engine),
        last_posted=digests.last_posted_date,
        daily_upkeep=digests.forget_old_messages,
        leader_check_seconds=container.settings.leader_check_seconds,
        on_leadership=metrics.scheduler_leader,
    )
    scheduler.start()
    return scheduler


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


def digest_job(
    project: str,
    side: DigestSideName,
    day: date,
    *,
    team: str | None = None,
    run: str = "",
) -> Job:
    """The job posting one side's digest; `team`, the project's Slack workspace (several
    workspaces), picks the token; `run` names the scheduling process that asked."""
    payload: dict[str, JobValue] = {"project": project, "side": side, "date": day.isoformat()}
    if team:
        payload["team"] = team
    key = f"digest:{project}:{side}:{day.isoformat()}" + (f":{run}" if run else "")
    return Job(JobKind.POST_DIGEST, key, payload)
