"""Slack errors that no retry mends, each handled once.

- The bot is not in a channel, or the channel is gone (`not_in_channel`, `channel_not_found`,
  `is_archived`): the project's reviewers are told once, in another channel of the project the
  bot can post to (or, failing all, in a direct message), how to invite the bot.
- The token is rejected (`invalid_auth`, `token_revoked`, `account_inactive`, `not_authed`):
  the workspace's work stops (jobs fail without retries, digests are not attempted) and the
  log says so once, with the fix; `apo doctor` names the same error from auth.test.

Both turn into a `BotError`, which the job runner records as final instead of retrying.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import BotError
from bot.projects import Project, ProjectsConfig

log = logging.getLogger(__name__)
UNREACHABLE = frozenset({"not_in_channel", "channel_not_found", "is_archived"})
REJECTED_TOKEN = frozenset({"invalid_auth", "not_authed", "account_inactive", "token_revoked"})
TOKEN_REJECTED = "Slack rejected the bot's token, so the bot has stopped working here."


class SlackTrouble:
    def __init__(self, client: WebClient, projects: ProjectsConfig) -> None:
        self._client = client
        self._projects = projects
        self._lock = threading.Lock()
        self._told: set[str] = set()  # channels the reviewers were told about
        self.token_rejected: str | None = None  # the error, once Slack refused the token

    def check_token(self) -> None:
        """`BotError` once the token was rejected: nothing more is sent with it."""
        if self.token_rejected is not None:
            raise BotError(TOKEN_REJECTED, detail=self.token_rejected)

    def lasting(self, error: SlackApiError) -> BotError | None:
        """The error to end the work with, if `error` is one no retry mends (see above)."""
        code = str(error.response.get("error") or "")
        if code in REJECTED_TOKEN:
            with self._lock:
                first, self.token_rejected = self.token_rejected is None, code
            if first:
                log.error(
                    "Slack rejected the bot token (%s); stopping this workspace's work. Copy a "
                    "valid Bot User OAuth Token into SLACK_BOT_TOKEN and restart "
                    "(apo doctor checks it).",
                    code,
                )
            return BotError(TOKEN_REJECTED, detail=code)
        if code in UNREACHABLE:
            channel = _channel_of(error)
            if channel:
                self._tell_reviewers_once(channel, code)
            return BotError(f"I can't post in that channel ({code}).", detail=code)
        return None

    def _tell_reviewers_once(self, channel: str, code: str) -> None:
        project = self._projects.for_channel(channel)
        with self._lock:
            if project is None or channel in self._told:
                return
            self._told.add(channel)
        log.warning(
            "cannot post in channel %s of %s (%s); telling the reviewers",
            channel,
            project.key,
            code,
        )
        text = _invite_text(project, channel, code)
        for other in _other_channels(project, channel):
            try:
                self._client.chat_postMessage(channel=other, text=text)
                return
            except SlackApiError:
                continue  # not there either; try the next, then direct messages
        for reviewer in project.reviewers:
            try:
                self._client.chat_postMessage(channel=reviewer, text=text)
            except SlackApiError:
                log.warning("could not tell reviewer %s about channel %s", reviewer, channel)


def _other_channels(project: Project, channel: str) -> list[str]:
    ordered = [project.team.channel, project.client.channel, *project.channels]
    return [c for c in dict.fromkeys(ordered) if c and c != channel]


def _invite_text(project: Project, channel: str, code: str) -> str:
    who = " ".join(f"<@{r}>" for r in project.reviewers)
    if code == "not_in_channel":
        problem = f"I'm not a member of <#{channel}>, so nothing I do there can be posted."
        fix = f"Invite me: type `/invite @APO Bridge` in <#{channel}>."
    else:
        problem = f"I can't find <#{channel}> ({code}): it may be archived or private to me."
        fix = f"Invite me to it, or change {project.key}'s channel in the projects file."
    return f"{who} {problem} {fix}".strip()


def _channel_of(error: SlackApiError) -> str | None:
    args: Any = getattr(error.response, "req_args", None) or {}
    for part in ("json", "data", "params"):
        values = args.get(part) if isinstance(args, dict) else None
        if isinstance(values, dict) and isinstance(values.get("channel"), str):
            return str(values["channel"])
    return None
