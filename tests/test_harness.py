"""The loopback fakes must behave like Slack and OpenAI do for the real client libraries."""

from __future__ import annotations

import base64
import json
import math
import struct
import threading
import time
from collections.abc import Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import httpx
import openai
import pytest
from langchain_openai import ChatOpenAI, OpenAIEmbeddings
from pydantic import BaseModel, SecretStr
from slack_bolt import Ack, App, Respond, Say
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import RateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from tests.harness.fake_openai import FakeOpenAI, embed_text
from tests.harness.fake_slack import FakeSlack
from tests.harness.signer import SlackSigner

SECRET = "test-signing-secret"
BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hello*"}}]


class Story(BaseModel):
    title: str
    points: int


# -- FakeSlack with slack_sdk -----------------------------------------------------------------


def test_web_client_post_message_with_blocks_is_recorded(fake_slack: FakeSlack) -> None:
    client = WebClient(token="xoxb-test", base_url=fake_slack.url)

    first = client.chat_postMessage(channel="C_TEAM", text="hello", blocks=BLOCKS)
    second = client.chat_postMessage(channel="C_TEAM", text="again", thread_ts=first["ts"])

    call = fake_slack.wait_for("chat.postMessage", count=2)[0]
    assert (call.args["channel"], call.args["text"], call.args["blocks"]) == (
        "C_TEAM",
        "hello",
        BLOCKS,
    )
    assert call.token == "xoxb-test"
    assert first["message"]["blocks"] == BLOCKS
    assert float(second["ts"]) > float(first["ts"])
    assert fake_slack.calls_to("chat.postMessage")[1].args["thread_ts"] == first["ts"]


def test_form_encoded_calls_are_parsed_and_json_fields_decoded(fake_slack: FakeSlack) -> None:
    client = WebClient(token="xoxb-form", base_url=fake_slack.url)

    identity = client.auth_test()  # no arguments: empty body labelled application/json
    client.users_info(user="U_DEV")  # form-encoded
    client.api_call("chat.postMessage", data={"channel": "C1", "blocks": json.dumps(BLOCKS)})

    assert (identity["user_id"], identity["bot_id"], identity["team_id"]) == (
        "UBOT",
        "BBOT",
        "T0001",
    )
    assert fake_slack.calls_to("auth.test")[0].token == "xoxb-form"
    assert fake_slack.calls_to("users.info")[0].args == {"user": "U_DEV"}
    assert fake_slack.calls_to("chat.postMessage")[0].args["blocks"] == BLOCKS


def test_default_answers_are_slack_shaped(fake_slack: FakeSlack) -> None:
    client = WebClient(token="xoxb-test", base_url=fake_slack.url)

    link = client.chat_getPermalink(channel="C_TEAM", message_ts="1700000000.000100")
    view = client.views_open(
        trigger_id="t", view={"type": "modal", "callback_id": "edit", "blocks": []}
    )
    user = client.users_info(user="U_DEV")

    assert link["permalink"] == "https://test-team.slack.com/archives/C_TEAM/p1700000000000100"
    assert view["view"]["id"].startswith("V") and view["view"]["callback_id"] == "edit"
    assert user["user"]["tz"] == "Asia/Bangkok"


def test_overrides_replace_default_answers(fake_slack: FakeSlack) -> None:
    client = WebClient(token="xoxb-test", base_url=fake_slack.url)
    fake_slack.set_response(
        "conversations.info", {"ok": True, "channel": {"id": "C9", "name": "x"}}
    )
    fake_slack.set_handler("users.info", lambda args: {"ok": True, "user": {"id": args["user"]}})

    assert client.conversations_info(channel="C9")["channel"]["name"] == "x"
    assert client.users_info(user="U42")["user"] == {"id": "U42"}


def test_rate_limit_is_retried_after_retry_after(fake_slack: FakeSlack) -> None:
    client = WebClient(token="xoxb-test", base_url=fake_slack.url)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1)

    started = time.monotonic()
    response = client.chat_postMessage(channel="C_TEAM", text="hi")
    elapsed = time.monotonic() - started

    attempts = fake_slack.calls_to("chat.postMessage")
    assert response["ok"] is True
    assert [c.status for c in attempts] == [429, 200]
    assert attempts[0].failed and not attempts[1].failed
    assert elapsed >= 0.95
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1)
    raw = httpx.post(fake_slack.url + "chat.postMessage", json={"channel": "C_TEAM"})
    assert (raw.status_code, raw.headers["Retry-After"]) == (429, "1")
    assert raw.json() == {"ok": False, "error": "ratelimited"}


