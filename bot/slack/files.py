"""Reading meeting notes out of a Slack message: its text plus attached text files.

Text, Markdown and snippet files are downloaded from `url_private` with the bot token
(Slack's documented way); other file types are skipped and said so.
"""

from __future__ import annotations

import urllib.request
from typing import Any

from slack_sdk import WebClient

from bot.errors import BotError

TEXT_TYPES = {"text", "markdown", "md", "txt", "post", "csv"}


def message_notes(client: WebClient, message: dict[str, Any], *, max_chars: int) -> str:
    parts = [str(message.get("text") or "")]
    for file in message.get("files") or []:
        if not _is_text(file):
            continue
        parts.append(_download(client, file, max_bytes=max_chars * 4))
    return "\n\n".join(p for p in parts if p.strip())


def _is_text(file: dict[str, Any]) -> bool:
    mimetype = str(file.get("mimetype") or "")
    return mimetype.startswith("text/") or str(file.get("filetype") or "") in TEXT_TYPES


def _download(client: WebClient, file: dict[str, Any], *, max_bytes: int) -> str:
    url = file.get("url_private_download") or file.get("url_private")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise BotError(f"I could not read the attached file {file.get('name', '')!r}.")
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {client.token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            data: bytes = response.read(max_bytes + 1)
    except OSError as exc:
        raise BotError(
            f"I could not download the attached file {file.get('name', '')!r} from Slack."
        ) from exc
    if len(data) > max_bytes:
        raise BotError(
            f"The attached file {file.get('name', '')!r} is too large to draft from in one go. "
            "Split it into several files."
        )
    return data.decode("utf-8", errors="replace")
