"""Reading meeting notes out of a Slack message: its text plus attached text files.

Text, Markdown and snippet files are downloaded from `url_private` with the bot token
(Slack's documented way); other file types are skipped and said so.
"""

from __future__ import annotations

import urllib.request
from typing import Any
from urllib.parse import urlsplit

from slack_sdk import WebClient

from bot.errors import BotError
from bot.slack.text import escape

TEXT_TYPES = {"text", "markdown", "md", "txt", "post", "csv"}
SLACK_FILE_HOSTS = {"files.slack.com", "files.slack-gov.com"}


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
    name = escape(str(file.get("name") or "")[:100])
    url = file.get("url_private_download") or file.get("url_private")
    if not isinstance(url, str) or not _is_slack_file_url(url, client.base_url):
        raise BotError(f"I could not read the attached file `{name}`.")
    request = urllib.request.Request(url)
    # Unredirected: the bot token goes to Slack's file host only, never to a redirect target.
    request.add_unredirected_header("Authorization", f"Bearer {client.token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            if not str(response.headers.get("Content-Type", "")).startswith("text/"):
                # e.g. Slack's login page when the files:read scope is missing
                raise BotError(f"Slack did not give me the text of `{name}` (files:read scope?).")
            data: bytes = response.read(max_bytes + 1)
    except OSError as exc:
        raise BotError(f"I could not download the attached file `{name}` from Slack.") from exc
    if len(data) > max_bytes:
        raise BotError(
            f"The attached file `{name}` is too large to draft from in one go. "
            "Split it into several files."
        )
    if _looks_binary(data):
        raise BotError(
            f"The attached file `{name}` is not text (it looks like an image, a PDF or another "
            "binary file). Attach the notes as a .txt or .md file, or paste them."
        )
    return data.decode("utf-8", errors="replace")


def _looks_binary(data: bytes) -> bool:
    """A NUL byte, or more than a few bytes that are not UTF-8: a renamed image or PDF, which
    the model would only see as noise."""
    if b"\x00" in data[:8192]:
        return True
    text = data[:65536].decode("utf-8", errors="replace")
    return text.count("\ufffd") > max(8, len(text) // 100)


def _is_slack_file_url(url: str, api_url: str) -> bool:
    """Slack's file host, or the host the Web API is reached at (a proxy, GovSlack, a test)."""
    parts, api = urlsplit(url), urlsplit(api_url)
    if parts.scheme == "https" and parts.hostname in SLACK_FILE_HOSTS:
        return True
    return parts.scheme == api.scheme and parts.hostname == api.hostname
