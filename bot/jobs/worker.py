"""A worker: consumer threads running jobs from the queue, plus the daily digest scheduler.

`apo worker` runs one in its own process; `apo serve` starts `APO_WORKERS` of them as child
processes (`bot.jobs.processes`), so the model, embedding and search work never shares an
interpreter with the web side's acks. Tests run one in-process with `start_worker`.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

from slack_sdk import WebClient

from bot.container import Container, build_container
from bot.digest_scheduler import DigestScheduler
from bot.domain.jobs import Job
from bot.jobs.handlers import JobHandlers
from bot.jobs.queue import JobConsumer, JobQueue, queue_url
from bot.settings import Settings
from bot.slack.client import make_web_client
from bot.slack.links import SlackLinks
from bot.slack.publishers.digests import SlackDigestPublisher
from bot.slack.publishers.stories import SlackBatchPublisher
from bot.storage.leader import leader_for

log = logging.getLogger(__name__)
# Set by `apo serve` on its worker children: they stop when that process is gone.
PARENT_ENV = "APO_WORKER_PARENT"


def run_worker(settings: Settings, *, threads: int) -> None:
    """The `apo worker` process: runs until SIGINT (finish running jobs) or SIGTERM."""
    container = build_container(settings)
    client = make_web_client(settings)
    queue = JobQueue(queue_url(settings))
    consumer = start_worker(container, client, queue, threads=threads, start=False)
    scheduler = start_digest_scheduler(container, client)
    threading.Thread(target=container.warm_up, name="warm-up", daemon=True).start()
    _stop_with_parent()
    log.info("APO Bridge worker running %s job thread(s) from %s", threads, queue.url)
    try:
        consumer.run()
    finally:
        scheduler.shutdown(wait=False)


def start_worker(
    container: Container,
    client: WebClient,
    queue: JobQueue,
    *,
    threads: int,
    start: bool = True,
    wrap: Callable[[Callable[[Job], None]], Callable[[Job], None]] = lambda handler: handler,
) -> JobConsumer:
    """Bind the job handlers to `queue` and resume what a stopped worker left: drafts that
    were interrupted become a failure with Retry. Returns the consumer, started in background
    threads unless `start` is False (then the caller `run()`s it in its main thread)."""
    container.services.stories.show_interrupted(SlackBatchPublisher(client))
    consumer = queue.consumer(wrap(JobHandlers(container.services, client)), threads=threads)
    if start:
        consumer.start()
    return consumer


def start_digest_scheduler(container: Container, client: WebClient) -> DigestScheduler:
    """Daily digests in each side's own zone; with PostgreSQL only one process schedules."""
    digests = container.services.digests
    publisher = SlackDigestPublisher(client, SlackLinks(client))
    scheduler = DigestScheduler(
        container.projects,
        lambda project, side, day: digests.post(project, side, day, publisher),
        leader=leader_for(container.db.engine),
        last_posted=digests.last_posted_date,
    )
    scheduler.start()
    return scheduler


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
