"""Helpers for the digest end-to-end tests: post a digest through the running bot's Slack."""

from __future__ import annotations

from datetime import date

from bot.domain import MessageRef
from bot.domain.digests import DigestSideName
from bot.slack.links import SlackLinks
from bot.slack.publishers.digests import SlackDigestPublisher
from tests.harness.app_server import RunningBot


def publisher(bot: RunningBot) -> SlackDigestPublisher:
    return SlackDigestPublisher(bot.app.client, SlackLinks(bot.app.client))


def post_digest(
    bot: RunningBot,
    side: DigestSideName,
    local_date: date,
    *,
    project: str = "acme",
    attempts: int = 3,
    backoff: float = 15.0,
) -> MessageRef | None:
    """What the scheduler does at the side's digest time: build, claim, post, mark."""
    return bot.container.services.digests.post(
        project, side, local_date, publisher(bot), attempts=attempts, backoff=backoff
    )
