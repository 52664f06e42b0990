"""Settings and the projects file: wrong input gets a message that says what to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.projects import load_projects
from bot.settings import Settings, load_settings

EXAMPLE = Path(__file__).resolve().parents[1] / "apo.example.yaml"


def test_shipped_example_projects_file_is_valid() -> None:
    config = load_projects(EXAMPLE)

    [project] = config.projects
    assert project.client.timezone == "Europe/Oslo"
    assert project.team.timezone == "Asia/Bangkok"
    assert config.for_channel(project.team.channel) == project
    assert config.for_channel("C0UNKNOWN") is None


def test_missing_projects_file_means_no_projects(tmp_path: Path) -> None:
    assert load_projects(tmp_path / "nope.yaml").projects == ()


def test_bad_time_zone_is_named_with_project_and_field(tmp_path: Path) -> None:
    text = EXAMPLE.read_text().replace("Europe/Oslo", "Europe/Olso")
    (tmp_path / "apo.yaml").write_text(text)

    with pytest.raises(ConfigError) as caught:
        load_projects(tmp_path / "apo.yaml")

    assert "projects[acme].client.timezone" in caught.value.user_message
    assert "Europe/Olso" in caught.value.user_message


def test_channel_in_two_projects_is_refused(tmp_path: Path) -> None:
    one = EXAMPLE.read_text().split("projects:\n", 1)[1]
    two = one.replace("key: acme", "key: other")
    (tmp_path / "apo.yaml").write_text("projects:\n" + one + two)

    with pytest.raises(ConfigError, match="belongs to both"):
        load_projects(tmp_path / "apo.yaml")


def test_invalid_yaml_is_reported(tmp_path: Path) -> None:
    (tmp_path / "apo.yaml").write_text("projects: [\n")

    with pytest.raises(ConfigError, match="not valid YAML"):
        load_projects(tmp_path / "apo.yaml")


def test_settings_read_contract_names_and_keep_secrets_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-secret-value")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/api")
    monkeypatch.setenv("APO_CONFIG", "/etc/apo/projects.yaml")

    settings = Settings(_env_file=None)  # type: ignore[call-arg]

    assert settings.require_bot_token() == "xoxb-secret-value"
    assert "xoxb-secret-value" not in repr(settings)
    assert settings.slack_api_url == "http://127.0.0.1:9/api/"
    assert settings.config_path == "/etc/apo/projects.yaml"
    assert not settings.socket_mode


def test_missing_token_message_says_where_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)

    with pytest.raises(ConfigError) as caught:
        Settings(_env_file=None).require_bot_token()  # type: ignore[call-arg]

    assert "SLACK_BOT_TOKEN" in caught.value.user_message
    assert "OAuth & Permissions" in caught.value.user_message


def test_invalid_number_setting_is_one_readable_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APO_LLM_TIMEOUT", "soon")

    with pytest.raises(ConfigError, match="APO_LLM_TIMEOUT"):
        load_settings(_env_file=None)


def test_a_jira_block_is_checked_and_names_the_line(tmp_path: Path) -> None:
    base = (
        "projects:\n"
        "  - key: acme\n"
        "    name: Acme\n"
        "    client: {{timezone: Europe/Oslo, channel: C0CLIENT}}\n"
        "    team: {{timezone: Asia/Bangkok, channel: C0TEAM}}\n"
        "    jira:\n"
        "      site: https://acme.atlassian.net\n"
        "      project: {project}\n"
        "      push: {push}\n"
    )
    config = tmp_path / "apo.yaml"
    config.write_text(base.format(project="ACME", push="button"), encoding="utf-8")
    project = load_projects(config).get("acme")
    assert project.push_mode == "button" and project.jira and project.jira.issue_type == "Story"

    config.write_text(base.format(project="acme", push="sometimes"), encoding="utf-8")
    with pytest.raises(ConfigError) as problem:
        load_projects(config)
    message = problem.value.user_message
    assert "line 8: projects[acme].jira.project" in message
    assert "line 9: projects[acme].jira.push" in message
