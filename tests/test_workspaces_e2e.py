"""Several workspaces, one deployment, end to end: the app is installed into two fake
workspaces through /slack/install and Slack's redirect, each workspace's requests are answered
with its own bot token only, and an uninstall stops that workspace's digests."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from bot.jobs.digest_runner import DigestRunner
from tests.fixtures_db import copy_migrated_sqlite
from tests.harness.app_server import RunningBot, bot_settings, start_bot
from tests.harness.fake_openai import FakeOpenAI
from tests.harness.fake_slack import FakeSlack, FakeTeam, SlackCall
from tests.harness.waiting import wait_until

CLIENT_ID, CLIENT_SECRET = "1234.5678", "oauth-client-secret"
ACME_TEAM, GLOBEX_TEAM = "T0ACME", "T0GLOBEX"
ACME_CHANNEL, ACME_CLIENT = "C0ACME", "C0ACMECL"
GLOBEX_CHANNEL, GLOBEX_CLIENT = "C0GLOBEX", "C0GLOBEXCL"
REVIEWER = "U0APO"

TWO_WORKSPACES = f"""
projects:
  - key: acme
    name: Acme Invoicing
    team_id: {ACME_TEAM}
    channels: [{ACME_CHANNEL}]
    reviewers: [{REVIEWER}]
    client: {{timezone: Europe/Oslo, channel: {ACME_CLIENT}}}
    team: {{timezone: Asia/Bangkok, channel: C0ACMETM}}
  - key: globex
    name: Globex Portal
    team_id: {GLOBEX_TEAM}
    channels: [{GLOBEX_CHANNEL}]
    reviewers: [{REVIEWER}]
    client: {{timezone: Europe/Oslo, channel: {GLOBEX_CLIENT}}}
    team: {{timezone: Asia/Bangkok, channel: C0GLOBEXTM}}
