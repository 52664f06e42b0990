"""`SlackPeople`: people's names (users.info, cached per process) and message links, for
text read outside Slack (an issue's "Approved by …")."""

from __future__ import annotations

import logging
import threading

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain import MessageRef
from bot.slack.links import SlackLinks

log = logging.getLogger(__name__)


class SlackPeople:
    def __init__(self, client: WebClient, links: SlackLinks) -> None:
        self._client = client
        self._links = links
        self._names: dict[str, str] = {}
        self._lock = threading.Lock()

    def display_name(self, user_id: str) -> str:
        """The name people see in Slack; the id itself if Slack cannot say (a removed user,
        a missing scope), so an issue is never held up by a name."""
        with self._lock:
            if user_id in self._names:
                return self._names[user_id]
        try:
            user = self._client.users_info(user=user_id)["user"]
        except (SlackApiError, OSError, KeyError, TypeError) as exc:
            log.warning("no name for %s: %s", user_id, exc)
            return user_id
        profile = user.get("profile") or {}
        name = str(
            profile.get("real_name") or profile.get("display_name") or user.get("name") or user_id
        )
        with self._lock:
            self._names[user_id] = name
        return name

    def permalink(self, message: MessageRef) -> str | None:
        return self._links(message.channel, message.ts)
