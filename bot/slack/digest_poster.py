"""Posting a digest to a side's channel, exactly once per local day."""

from __future__ import annotations

import logging
import threading
from datetime import date

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.projects import ProjectsConfig
from bot.services.digest_content import DigestContent, SideName
from bot.services.digests import DigestService
from bot.slack.blocks.digest import digest_message, quiet_message

log = logging.getLogger(__name__)


class SlackLinks:
    """Message permalinks built from the workspace URL (one auth.test, not one call a link)."""

    def __init__(self, client: WebClient) -> None:
        self._client = client
        self._base: str | None = None
        self._lock = threading.Lock()

    def __call__(self, channel: str | None, ts: str | None) -> str | None:
        if not channel or not ts:
            return None
        with self._lock:
            if self._base is None:
                self._base = str(self._client.auth_test().get("url") or "")
        if not self._base.startswith("https://"):
            return None
        return f"{self._base.rstrip('/')}/archives/{channel}/p{ts.replace('.', '')}"


class DigestPoster:
    def __init__(self, client: WebClient, digests: DigestService, projects: ProjectsConfig) -> None:
        self._client = client
        self._digests = digests
        self._projects = projects
        self.links = SlackLinks(client)

    def run(self, project: str, side: SideName, local_date: date) -> str | None:
        """Build, claim and post; returns the message ts, or None when nothing was posted
        (already posted by another run, or a quiet day the project skips)."""
        config = self._projects.get(project)
        channel = (config.client if side == "client" else config.team).channel
        content = self._digests.build(project, side, local_date)
        if not self._digests.claim(content, channel):
            log.info("%s digest for %s on %s is already taken", side, project, local_date)
            return None
        try:
            if content.is_quiet and config.quiet_digest == "skip":
                self._digests.posted(content, channel, "")
                return None
            text, blocks = self.render(content)
            posted = self._client.chat_postMessage(channel=channel, text=text, blocks=blocks)
        except (SlackApiError, OSError) as exc:
            self._digests.failed(content, str(exc))
            raise
        ts = str(posted["ts"])
        self._digests.posted(content, channel, ts)
        return ts

    def render(self, content: DigestContent) -> tuple[str, list[dict[str, object]]]:
        config = self._projects.get(content.project)
        if content.is_quiet and config.quiet_digest == "one_line":
            return quiet_message(content)
        return digest_message(content, self.links)
