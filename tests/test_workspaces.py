"""Several workspaces, the rules: which workspace a project is in, whose token a job or digest
uses, what a missing installation and an uninstall do, and the stores' tables."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from slack_sdk.oauth.installation_store.models.installation import Installation

from bot.cli import check_serve_settings
from bot.doctor.http import Deadline
from bot.doctor.workspace_checks import workspace_checks
from bot.domain.jobs import Job, JobKind, JobState
from bot.errors import ConfigError
from bot.jobs.handlers import JobHandlers
from bot.jobs.runner import JobRunner
from bot.projects import load_projects
from bot.services.workspaces.service import WorkspaceService
from bot.settings import Settings
from bot.slack.installations import InstallationStore, InstalledWorkspaces, state_store
from bot.slack.middleware import WorkspaceJobs
from bot.slack.oauth import BOT_SCOPES
from bot.slack.workspaces import WorkspaceNotInstalled
from bot.storage.db import Database
from bot.storage.jobs import SqlJobLedger
from tests.harness.fake_slack import FakeSlack

MANIFEST = Path(__file__).resolve().parents[1] / "deploy" / "slack-app-manifest.yaml"
SIDES = """
    client: {timezone: Europe/Oslo, channel: C0CL%(n)s}
    team: {timezone: Asia/Bangkok, channel: C0TM%(n)s}"""


def projects_file(tmp_path: Path, *teams: str | None) -> Path:
    lines = ["projects:"]
    for n, team in enumerate(teams):
        lines.append(f"  - key: p{n}\n    name: Project {n}")
        if team is not None:
            lines.append(f"    team_id: {team}")
        lines.append(SIDES % {"n": n})
    path = tmp_path / "apo.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


# --- projects name their workspace ----------------------------------------------------------


def test_each_workspace_sees_its_own_projects_and_those_naming_none(tmp_path: Path) -> None:
    config = load_projects(projects_file(tmp_path, "T0A", "T0B", None))

    assert [p.key for p in config.for_team("T0A").projects] == ["p0", "p2"]
    assert [p.key for p in config.for_team("T0B").projects] == ["p1", "p2"]
    assert [p.key for p in config.for_team(None).projects] == ["p2"]
    assert config.team_ids == {"T0A", "T0B"}
    assert config.for_team("T0A").for_channel("C0CL1") is None  # p1's channel, T0B's


def test_several_workspaces_need_every_project_to_name_one_with_its_line(tmp_path: Path) -> None:
    path = projects_file(tmp_path, "T0A", None)

    assert load_projects(path).projects[1].team_id is None  # one token: optional
    with pytest.raises(ConfigError) as caught:
        load_projects(path, require_team=True)

    message = caught.value.user_message
    assert "line 8: projects[p1]: team_id is missing" in message
    assert "APO_SLACK_OAUTH" in message and "p0" not in message


def test_a_malformed_team_id_is_named_with_its_line(tmp_path: Path) -> None:
    path = projects_file(tmp_path, "acme-workspace")

    with pytest.raises(ConfigError) as caught:
        load_projects(path)

    assert "line 4: projects[p0].team_id" in caught.value.user_message


# --- settings -------------------------------------------------------------------------------


def test_oauth_mode_names_missing_credentials_and_needs_http() -> None:
    with pytest.raises(ConfigError, match="SLACK_CLIENT_ID is not set"):
        settings(APO_SLACK_OAUTH="true").require_oauth()
    with pytest.raises(ConfigError, match="SLACK_CLIENT_SECRET is not set"):
        settings(APO_SLACK_OAUTH="true", SLACK_CLIENT_ID="1.2").require_oauth()
    socket = settings(
        APO_SLACK_OAUTH="true",
        SLACK_CLIENT_ID="1.2",
        SLACK_CLIENT_SECRET="s",
        SLACK_APP_TOKEN="xapp-1",
    )
    with pytest.raises(ConfigError, match="needs HTTP mode"):
        socket.require_oauth()
    assert not settings().slack_oauth  # one SLACK_BOT_TOKEN stays the default


def test_the_install_asks_for_the_scopes_the_manifest_lists() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert sorted(BOT_SCOPES) == sorted(manifest["oauth_config"]["scopes"]["bot"])
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert {"app_uninstalled", "tokens_revoked"} <= set(events)


# --- installations and tokens ---------------------------------------------------------------


@pytest.fixture
def store(migrated_url: str) -> InstallationStore:
    return InstallationStore("1.2", Database(migrated_url).engine, install_url="https://x/i")


def installed(store: InstallationStore, team_id: str, token: str) -> None:
    store.save(
        Installation(
            app_id="A1",
            team_id=team_id,
            team_name=f"Team {team_id}",
            bot_token=token,
            bot_id="B1",
            bot_user_id="UBOT",
            bot_scopes="chat:write",
            user_id="U1",
        )
    )


def test_a_workspace_gets_its_own_installed_token_until_it_is_removed(
    store: InstallationStore, caplog: pytest.LogCaptureFixture
) -> None:
    clients = InstalledWorkspaces(store, settings())
    installed(store, "T0A", "xoxb-a")
    installed(store, "T0B", "xoxb-b")

    assert clients.client_for("T0A").token == "xoxb-a"
    assert clients.client_for("T0B").token == "xoxb-b"
    assert {w.team_id for w in store.workspaces()} == {"T0A", "T0B"}

    store.remove("T0A")
    with caplog.at_level(logging.WARNING), pytest.raises(WorkspaceNotInstalled) as caught:
        clients.client_for("T0A")
    assert "not installed in this workspace" in caught.value.user_message
    assert "no installation for Slack workspace T0A" in caplog.text
    assert "https://x/i" in caplog.text  # where to install it again
    assert "xoxb" not in caplog.text
    assert [w.team_id for w in store.workspaces()] == ["T0B"]
    with pytest.raises(WorkspaceNotInstalled):
        clients.client_for(None)  # a job without a workspace can't be answered


def test_migration_builds_the_tables_slack_sdk_expects(migrated_url: str) -> None:
    engine = Database(migrated_url).engine
    expected = sa.MetaData()
    library = InstallationStore("1.2", engine, install_url="")
    for table in (*library.metadata.tables.values(), state_store(engine).oauth_states):
        table.to_metadata(expected)

    def slack_only(name: str | None, type_: str, parent: object) -> bool:
        return type_ != "table" or (name or "").startswith("slack_")

    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": slack_only}
        )
        assert compare_metadata(context, expected) == []
    # and the stores work on them: a state is issued once and consumed once
    states = state_store(engine)
    state = states.issue()
    assert states.consume(state) and not states.consume(state)


# --- jobs and uninstalls --------------------------------------------------------------------


def test_jobs_carry_the_workspace_they_were_asked_in() -> None:
    sent: list[Job] = []
    sender = SimpleNamespace(send=sent.append)
    WorkspaceJobs(sender, "T0A").send(Job(JobKind.SHOW_DECISION, "k1", {"story_id": 1}))
    WorkspaceJobs(sender, None).send(Job(JobKind.SHOW_DECISION, "k2", {"story_id": 2}))

    assert [job.args for job in sent] == [{"story_id": 1, "team": "T0A"}, {"story_id": 2}]


def test_a_job_for_an_uninstalled_workspace_fails_once_with_a_clear_log(
    migrated_url: str, store: InstallationStore, caplog: pytest.LogCaptureFixture
) -> None:
    ledger = SqlJobLedger(Database(migrated_url))
    job = Job(JobKind.SHOW_DECISION, "review:story:1:x", {"story_id": 1, "team": "T0GONE"})
    ledger.record(job, send_by=datetime.now(UTC) + timedelta(seconds=30))
    shown: list[int] = []
    services = SimpleNamespace(
        review=SimpleNamespace(show_decision=lambda story, _publisher: shown.append(story))
    )
    handlers = JobHandlers(services, InstalledWorkspaces(store, settings()))  # type: ignore[arg-type]
    runner = JobRunner(ledger, handlers, lease_seconds=60, max_attempts=4)

    with caplog.at_level(logging.WARNING):
        runner(job.key)

    assert ledger.state(job.key) == (JobState.failed, 1)  # final: not tried again
    assert shown == []
    assert "no installation for Slack workspace T0GONE" in caplog.text


def test_an_uninstall_removes_the_installation_and_stops_that_workspaces_jobs(
    tmp_path: Path, migrated_url: str, store: InstallationStore, caplog: pytest.LogCaptureFixture
) -> None:
    ledger = SqlJobLedger(Database(migrated_url))
    due = datetime.now(UTC) + timedelta(seconds=30)
    for key, team in (("a1", "T0A"), ("a2", "T0A"), ("b1", "T0B"), ("none", None)):
        args: dict[str, Any] = {"story_id": 1} | ({"team": team} if team else {})
        ledger.record(Job(JobKind.SHOW_DECISION, key, args), send_by=due)
    installed(store, "T0A", "xoxb-a")
    projects = load_projects(projects_file(tmp_path, "T0A", "T0B", "T0A"))

    with caplog.at_level(logging.WARNING):
        done = WorkspaceService(projects, store, ledger).uninstalled("T0A", why="gone")

    assert done.projects == ("p0", "p2") and done.jobs_stopped == 2
    assert ledger.state("a1") == (JobState.failed, 0)
    assert ledger.state("b1") == (JobState.queued, 0)
    assert ledger.state("none") == (JobState.queued, 0)
    assert store.workspaces() == []
    assert "Slack workspace T0A: gone" in caplog.text
    assert "2 open job(s) stopped" in caplog.text and "digests of p0, p2 stop" in caplog.text


# --- apo doctor -----------------------------------------------------------------------------


def test_doctor_lists_installed_workspaces_and_checks_each_with_its_token(
    tmp_path: Path, migrated_url: str, store: InstallationStore, fake_slack: FakeSlack
) -> None:
    team = fake_slack.add_team("T0A", "Acme Corp")
    fake_slack.grant_scopes(BOT_SCOPES)
    installed(store, "T0A", team.bot_token)
    config = projects_file(tmp_path, "T0A", "T0B")
    oauth = settings(
        APO_SLACK_OAUTH="true",
        SLACK_CLIENT_ID="1.2",
        SLACK_CLIENT_SECRET="s",
        SLACK_SIGNING_SECRET="x",
        SLACK_API_URL=fake_slack.url,
        SLACK_REDIRECT_URI="https://apo.example.com/slack/oauth_redirect",
        DATABASE_URL=migrated_url,
    )

    checks = {c.name: c for c in workspace_checks(oauth, load_projects(config), Deadline(5))}

    listing = checks["workspaces"]
    assert listing.failed
    assert "installed in T0A (Team T0A: p0)" in listing.detail
    assert "not installed for: p1 (T0B)" in listing.detail
    assert "https://apo.example.com/slack/install" in listing.fix
    assert checks["slack [T0A]"].ok and "Acme Corp" in checks["slack [T0A]"].detail
    assert checks["slack scopes [T0A]"].ok
    # p0's channels only, asked with T0A's token
    channels = {c.args["channel"] for c in fake_slack.calls_to("conversations.info")}
    assert channels == {"C0CL0", "C0TM0"}
    assert fake_slack.tokens_used() == {team.bot_token}


def test_serving_several_workspaces_needs_no_bot_token_but_http() -> None:
    oauth = settings(
        APO_SLACK_OAUTH="true",
        SLACK_CLIENT_ID="1.2",
        SLACK_CLIENT_SECRET="s",
        SLACK_SIGNING_SECRET="x",
    )
    check_serve_settings(oauth, http=True)  # no SLACK_BOT_TOKEN, and that is fine
    with pytest.raises(ConfigError, match="needs HTTP mode"):
        check_serve_settings(oauth, http=False)
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN is not set"):
        check_serve_settings(settings(SLACK_SIGNING_SECRET="x"), http=True)
