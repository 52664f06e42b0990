"""Posting a digest to a side's channel, exactly once per local day."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.projects import Project, ProjectsConfig
from bot.services.digest_content import DigestContent, SideName
from bot.services.digests import DigestService
from bot.slack.blocks.digest import digest_message, quiet_message
from bot.slack.links import SlackLinks

log = logging.getLogger(__name__)
# Answers that mean "try again later" rather than "this will never work" (channel_not_found).
_TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


def is_transient(exc: SlackApiError | OSError) -> bool:
    """A dropped connection, an HTTP 429/5xx or a "try later" error: worth another attempt."""
    if not isinstance(exc, SlackApiError):
        return True
    status = int(getattr(exc.response, "status_code", 200) or 200)
    return status == 429 or status >= 500 or exc.response.get("error") in _TRANSIENT_ERRORS


class DigestPoster:
    def __init__(
        self,
        client: WebClient,
        digests: DigestService,
        projects: ProjectsConfig,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = client
        self._digests = digests
        self._projects = projects
        self._sleep = sleep
        self.links = SlackLinks(client)

    def run(
        self,
        project: str,
        side: SideName,
        local_date: date,
        *,
        attempts: int = 3,
        backoff: float = 15.0,
    ) -> str | None:
        """Build, claim and post; returns the message ts, or None when nothing was posted
        (already posted by another run, or a quiet day the project skips).

        A post that fails for a passing reason (Slack down, a dropped connection) is marked
        failed, then claimed and posted again, up to `attempts` times in all, `backoff`,
        2 × `backoff`, … seconds apart, so a brief outage at digest time still gets the day's
        digest out. The last failure, or a lasting one (channel_not_found), is raised.
        """
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        config = self._projects.get(project)
        channel = (config.client if side == "client" else config.team).channel
        content = self._digests.build(project, side, local_date)
        attempt = 1
        while True:
            try:
                return self._post(content, config, channel)
            except (SlackApiError, OSError) as exc:
                if attempt >= attempts or not is_transient(exc):
                    raise
                delay = backoff * 2 ** (attempt - 1)
                log.warning(
                    "%s digest for %s on %s failed (%s); trying again in %.1f s",
                    side,
                    project,
                    local_date,
                    exc,
                    delay,
                )
                self._sleep(delay)
                attempt += 1

    def _post(self, content: DigestContent, config: Project, channel: str) -> str | None:
        token = self._digests.claim(content, channel)
        if token is None:
            log.info(
                "%s digest for %s on %s is already taken",
                content.side,
                content.project,
                content.local_date,
            )
            return None
        try:
            if content.is_quiet and config.quiet_digest == "skip":
                self._digests.posted(content, channel, "", token)
                return None
            text, blocks = self.render(content)
            posted = self._client.chat_postMessage(channel=channel, text=text, blocks=blocks)
        except (SlackApiError, OSError) as exc:
            self._digests.failed(content, str(exc), token)
            raise
        ts = str(posted["ts"])
        self._digests.posted(content, channel, ts, token)
        return ts

    def render(self, content: DigestContent) -> tuple[str, list[dict[str, object]]]:
        config = self._projects.get(content.project)
        if content.is_quiet and config.quiet_digest == "one_line":
            return quiet_message(content)
        return digest_message(content, self.links)
