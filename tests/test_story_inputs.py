"""Other ways in for notes: the message shortcut (text or an attached file), `apo story FILE`,
and a draft interrupted by a restart."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.domain import MessageRef
from bot.storage.story_store import SqlStoryStore
from tests.harness.app_server import TEAM_CHANNEL, RunningBot, bot_settings, start_bot
from tests.harness.fake_openai import FakeOpenAI
from tests.harness.fake_slack import FakeSlack
from tests.story_e2e import NOTES_EN, batch, cards, final_batch_update, scripted, story

QUOTE = "The accountant wants to export the monthly report to PDF."
ONE_STORY = batch(story("Export report", "to export the monthly report to PDF", [QUOTE]))


@pytest.fixture
def file_server(tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    """Serves files like Slack's url_private does, recording the Authorization headers."""
    (tmp_path / "notes.md").write_text(f"# Meeting\n\n{QUOTE}\n", encoding="utf-8")
    seen: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(tmp_path), **kwargs)  # type: ignore[arg-type]

        def do_GET(self) -> None:
            seen.append(self.headers.get("Authorization", ""))
            super().do_GET()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()


def test_shortcut_drafts_from_the_message_text(running_bot: RunningBot) -> None:
    running_bot.openai.queue_json(ONE_STORY)
    message = {"type": "message", "user": "U0CLIENT", "ts": "1700000100.000100", "text": QUOTE}

    response = running_bot.signer.message_action(
        "draft_from_message", message, user_id="U0APO", channel_id=TEAM_CHANNEL
    )

    assert response.status_code == 200
    [card] = cards(running_bot, 1)
    assert "Export report" in card.args["text"]
    assert not running_bot.container.services.stories.story(1).unsupported


def test_shortcut_reads_an_attached_text_file(
    running_bot: RunningBot, file_server: tuple[str, list[str]]
) -> None:
    base, auth_headers = file_server
    running_bot.openai.queue_json(ONE_STORY)
    message = {
        "type": "message",
        "ts": "1700000200.000100",
        "text": "Notes from Monday attached",
        "files": [
            {
                "id": "F1",
                "name": "notes.md",
                "mimetype": "text/markdown",
                "filetype": "markdown",
                "url_private_download": f"{base}/notes.md",
            },
            {
                "id": "F2",
                "name": "photo.png",
                "mimetype": "image/png",
                "filetype": "png",
                "url_private_download": f"{base}/photo.png",
            },
        ],
    }

    running_bot.signer.message_action(
        "draft_from_message", message, user_id="U0APO", channel_id=TEAM_CHANNEL
    )

    cards(running_bot, 1)
    assert auth_headers == ["Bearer xoxb-test"]  # the text file only, with the bot token
    prompt = running_bot.openai.last_request()["messages"][1]["content"]
    assert QUOTE in prompt and "Notes from Monday attached" in prompt


def test_shortcut_in_unmapped_channel_explains(running_bot: RunningBot) -> None:
    url = running_bot.slack.response_url("shortcut")

    running_bot.signer.message_action(
        "draft_from_message",
        {"ts": "1.2", "text": QUOTE},
        channel_id="C0ELSEWHERE",
        response_url=url,
    )

    [reply] = running_bot.slack.wait_for("response_url:shortcut")
    assert "not part of a project" in reply.args["text"]


def test_restart_turns_an_interrupted_draft_into_a_retry(
    tmp_path: Path, fake_slack: FakeSlack, fake_openai: FakeOpenAI
) -> None:
    settings = bot_settings(tmp_path, fake_slack, fake_openai)
    first = start_bot(settings, fake_slack, fake_openai)
    store = SqlStoryStore(first.container.db)
    note_id, _ = store.save_note(
        "acme",
        QUOTE,
        source="inline",
        delivery_id="k1",
        channel_id=None,
        author_id=None,
        private=False,
    )
    store.set_placement(note_id, MessageRef(TEAM_CHANNEL, "1700000300.000100"))
    store.start_drafting(note_id, private=None)  # then the process "dies"
    first.stop()

    second = start_bot(settings, fake_slack, fake_openai)
    try:
        [update] = fake_slack.wait_for("chat.update")
        assert update.args["ts"] == "1700000300.000100"
        assert "interrupted" in str(update.args["blocks"]) and "notes_retry" in str(update.args)
        fake_openai.queue_json(ONE_STORY)
        second.signer.block_action("notes_retry", str(note_id), channel_id=TEAM_CHANNEL)
        cards(second, 1)
    finally:
        second.stop()


