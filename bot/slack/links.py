"""Message permalinks, built from the workspace URL (one auth.test per app, not one call a link)."""

from __future__ import annotations

import threading

from slack_sdk import WebClient


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
