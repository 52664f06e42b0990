"""HomePublisher: a person's Home tab, published with `views.publish`."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.domain.home import HomeView
from bot.slack.blocks.home import home_view


class SlackHomePublisher:
    def __init__(self, client: WebClient) -> None:
        self._client = client

    def publish(self, view: HomeView) -> None:
        self._client.views_publish(user_id=view.user_id, view=home_view(view))