"""


@pytest.fixture
def oauth_bot(
    tmp_path: Path,
    fake_slack: FakeSlack,
    fake_openai: FakeOpenAI,
    migrated_sqlite_template: Path,
) -> Iterator[RunningBot]:
    (tmp_path / "apo.yaml").write_text(TWO_WORKSPACES, encoding="utf-8")
    fake_slack.oauth_app(CLIENT_ID, CLIENT_SECRET)
    settings = bot_settings(
        tmp_path,
        fake_slack,
        fake_openai,
        SLACK_BOT_TOKEN="",  # no single token: every token comes from an installation
        APO_SLACK_OAUTH="true",
        SLACK_CLIENT_ID=CLIENT_ID,
        SLACK_CLIENT_SECRET=CLIENT_SECRET,
    )
    copy_migrated_sqlite(migrated_sqlite_template, settings.database_url)
    bot = start_bot(settings, fake_slack, fake_openai)
    try:
        yield bot
    finally:
        bot.stop()


def install(bot: RunningBot, team: FakeTeam) -> httpx.Response:
    """What an installer's browser does: open /slack/install, consent at Slack (which sends
    it back with a code for its workspace), follow the redirect with the state cookie."""
    start = bot.get("/slack/install")
    assert start.status_code == 302
    consent = urlsplit(start.headers["Location"])
    query = parse_qs(consent.query)
    assert consent.netloc == "slack.com" and consent.path == "/oauth/v2/authorize"
    assert query["client_id"] == [CLIENT_ID]
    assert "chat:write" in query["scope"][0].split(",")
    [state] = query["state"]
    cookie = start.headers["Set-Cookie"].split(";")[0]
    assert cookie == f"slack-app-oauth-state={state}"
    return httpx.get(
        bot.base_url + "/slack/oauth_redirect",
        params={"code": team.code, "state": state},
        headers={"Cookie": cookie},
        timeout=10,
    )


def in_channels(*channels: str):  # type: ignore[no-untyped-def]
    def matches(call: SlackCall) -> bool:
        return call.args.get("channel") in channels

    return matches


def tokens_in(slack: FakeSlack, *channels: str) -> set[str | None]:
    return {c.token for c in slack.calls if c.args.get("channel") in channels}


def test_two_workspaces_each_answered_with_its_own_token_until_uninstalled(
    oauth_bot: RunningBot, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    acme = fake_slack.add_team(ACME_TEAM, "Acme Corp")
    globex = fake_slack.add_team(GLOBEX_TEAM, "Globex Inc")
    for team in (acme, globex):
        done = install(oauth_bot, team)
        assert done.status_code == 200, done.text
    exchanges = fake_slack.calls_to("oauth.v2.access")
    assert [c.args["code"] for c in exchanges] == [acme.code, globex.code]
    assert all(c.args["client_id"] == CLIENT_ID for c in exchanges)
    from_acme = oauth_bot.signer_for(ACME_TEAM, acme.bot_user_id)
    from_globex = oauth_bot.signer_for(GLOBEX_TEAM, globex.bot_user_id)

    # A slash command in each workspace: the reply goes out with that workspace's token.
    for signer, channel in ((from_acme, ACME_CHANNEL), (from_globex, GLOBEX_CHANNEL)):
        ack = signer.command(
            "/decision", "We invoice monthly.", user_id=REVIEWER, channel_id=channel
        )
        assert ack.status_code == 200
        fake_slack.wait_for(
            "chat.update",
            predicate=lambda c, ch=channel: (
                c.args["channel"] == ch  # type: ignore[misc]
                and "recorded by" in str(c.args.get("text"))
            ),
            timeout=30,
        )
    # A question is answered by a worker (a job): it carries the workspace, and the worker
    # answers with that workspace's token too (nothing is indexed for it: it escalates).
    from_globex.app_mention("Which currency do we bill in?", channel=GLOBEX_CHANNEL, user=REVIEWER)
    fake_slack.wait_for("chat.postMessage", predicate=in_channels(GLOBEX_CLIENT), timeout=30)
    oauth_bot.wait_until_idle()

    assert tokens_in(fake_slack, ACME_CHANNEL, ACME_CLIENT) == {acme.bot_token}
    assert tokens_in(fake_slack, GLOBEX_CHANNEL, GLOBEX_CLIENT) == {globex.bot_token}
    assert fake_slack.tokens_used(besides=("oauth.v2.access",)) == {
        acme.bot_token,
        globex.bot_token,
    }

    # A workspace's requests never reach another workspace's project.
    elsewhere = from_acme.command("/story", "notes", channel_id=GLOBEX_CHANNEL)
    assert "not part of a project" in elsewhere.json()["text"]

    # Each project's digest goes out with its own workspace's token.
    runner = DigestRunner(oauth_bot.container.services, oauth_bot.container.slack_clients())
    assert runner("acme", "client", date(2026, 3, 3))
    [acme_digest] = fake_slack.wait_for("chat.postMessage", predicate=in_channels(ACME_CLIENT))
    assert acme_digest.token == acme.bot_token

    # Acme removes the app: its installation goes, its digests stop, and the log says so.
    fake_slack.revoke(acme)
    with caplog.at_level(logging.INFO):
        gone = from_acme.event({"type": "app_uninstalled"})
        assert gone.status_code == 200
        wait_until(
            lambda: "Slack workspace T0ACME: the app was uninstalled" in caplog.text,
            timeout=10,
            what="the uninstall was not logged",
        )
        fake_slack.reset()
        assert not runner("acme", "team", date(2026, 3, 3))
        assert runner("globex", "team", date(2026, 3, 3))
        refused = from_acme.command(
            "/decision", "Another one.", user_id=REVIEWER, channel_id=ACME_CHANNEL
        )
        assert refused.status_code == 200
        [told] = fake_slack.wait_for("response_url:from-T0ACME")
    assert "not installed in this workspace" in str(told.args.get("text"))
    assert "digests of acme stop" in caplog.text
    assert "no team digest for acme on 2026-03-03" in caplog.text
    assert fake_slack.tokens_used(besides=()) == {globex.bot_token, None}  # None: the respond()
    assert acme.bot_token not in caplog.text and globex.bot_token not in caplog.text
    assert CLIENT_SECRET not in caplog.text


def test_install_with_a_forged_state_is_refused(
    oauth_bot: RunningBot, fake_slack: FakeSlack
) -> None:
    team = fake_slack.add_team(ACME_TEAM, "Acme Corp")
    start = oauth_bot.get("/slack/install")
    cookie = start.headers["Set-Cookie"].split(";")[0]
    forged = httpx.get(
        oauth_bot.base_url + "/slack/oauth_redirect",
        params={"code": team.code, "state": "made-up"},
        headers={"Cookie": cookie},
        timeout=10,
    )
    assert forged.status_code == 400
    assert fake_slack.calls_to("oauth.v2.access") == []
    # Nothing was installed, so the workspace's people are told so, politely.
    signer = oauth_bot.signer_for(ACME_TEAM, team.bot_user_id)
    assert signer.command("/story", "notes", channel_id=ACME_CHANNEL).status_code == 200
    [told] = fake_slack.wait_for("response_url:from-T0ACME")
    assert "not installed in this workspace" in str(told.args.get("text"))


def test_a_revoked_bot_token_ends_the_workspace_but_revoked_user_tokens_do_not(
    oauth_bot: RunningBot, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    acme = fake_slack.add_team(ACME_TEAM, "Acme Corp")
    assert install(oauth_bot, acme).status_code == 200
    store = oauth_bot.container.installations
    assert store is not None
    from_acme = oauth_bot.signer_for(ACME_TEAM, acme.bot_user_id)

    with caplog.at_level(logging.INFO):
        from_acme.event({"type": "tokens_revoked", "tokens": {"oauth": ["U0SOMEONE"]}})
        wait_until(lambda: "revoked user tokens only" in caplog.text, timeout=10, what="not logged")
        assert [w.team_id for w in store().workspaces()] == [ACME_TEAM]

        from_acme.event({"type": "tokens_revoked", "tokens": {"bot": [acme.bot_user_id]}})
        wait_until(
            lambda: "Slack workspace T0ACME: the app's bot token was revoked" in caplog.text,
            timeout=10,
            what="the revocation was not logged",
        )
    assert store().workspaces() == []


def test_one_token_mode_logs_an_uninstall_and_keeps_serving_projects_of_its_workspace(
    running_bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        assert running_bot.signer.event({"type": "app_uninstalled"}).status_code == 200
        wait_until(
            lambda: "the app was uninstalled (one SLACK_BOT_TOKEN" in caplog.text,
            timeout=10,
            what="the uninstall was not logged",
        )
    assert "Unhandled request" not in caplog.text
