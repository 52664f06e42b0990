"""Making untrusted text safe to show in Slack.

Slack turns `<!channel>`, `<!here>`, `<@U123>` and `<#C123>` in message text into live
mentions and links. Text people wrote (meeting notes, questions, model output that quotes them)
is escaped so it is shown, never acted on: Slack's own rule is to escape `&`, `<` and `>`.
"""

from __future__ import annotations

import re

SECTION_LIMIT = 3000


def escape(text: str) -> str:
    """Escape `&`, `<`, `>` so user text cannot form mentions, links or broadcasts."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int = SECTION_LIMIT, *, marker: str = "…") -> str:
    """Cut text to `limit` characters at a word boundary when one is near, marking the cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(marker)]
    space = cut.rfind(" ")
    if space > limit * 0.8:
        cut = cut[:space]
    # Never leave half an escape sequence like "&am" behind.
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + marker


def safe(text: str, limit: int = SECTION_LIMIT) -> str:
    """Escape, then fit into a Block Kit section."""
    return truncate(escape(text), limit)


def plain(text: str) -> str:
    """For plain-text places (modal field errors): `<@U123>` shows as `@U123`, not as markup."""
    return re.sub(
        r"<[@#!]([^>|]+)(?:\|([^>]*))?>", lambda m: "@" + (m.group(2) or m.group(1)), text
    )
