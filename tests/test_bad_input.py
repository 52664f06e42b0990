"""Bad input everywhere: empty, 100,000 characters, emoji only, another language, a binary
file in the message shortcut, and a projects file with each kind of mistake. Each gets a
clear message (naming the line, for the projects file); nothing reaches the model that it
could not use, and nothing is stored half."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.projects import load_projects
from tests.harness.app_server import REVIEWER, TEAM_CHANNEL, RunningBot
from tests.story_e2e import batch, cards, story
from tests.test_story_inputs import file_server  # noqa: F401  (a fixture)

HUGE = "The accountant wants an export. " * 3200  # just over 100,000 characters


def ephemeral_reply(bot: RunningBot, name: str) -> str:
    [reply] = bot.slack.wait_for(f"response_url:{name}", timeout=20)
    return str(reply.args["text"])


@pytest.mark.parametrize(
    ("command", "text", "expected"),
    [
        ("/story", ":tada: :rocket: 🎉🚀", "no words"),
        ("/story", HUGE, "limit is 60,000"),
        ("/decision", "", "decision"),
        ("/decision", HUGE, "long"),
    ],
    ids=[
        "story-emoji",
        "story-100k",
        "decision-empty",
        "decision-100k",
    ],
)
def test_unusable_command_text_gets_a_clear_reply_and_no_model_call(
    running_bot: RunningBot, command: str, text: str, expected: str
) -> None:
    url = running_bot.slack.response_url("bad")
    response = running_bot.signer.command(
        command, text, channel_id=TEAM_CHANNEL, user_id=REVIEWER, response_url=url
    )

    assert response.status_code == 200
    said = response.json()["text"] if response.content else ephemeral_reply(running_bot, "bad")
    assert expected in said.lower() or expected in said
    running_bot.wait_until_idle()
    assert running_bot.openai.request_count == 0
    assert running_bot.slack.calls_to("chat.postMessage") == []


@pytest.mark.parametrize("text", ["", "   \n\t  "], ids=["empty", "blank"])
def test_story_without_notes_opens_the_notes_form(running_bot: RunningBot, text: str) -> None:
    response = running_bot.signer.command(
        "/story", text, channel_id=TEAM_CHANNEL, trigger_id="T.empty"
    )

    assert response.status_code == 200
    [opened] = running_bot.slack.wait_for("views.open")
    assert opened.args["view"]["callback_id"] == "story_notes_modal"
    running_bot.wait_until_idle()
    assert running_bot.openai.request_count == 0


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("🎉🚀👍", "whole question"),
        ("x " * 50_000, "too long"),
    ],
    ids=["emoji-only", "100k"],
)
def test_unusable_questions_get_guidance_not_an_escalation(
    running_bot: RunningBot, question: str, expected: str
) -> None:
    running_bot.signer.app_mention(question, channel=TEAM_CHANNEL, user="U0DEV")

    [reply] = running_bot.slack.wait_for(
        "chat.update", timeout=20, predicate=lambda c: expected in str(c.args.get("text"))
    )
    running_bot.wait_until_idle()
    assert running_bot.openai.request_count == 0
    assert all(
        c.args["channel"] == TEAM_CHANNEL for c in running_bot.slack.calls_to("chat.postMessage")
    )
    assert reply.args["channel"] == TEAM_CHANNEL


def test_a_binary_file_in_the_shortcut_is_named_and_not_sent_to_the_model(
    running_bot: RunningBot,
    file_server: tuple[str, list[str]],  # noqa: F811
    tmp_path: Path,
) -> None:
    base, _ = file_server
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8
    (tmp_path / "notes.txt").write_bytes(png)  # a picture renamed to .txt: served as text/plain
    url = running_bot.slack.response_url("binary")
    message = {
        "type": "message",
        "ts": "1700000300.000100",
        "text": "",
        "files": [
            {
                "id": "F9",
                "name": "notes.txt",
                "mimetype": "text/plain",
                "filetype": "text",
                "url_private_download": f"{base}/notes.txt",
            }
        ],
    }

    running_bot.signer.message_action(
        "draft_from_message", message, user_id=REVIEWER, channel_id=TEAM_CHANNEL, response_url=url
    )

    said = ephemeral_reply(running_bot, "binary")
    assert "`notes.txt` is not text" in said
    running_bot.wait_until_idle()
    assert running_bot.openai.request_count == 0


def test_emoji_in_otherwise_good_notes_are_kept(running_bot: RunningBot) -> None:
    running_bot.openai.queue_json(
        batch(story("Export 🎉", "to export invoices 🎉", ["export invoices 🎉"]))
    )
    running_bot.signer.command(
        "/story", "The accountant wants to export invoices 🎉 as PDF.", channel_id=TEAM_CHANNEL
    )
    [card] = cards(running_bot, 1)
    assert "Export 🎉" in card.args["text"]


# --- the projects file: every kind of mistake names its line --------------------------------

GOOD = """projects:
  - key: acme
    name: Acme Invoicing
    channels: [C0TEAM]
    reviewers: [U0APO]
    client:
      timezone: Europe/Oslo
      channel: C0CLIENT
    team:
      timezone: Asia/Bangkok
      channel: C0TEAM
"""


@pytest.mark.parametrize(
    ("broken", "line", "words"),
    [
        (GOOD.replace("Europe/Oslo", "Europe/Olso"), 7, "timezone"),
        (GOOD.replace("reviewers: [U0APO]", "reviewers: U0APO"), 5, "reviewers"),
        (GOOD.replace("    name: Acme Invoicing\n", ""), 2, "name"),
        (GOOD.replace("key: acme", "key: Acme Invoicing!"), 2, "key"),
        (GOOD.replace("channel: C0CLIENT", "channel: [C0CLIENT"), 9, "YAML"),
        (GOOD.replace("      channel: C0CLIENT\n", "      chanel: C0CLIENT\n"), 8, "chanel"),
    ],
    ids=["bad-timezone", "wrong-type", "missing-field", "bad-key", "broken-yaml", "unknown-field"],
)
def test_each_kind_of_projects_file_mistake_names_its_line(
    tmp_path: Path, broken: str, line: int, words: str
) -> None:
    (tmp_path / "apo.yaml").write_text(broken, encoding="utf-8")

    with pytest.raises(ConfigError) as caught:
        load_projects(tmp_path / "apo.yaml")

    message = caught.value.user_message
    assert f"line {line}" in message, message
    assert words in message, message


def test_a_projects_file_that_is_not_utf8_says_so(tmp_path: Path) -> None:
    (tmp_path / "apo.yaml").write_bytes(GOOD.replace("Acme", "Acmé").encode("latin-1"))

    with pytest.raises(ConfigError, match="cannot be read"):
        load_projects(tmp_path / "apo.yaml")