def test_channel_not_found_raises_slack_api_error(fake_slack: FakeSlack) -> None:
    client = WebClient(token="xoxb-test", base_url=fake_slack.url)
    fake_slack.fail_next("chat.postMessage", status=200, error="channel_not_found")

    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel="C_GONE", text="hi")

    assert caught.value.response["error"] == "channel_not_found"
    assert client.chat_postMessage(channel="C_TEAM", text="hi")["ok"]  # the fault was used up
    assert [c.error for c in fake_slack.calls_to("chat.postMessage")] == ["channel_not_found", None]


def test_server_error_and_hang(fake_slack: FakeSlack) -> None:
    client = WebClient(token="xoxb-test", base_url=fake_slack.url)
    fake_slack.fail_next("chat.update", status=503)
    fake_slack.fail_next("chat.delete", hang=0.3)

    with pytest.raises(SlackApiError) as caught:
        client.chat_update(channel="C", ts="1.2", text="x")
    started = time.monotonic()
    client.chat_delete(channel="C", ts="1.2")

    assert caught.value.response.status_code == 503
    assert time.monotonic() - started >= 0.3


def test_wait_for_blocks_until_calls_arrive_and_reports_what_came(fake_slack: FakeSlack) -> None:
    client = WebClient(token="xoxb-test", base_url=fake_slack.url)
    later = threading.Timer(
        0.2, lambda: client.reactions_add(channel="C", timestamp="1.2", name="eyes")
    )
    later.start()

    assert fake_slack.wait_for("reactions.add", timeout=5)[0].args["name"] == "eyes"
    with pytest.raises(AssertionError, match=r"reactions\.add"):
        fake_slack.wait_for("chat.postMessage", timeout=0.1)
    with pytest.raises(AssertionError):
        fake_slack.assert_no_call("reactions.add", within=0.01)
    fake_slack.assert_no_call("chat.postMessage", within=0.01)
    fake_slack.reset()
    assert fake_slack.calls == []


def test_response_url_posts_are_recorded(fake_slack: FakeSlack) -> None:
    # Bolt's respond() posts JSON through slack_sdk's WebhookClient.
    response = WebhookClient(fake_slack.response_url("r1")).send(text="done", replace_original=True)

    call = fake_slack.wait_for("response_url:r1")[0]
    assert response.status_code == 200
    assert call.args == {"text": "done", "replace_original": True}
    assert fake_slack.responses() == [call]


# -- FakeOpenAI with the openai SDK and langchain-openai -------------------------------------


def test_openai_sdk_gets_queued_json_and_usage(fake_openai: FakeOpenAI) -> None:
    client = openai.OpenAI(base_url=fake_openai.url, api_key="test", max_retries=0)
    fake_openai.queue_json(Story(title="Export CSV", points=3), usage=(12, 7))

    completion = client.chat.completions.create(
        model="gpt-test", messages=[{"role": "user", "content": "notes"}]
    )

    assert json.loads(completion.choices[0].message.content or "") == {
        "title": "Export CSV",
        "points": 3,
    }
    assert completion.usage is not None and completion.usage.total_tokens == 19
    assert fake_openai.last_request()["messages"] == [{"role": "user", "content": "notes"}]
    assert fake_openai.request_count == 1 and fake_openai.unscripted == []


