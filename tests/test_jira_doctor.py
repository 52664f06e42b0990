"""`apo doctor`'s Jira check against the fake Jira: what passes, and each mistake named with
the setting that fixes it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.doctor.jira_check import jira_checks
from bot.projects import load_projects
from bot.settings import Settings
from tests.harness.fake_jira import EMAIL, TOKEN, FakeJira
from tests.test_jira_e2e import jira_yaml


def checks(tmp_path: Path, yaml: str, **env: str) -> list[tuple[bool, str, str]]:
    config = tmp_path / "apo.yaml"
    config.write_text(yaml, encoding="utf-8")
    settings = Settings(_env_file=None, APO_CONFIG=str(config), **env)  # type: ignore[call-arg]
    found = jira_checks(settings, load_projects(config), timeout=5)
    return [(c.ok, c.detail, c.fix) for c in found]


@pytest.fixture
def creds() -> dict[str, str]:
    return {"JIRA_EMAIL": EMAIL, "JIRA_API_TOKEN": TOKEN}


def test_a_working_connection_passes(
    tmp_path: Path, fake_jira: FakeJira, creds: dict[str, str]
) -> None:
    [(ok, detail, _)] = checks(tmp_path, jira_yaml(fake_jira.url), **creds)
    assert ok and "project ACME: Story issues under ACME-1, on_approval" in detail


def test_missing_credentials_say_what_to_set(tmp_path: Path, fake_jira: FakeJira) -> None:
    [(ok, detail, fix)] = checks(tmp_path, jira_yaml(fake_jira.url))
    assert not ok and "JIRA_EMAIL and JIRA_API_TOKEN are not set" in detail
    assert "JIRA_API_TOKEN in .env" in fix


@pytest.mark.parametrize(
    ("change", "expected", "fix"),
    [
        (
            ("jira-test-token", "wrong"),
            "refused the bot's account and API token (401)",
            "JIRA_EMAIL",
        ),
        (("project: ACME", "project: NOPE"), "404", "jira.project"),
        (("issue_type: Story", "issue_type: Bug"), "no issue type 'Bug'", "jira.issue_type"),
        (
            ("customfield_10016", "customfield_99999"),
            "lacks: customfield_99999",
            "story_points_field",
        ),
        (("parent: ACME-1", "parent: ACME-404"), "404", "jira.site and jira.project"),
    ],
)
def test_each_mistake_names_its_setting(
    tmp_path: Path,
    fake_jira: FakeJira,
    creds: dict[str, str],
    change: tuple[str, str],
    expected: str,
    fix: str,
) -> None:
    yaml = jira_yaml(fake_jira.url)
    if change[0] == TOKEN:
        creds["JIRA_API_TOKEN"] = change[1]
    else:
        yaml = yaml.replace(*change)

    [(ok, detail, found_fix)] = checks(tmp_path, yaml, **creds)

    assert not ok and expected in detail and fix in found_fix
