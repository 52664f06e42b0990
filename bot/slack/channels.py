"""What the bot needs to know about a channel: is it private (so its content stays there)."""

from __future__ import annotations

import threading

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.projects import Project


class ChannelDirectory:
    def __init__(self, client: WebClient) -> None:
        self._client = client
        self._private: dict[str, bool] = {}
        self._lock = threading.Lock()

    def is_private(self, channel_id: str) -> bool:
        """Private channels and DMs count as private; when Slack can't tell us, we assume
        private, because leaking a private decision is worse than under-sharing a public one."""
        if channel_id.startswith(("D", "G")):
            return True
        with self._lock:
            if channel_id in self._private:
                return self._private[channel_id]
        try:
            info = self._client.conversations_info(channel=channel_id)["channel"]
            private = bool(info.get("is_private") or info.get("is_im") or info.get("is_mpim"))
        except SlackApiError:
            return True
        with self._lock:
            self._private[channel_id] = private
        return private

    def is_member(self, user_id: str, channel_id: str) -> bool:
        """Whether the person is in the channel now; when Slack can't tell us, no (private
        content is hidden rather than shown)."""
        cursor = None
        while True:
            try:
                page = self._client.conversations_members(
                    channel=channel_id, limit=1000, cursor=cursor
                )
            except SlackApiError:
                return False
            if user_id in (page.get("members") or []):
                return True
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return False

    def belongs_to(self, user_id: str, project: Project) -> bool:
        """A reviewer, or a member of one of the project's channels: who may ask about it in a
        DM (where no channel says which project the asker is part of)."""
        if project.is_reviewer(user_id):
            return True
        for channel in sorted(project.all_channels):
            try:
                members = self._client.conversations_members(channel=channel, limit=1000)
            except SlackApiError:
                continue
            if user_id in (members.get("members") or []):
                return True
        return False
