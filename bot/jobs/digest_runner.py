"""Posting one side's daily digest with the token of the project's workspace.

The scheduler queues each digest as a job (see `bot.jobs.worker.digest_job`); the worker that
runs it posts through here. A workspace that is not installed (any more) gets no digest, and
a digest Slack will never take (the bot not in the channel, a revoked token) is reported once
and left failed: the next day's run tries again.
"""

from __future__ import annotations

import logging
import threading
from datetime import date

from slack_sdk.errors import SlackApiError

from bot.domain.digests import DigestSideName
from bot.ops import metrics
from bot.services import Services
from bot.slack.links import SlackLinks
from bot.slack.publishers.digests import SlackDigestPublisher
from bot.slack.trouble import SlackTrouble
from bot.slack.workspaces import WorkspaceClients, WorkspaceNotInstalled

log = logging.getLogger(__name__)


class DigestRunner:
    """Posts a side's digest for a day; True when it was posted (or already was)."""

    def __init__(self, services: Services, clients: WorkspaceClients) -> None:
        self._services = services
        self._clients = clients
        self._publishers: dict[int, tuple[SlackDigestPublisher, SlackTrouble]] = {}
        self._lock = threading.Lock()

    def __call__(
        self, project: str, side: DigestSideName, day: date, *, take_over: bool = False
    ) -> bool:
        """`take_over`: the run before was killed while posting, so its claim is ours and a
        digest Slack already took is kept rather than posted again."""
        team_id = self._services.projects.get(project).team_id
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
                    SlackTrouble(client, self._services.projects),
                )
        publisher, trouble = found
        if trouble.token_rejected is not None:
            return False  # said once in the log when Slack refused the token
        try:
            posted = self._services.digests.post(project, side, day, publisher, take_over=take_over)
        except SlackApiError as exc:
            lasting = trouble.lasting(exc)
            if lasting is None:
                raise
            log.warning("%s digest for %s on %s not posted: %s", side, project, day, lasting)
            return False
        if posted is not None:
            metrics.digest_posted(side)
        return True