def test_langchain_structured_output_parses_queued_answer(fake_openai: FakeOpenAI) -> None:
    llm = ChatOpenAI(
        model="gpt-test", base_url=fake_openai.url, api_key=SecretStr("t"), max_retries=0
    )
    structured = llm.with_structured_output(Story, method="json_schema", include_raw=True)
    fake_openai.queue_json({"title": "Login with SSO", "points": 5})

    result: Any = structured.invoke("turn the notes into a story")

    assert result["parsed"] == Story(title="Login with SSO", points=5)
    assert result["parsing_error"] is None
    response_format = fake_openai.last_request()["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["name"] == "Story"


def test_rate_limited_completion_is_retried(fake_openai: FakeOpenAI) -> None:
    client = openai.OpenAI(base_url=fake_openai.url, api_key="test", max_retries=1)
    fake_openai.queue_error(429, retry_after=0.1)
    fake_openai.queue_text("fine")

    completion = client.chat.completions.create(model="gpt-test", messages=[])

    assert completion.choices[0].message.content == "fine"
    assert fake_openai.request_count == 2


def test_refusal_truncation_and_timeout_surface_as_sdk_errors(fake_openai: FakeOpenAI) -> None:
    client = openai.OpenAI(base_url=fake_openai.url, api_key="test", max_retries=0, timeout=0.3)
    fake_openai.queue_refusal("I can't help with that")
    fake_openai.queue_text('{"title": "cut', finish_reason="length")
    fake_openai.queue_hang(5)

    refused = client.chat.completions.create(model="gpt-test", messages=[])
    with pytest.raises(openai.LengthFinishReasonError):
        client.chat.completions.parse(model="gpt-test", messages=[], response_format=Story)
    with pytest.raises(openai.APITimeoutError):
        client.chat.completions.create(model="gpt-test", messages=[])

    assert refused.choices[0].message.refusal == "I can't help with that"
    assert refused.choices[0].message.content is None


def test_unscripted_request_fails_once_and_is_recorded(fake_openai: FakeOpenAI) -> None:
    client = openai.OpenAI(base_url=fake_openai.url, api_key="test", max_retries=2)

    with pytest.raises(openai.InternalServerError, match="no scripted reply"):
        client.chat.completions.create(model="gpt-test", messages=[])
    fake_openai.set_default_json({"ok": 1})
    again = client.chat.completions.create(model="gpt-test", messages=[])

    assert len(fake_openai.unscripted) == 1
    assert again.choices[0].message.content == '{"ok": 1}'


def test_embeddings_are_deterministic_and_recorded(fake_openai: FakeOpenAI) -> None:
    embeddings = OpenAIEmbeddings(
        model="text-embedding-3-small",
        openai_api_base=fake_openai.url,
        openai_api_key=SecretStr("t"),
        check_embedding_ctx_length=False,  # otherwise it downloads a tiktoken vocabulary
    )
    texts = ["Export the report as CSV", "export the report as csv", "Timezone digest"]

    a, b, c = embeddings.embed_documents(texts)
    floats = openai.OpenAI(base_url=fake_openai.url, api_key="t").embeddings.create(
        model="m", input=texts[0], encoding_format="float"
    )

    def cosine(x: list[float], y: list[float]) -> float:
        return sum(p * q for p, q in zip(x, y, strict=True))

    assert len(a) == 64 and math.isclose(cosine(a, a), 1.0, rel_tol=1e-5)
    assert a == pytest.approx(b) and cosine(a, c) < 0.9
    assert floats.data[0].embedding == pytest.approx(embed_text(texts[0]))
    assert a == pytest.approx(embed_text(texts[0]), abs=1e-6)  # survived base64 float32
    requests = fake_openai.embedding_requests
    assert [r["input"] for r in requests] == [texts, texts[0]]
    assert requests[0]["encoding_format"] == "base64"  # the SDK's default, not "float"


def test_embeddings_base64_is_little_endian_float32(fake_openai: FakeOpenAI) -> None:
    body = {"model": "m", "input": ["hello world"], "encoding_format": "base64"}
    raw = httpx.post(fake_openai.url + "/embeddings", json=body).json()

    packed = base64.b64decode(raw["data"][0]["embedding"])
    assert list(struct.unpack("<64f", packed)) == pytest.approx(embed_text("hello world"))


# -- SlackSigner against a real Bolt app ------------------------------------------------------


def test_signature_verifies_with_slack_sdk() -> None:
    signer = SlackSigner("http://127.0.0.1:9/slack/events", SECRET)
    body, ts = b"command=%2Fapo&text=help", int(time.time())
    verifier = SignatureVerifier(SECRET)

    assert verifier.is_valid(body, str(ts), signer.sign(ts, body))
    assert not verifier.is_valid(body + b"x", str(ts), signer.sign(ts, body))
    signer.close()


class _QuietWSGIHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def bolt(fake_slack: FakeSlack) -> Iterator[tuple[SlackSigner, list[dict[str, Any]]]]:
    """A real Bolt app behind a WSGI server; listeners append what Bolt handed them."""
    seen: list[dict[str, Any]] = []
    app = App(client=WebClient(token="xoxb-test", base_url=fake_slack.url), signing_secret=SECRET)

    @app.command("/apo")
    def on_command(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack(f"got {command['text']}")
        seen.append(command)
        respond("later answer")

    @app.event("app_mention")
    def on_mention(event: dict[str, Any], say: Say, request: BoltRequest) -> None:
        seen.append({**event, "retry_num": request.headers.get("x-slack-retry-num")})
        say("hi", thread_ts=event["ts"])

    @app.action("approve")
    def on_action(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        seen.append(body)

    @app.view("story_edit")
    def on_view(ack: Ack, view: dict[str, Any]) -> None:
        ack()
        seen.append(view)

    @app.shortcut("quote")  # message shortcuts share the shortcut listener
    def on_message_action(ack: Ack, shortcut: dict[str, Any]) -> None:
        ack()
        seen.append(shortcut)

    @app.shortcut("capture")
    def on_shortcut(ack: Ack, shortcut: dict[str, Any]) -> None:
        ack()
        seen.append(shortcut)

    server: WSGIServer = make_server(
        "127.0.0.1", 0, SlackRequestHandler(app), handler_class=_QuietWSGIHandler
    )
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/slack/events"
    with SlackSigner(url, SECRET, default_response_url=fake_slack.response_url("r1")) as signer:
        yield signer, seen
    server.shutdown()
    server.server_close()


def test_bolt_accepts_signed_command_and_respond_reaches_fake(
    bolt: tuple[SlackSigner, list[dict[str, Any]]], fake_slack: FakeSlack
) -> None:
    signer, seen = bolt

    response = signer.command("/apo", "story", user_id="U_PO")

    assert response.status_code == 200 and response.text == "got story"
    assert fake_slack.wait_for("response_url:r1")[0].args["text"] == "later answer"
    assert seen[0]["user_id"] == "U_PO"


def test_bolt_rejects_forged_and_stale_requests(
    bolt: tuple[SlackSigner, list[dict[str, Any]]],
) -> None:
    signer, seen = bolt
    body = "command=%2Fapo&text=help"

    assert signer.raw(body, "application/x-www-form-urlencoded", sign=False).status_code == 401
    assert (
        signer.raw(body, "application/x-www-form-urlencoded", signature="v0=00").status_code == 401
    )
    stale = int(time.time()) - 10 * 60
    assert signer.raw(body, "application/x-www-form-urlencoded", timestamp=stale).status_code == 401
    assert signer.url_verification("abc").json() == {"challenge": "abc"}
    assert seen == []


def test_bolt_parses_event_and_interactivity_payloads(
    bolt: tuple[SlackSigner, list[dict[str, Any]]], fake_slack: FakeSlack
) -> None:
    signer, seen = bolt

    assert signer.app_mention("summarise", ts="1700000001.000001", retry_num=1).status_code == 200
    reply = fake_slack.wait_for("chat.postMessage")[0]
    assert signer.block_action("approve", "story-7", user_id="U_PO").status_code == 200
    values = {"title_block": {"title": "Export CSV"}}
    assert signer.view_submission("story_edit", values, private_metadata="s7").status_code == 200
    assert signer.shortcut("capture").status_code == 200
    note = {"type": "message", "ts": "1700000002.000002", "user": "U_PO", "text": "sync notes"}
    assert signer.message_action("quote", note, channel_id="C_NOTES").status_code == 200

    mention, action, view, shortcut, quoted = seen
    assert mention["text"] == "<@UBOT> summarise"
    assert mention["retry_num"] == ["1"]
    assert (reply.args["channel"], reply.args["thread_ts"]) == ("C_TEAM", "1700000001.000001")
    assert (action["user"]["id"], action["actions"][0]["value"]) == ("U_PO", "story-7")
    assert view["state"]["values"]["title_block"]["title"]["value"] == "Export CSV"
    assert view["private_metadata"] == "s7"
    assert shortcut["callback_id"] == "capture"
    assert (quoted["type"], quoted["channel"]["id"]) == ("message_action", "C_NOTES")
    assert quoted["message"]["text"] == "sync notes"
