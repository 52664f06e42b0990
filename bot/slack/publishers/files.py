"""Files the bot hands to one person: uploaded into their direct messages with the bot, so
nothing in them is seen by a channel the file was not meant for."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.services.stories.backlog_files import BacklogFile


class SlackFilePublisher:
    def __init__(self, client: WebClient) -> None:
        self._client = client

    def send_privately(self, user_id: str, file: BacklogFile) -> None:
        opened = self._client.conversations_open(users=user_id)
        self._client.files_upload_v2(
            channel=str(opened["channel"]["id"]),
            content=file.content,
            filename=file.filename,
            title=file.title,
            initial_comment=f"Here is the approved backlog: {file.title}.",
        )

    def tell(self, user_id: str, text: str) -> None:
        """A short note in the person's messages with the bot (where the Home tab lives)."""
        self._client.chat_postMessage(channel=user_id, text=text)
