"""What a new user gets wrong, and what `apo` says then: one clear line, exit code 2 (1 for a
doctor that found problems), never a traceback.

The commands run in this process (`bot.cli.main`), with the environment and the working folder
of a fresh checkout; a traceback here would be an exception escaping `main`.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.container import MissingChatModel, build_chat_model
from bot.settings import LOCAL_SERVER_KEY, Settings
from bot.storage.db import Database
from tests.harness.app_server import PROJECTS_YAML
from tests.harness.fake_openai import FakeOpenAI
from tests.harness.fake_slack import FakeSlack
from tests.story_e2e import NOTES_EN, scripted

CONTRACT_PREFIXES = ("SLACK_", "OPENAI_", "APO_", "DATABASE_URL", "CHROMA_")
ONE_PROJECT = PROJECTS_YAML.split("  - key: globex")[0]


@pytest.fixture(autouse=True)
def fresh_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for name in list(os.environ):
        if name.startswith(CONTRACT_PREFIXES):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    yield tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def write_projects(tmp_path: Path, text: str) -> None:
    (tmp_path / "apo.yaml").write_text(text, encoding="utf-8")


SCHEDULE = ("digest", "--schedule", "--from", "2026-03-02", "--to", "2026-03-03")


# --- the projects file ------------------------------------------------------------------------


def test_unquoted_digest_time_is_caught_with_its_line_and_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_projects(tmp_path, ONE_PROJECT.replace('digest_time: "08:30"', "digest_time: 8:30"))
    line = ONE_PROJECT.splitlines().index('      digest_time: "08:30"') + 1

    code, _, err = run(capsys, *SCHEDULE)

    assert code == 2
    assert f"line {line}: projects[acme].client.digest_time" in err
    assert "unquoted 8:30 as the number 510" in err
    assert 'quote it: "08:30"' in err


def test_unquoted_country_no_is_caught_with_its_line_and_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = ONE_PROJECT.replace(
        '      digest_time: "08:30"\n',
        '      digest_time: "08:30"\n      holidays:\n        country: NO\n',
    )
    write_projects(tmp_path, text)
    line = text.splitlines().index("        country: NO") + 1

    code, _, err = run(capsys, *SCHEDULE)

    assert code == 2
    assert f"line {line}: projects[acme].client.holidays.country" in err
    assert 'quote it: "NO"' in err


def test_any_other_mistake_names_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_projects(tmp_path, ONE_PROJECT.replace("Asia/Bangkok", "Asia/Bankok"))
    line = ONE_PROJECT.splitlines().index("      timezone: Asia/Bangkok") + 1

    code, _, err = run(capsys, *SCHEDULE)

    assert code == 2
    assert f"line {line}: projects[acme].team.timezone" in err and "Asia/Bankok" in err
    assert len(err.strip().splitlines()) == 1


def test_a_projects_file_that_is_a_list_says_how_it_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_projects(tmp_path, "- key: acme\n")

    code, _, err = run(capsys, *SCHEDULE)

    assert code == 2 and "must start with `projects:`" in err


# --- settings ---------------------------------------------------------------------------------


def test_an_empty_openai_key_is_unset_and_said_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_projects(tmp_path, ONE_PROJECT)
    (tmp_path / ".env").write_text("OPENAI_API_KEY=\n", encoding="utf-8")
    (tmp_path / "notes.md").write_text("We need invoices in PDF.", encoding="utf-8")

    assert Settings().openai_api_key is None
    code, _, err = run(capsys, "story", "notes.md")

    assert code == 2
    assert "No language model is configured" in err and "OPENAI_API_KEY" in err
    assert "Drafting" not in err


def test_a_base_url_alone_is_a_local_server_that_needs_no_key(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, OPENAI_BASE_URL="http://localhost:11434/v1")  # type: ignore[call-arg]

    assert settings.openai_api_key is not None
    assert settings.openai_api_key.get_secret_value() == LOCAL_SERVER_KEY
    assert settings.uses_local_model_server
    model = build_chat_model(settings, Database(f"sqlite:///{tmp_path / 'a.db'}"))
    assert not isinstance(model, MissingChatModel)


def test_a_bad_number_in_the_environment_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("APO_LLM_TIMEOUT", "soon")

    code, _, err = run(capsys, "doctor")

    assert code == 2 and "APO_LLM_TIMEOUT" in err and len(err.strip().splitlines()) == 1


def test_placeholder_token_is_refused_before_serving(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxb-...\nSLACK_APP_TOKEN=xapp-...\n")

    code, _, err = run(capsys, "serve")

    assert code == 2
    assert "SLACK_BOT_TOKEN is still the placeholder from .env.example" in err


def test_serve_with_slack_unreachable_blames_the_network_not_the_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_projects(tmp_path, ONE_PROJECT)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    monkeypatch.setenv("SLACK_API_URL", "http://slack.invalid/api/")
    monkeypatch.setenv("APO_SLACK_RETRIES", "0")

    code, _, err = run(capsys, "serve", "--http", "--port", "0")

    assert code == 2
    assert "Slack is unreachable" in err and "cannot resolve slack.invalid" in err
    assert "did not accept" not in err


def test_serve_with_a_rejected_token_blames_the_token(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fake_slack: FakeSlack,
) -> None:
    write_projects(tmp_path, ONE_PROJECT)
    fake_slack.set_response("auth.test", {"ok": False, "error": "invalid_auth"})
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    monkeypatch.setenv("SLACK_API_URL", fake_slack.url)

    code, _, err = run(capsys, "serve", "--http", "--port", "0")

    assert code == 2
    assert "Slack did not accept SLACK_BOT_TOKEN" in err and "invalid_auth" in err


# --- command-line ergonomics ------------------------------------------------------------------


def test_now_without_a_zone_is_refused_with_an_example(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_projects(tmp_path, ONE_PROJECT)

    code, _, err = run(capsys, "digest", "--side", "team", "--now", "2026-03-03T08:30", "--dry-run")

    assert code == 2
    assert "no time zone" in err and "--now 2026-03-03T08:30+01:00" in err


def test_digest_defaults_to_the_only_project_and_schedule_speaks_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_projects(tmp_path, ONE_PROJECT)

    code, out, err = run(capsys, *SCHEDULE, "--json")

    assert code == 0, err
    rows = json.loads(out)
    assert {(r["project"], r["side"]) for r in rows} == {("acme", "client"), ("acme", "team")}
    assert rows[0]["utc"].endswith("+00:00")

    code, out, err = run(
        capsys, "digest", "--side", "team", "--now", "2026-03-03T09:00+07:00", "--dry-run"
    )
    assert code == 0, err
    assert "Acme Invoicing" in out


def test_export_defaults_to_the_only_project(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_projects(tmp_path, ONE_PROJECT)

    code, out, err = run(capsys, "export")

    assert code == 0, err
    assert "Acme Invoicing" in out


def test_two_projects_and_no_project_flag_names_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_projects(tmp_path, PROJECTS_YAML)

    code, _, err = run(capsys, "export")

    assert code == 2 and "--project" in err and "acme, globex" in err


@pytest.fixture
def model_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_openai: FakeOpenAI
) -> FakeOpenAI:
    write_projects(tmp_path, ONE_PROJECT)
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.url)  # a local server: no key
    monkeypatch.setenv("APO_CHAT_MODEL", "gpt-test")
    monkeypatch.setenv("APO_EMBEDDINGS", "openai:embed-test")
    fake_openai.set_default_json(scripted("draft_en.json"))
    return fake_openai


def test_story_takes_several_files_a_folder_and_stdin(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    model_env: FakeOpenAI,
) -> None:
    notes = NOTES_EN
    (tmp_path / "monday.md").write_text(notes, encoding="utf-8")
    (tmp_path / "week").mkdir()
    (tmp_path / "week" / "tuesday.txt").write_text(notes + "\nTuesday.", encoding="utf-8")
    (tmp_path / "week" / "picture.png").write_bytes(b"\x89PNG")
    monkeypatch.setattr("sys.stdin", io.StringIO(notes + "\nWednesday."))

    code, out, err = run(capsys, "story", "monday.md", "week", "-", "--json")

    assert code == 0, err
    batches = json.loads(out)
    assert [b["title"] for b in batches] == ["monday", "tuesday", "standard input"]
    assert all(b["stories"] for b in batches)
    assert "[1/3] monday" in err and "[3/3] standard input" in err  # progress, on stderr


def test_story_with_an_unreachable_model_names_the_endpoint(
    capsys: pytest.CaptureFixture[str], model_env: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    (Path.cwd() / "notes.md").write_text("We need invoices in PDF.", encoding="utf-8")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("APO_LLM_MAX_RETRIES", "0")

    code, _, err = run(capsys, "story", "notes.md")

    assert code == 2
    assert "could not be reached" in err and "http://127.0.0.1:9/v1" in err
    assert "apo doctor" in err


def test_story_with_a_folder_without_notes_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], model_env: FakeOpenAI
) -> None:
    (tmp_path / "empty").mkdir()

    code, _, err = run(capsys, "story", "empty")

    assert code == 2 and "holds no notes" in err
