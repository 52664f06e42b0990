"""Slack's OAuth v2 install flow (APO_SLACK_OAUTH): Bolt's `OAuthSettings` over our stores.

`/slack/install` sends the installer's browser straight to Slack's consent page (with a
one-time `state`, also set as a cookie); Slack sends it back to `/slack/oauth_redirect`, where
Bolt checks the state, trades the code for the workspace's bot token (`oauth.v2.access`) and
saves the installation.
"""

from __future__ import annotations

from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from bot.settings import Settings
from bot.slack.installations import (
    INSTALL_PATH,
    REDIRECT_PATH,
    STATE_SECONDS,
    InstallationStore,
)
from bot.slack.manifest import BOT_SCOPES as MANIFEST_SCOPES

# The bot scopes every installation asks for: the manifest's, from the same source.
BOT_SCOPES = tuple(sorted(MANIFEST_SCOPES))


def oauth_settings(
    settings: Settings, installations: InstallationStore, states: SQLAlchemyOAuthStateStore
) -> OAuthSettings:
    client_id, client_secret = settings.require_oauth()
    return OAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=list(BOT_SCOPES),
        user_scopes=[],  # the bot acts as itself, never as a person
        redirect_uri=settings.slack_redirect_url,
        install_path=INSTALL_PATH,
        # Straight to Slack's consent page: one click less than Bolt's "Add to Slack" page.
        install_page_rendering_enabled=False,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=installations,
        installation_store_bot_only=True,
        state_store=states,
        state_expiration_seconds=STATE_SECONDS,
    )