def test_apo_story_prints_drafts_as_markdown_and_json(
    tmp_path: Path, fake_slack: FakeSlack, fake_openai: FakeOpenAI
) -> None:
    settings = bot_settings(tmp_path, fake_slack, fake_openai)
    notes_file = tmp_path / "monday.md"
    notes_file.write_text(NOTES_EN, encoding="utf-8")
    answer = scripted("draft_en.json")
    fake_openai.set_default_json(answer)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_"))},
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": fake_openai.url,
        "APO_CHAT_MODEL": "gpt-test",
        "DATABASE_URL": settings.database_url,
        "APO_CONFIG": settings.config_path,
        "CHROMA_PATH": settings.chroma_path,
    }

    def run(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", "story", str(notes_file), "--project", "acme", *extra],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    markdown = run()
    assert markdown.returncode == 0, markdown.stderr
    for drafted in answer["stories"]:
        assert drafted["title"] in markdown.stdout
    assert "Given " in markdown.stdout and "> " in markdown.stdout

    as_json = run("--json", "--title", "Monday")
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    assert len(data["stories"]) == len(answer["stories"])
    assert data["summary"]["drafted"] == len(answer["stories"])


def test_apo_story_with_a_missing_file_says_so(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "story", str(tmp_path / "nope.md")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "APO_CONFIG": str(tmp_path / "none.yaml")},
    )

    assert result.returncode == 2
    assert "There is no file" in result.stderr and "Traceback" not in result.stderr


def test_attachment_from_another_host_is_refused_without_sending_the_token(
    running_bot: RunningBot, file_server: tuple[str, list[str]]
) -> None:
    base, auth_headers = file_server
    elsewhere = base.replace("127.0.0.1", "localhost")  # not Slack's file host
    url = running_bot.slack.response_url("file")
    message = {
        "ts": "1700000250.000100",
        "text": "",
        "files": [
            {
                "id": "F9",
                "name": "<!channel>.md",
                "mimetype": "text/markdown",
                "url_private_download": f"{elsewhere}/notes.md",
            }
        ],
    }

    running_bot.signer.message_action(
        "draft_from_message", message, user_id="U0APO", channel_id=TEAM_CHANNEL, response_url=url
    )

    [reply] = running_bot.slack.wait_for("response_url:file")
    assert "could not read the attached file" in reply.args["text"]
    assert "<!channel>" not in reply.args["text"]  # the file name is escaped
    assert auth_headers == []
    assert running_bot.openai.request_count == 0


def test_cards_that_slack_refused_are_posted_by_retry(running_bot: RunningBot) -> None:
    running_bot.openai.queue_json(ONE_STORY)
    calls = {"n": 0}  # the 1st post is the placeholder, the 2nd the card: that one fails

    def post(args: dict[str, object]) -> dict[str, object]:
        calls["n"] += 1
        if "thread_ts" in args and calls["n"] == 2:
            return {"ok": False, "error": "msg_too_long"}
        return {"ok": True, "channel": args["channel"], "ts": f"1700000260.00010{calls['n']}"}

    running_bot.slack.set_handler("chat.postMessage", post)
    running_bot.signer.command("/story", QUOTE, channel_id=TEAM_CHANNEL)
    [failure] = running_bot.slack.wait_for(
        "chat.update", predicate=lambda c: "notes_retry" in json.dumps(c.args.get("blocks"))
    )
    assert "some are missing" in json.dumps(failure.args["blocks"])

    running_bot.signer.block_action("notes_retry", "1", channel_id=TEAM_CHANNEL)

    [card] = running_bot.slack.wait_for("chat.postMessage", count=3, predicate=lambda c: True)[-1:]
    assert card.args.get("thread_ts") and "Export report" in card.args["text"]
    assert running_bot.openai.request_count == 1  # the stored stories were not drafted again
    final_batch_update(running_bot)
