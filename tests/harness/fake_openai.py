"""A fake OpenAI-compatible server on loopback: scripted chat completions, hashed embeddings.

Tests queue the replies they expect the app to need; anything unscripted answers HTTP 500
and is recorded in `unscripted`, so a test can prove no surprise model call happened.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import math
import re
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel

from tests.harness.loopback import LoopbackServer

MODEL_ID = "gpt-test"
EMBEDDING_DIM = 64

Answer = tuple[int, dict[str, Any], dict[str, str]]
Builder = Callable[[dict[str, Any]], Answer]

_ERROR_TYPES = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("permission_error", None),
    404: ("invalid_request_error", "model_not_found"),
    429: ("requests", "rate_limit_exceeded"),
}


@dataclass(frozen=True)
class _Reply:
    build: Builder
    delay: float


class FakeOpenAI(LoopbackServer):
    """OpenAI double serving `/v1/chat/completions`, `/v1/embeddings` and `/v1/models`."""

    name = "fake-openai"

    def __init__(self) -> None:
        super().__init__()
        self._cond = threading.Condition()
        self._script: deque[_Reply] = deque()
        self._default: _Reply | None = None
        self._requests: list[dict[str, Any]] = []
        self._embedding_requests: list[dict[str, Any]] = []
        self._unscripted: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self._holding = False
        self.required_key: str | None = None  # set: /v1/models answers 401 to any other key
        # record text -> its translation, for the record-time translation calls (see _translate)
        self.translations: dict[str, str] = {}
        self._translation_requests: list[dict[str, Any]] = []

    # -- lifecycle -------------------------------------------------------------------------

    def handler(self) -> Callable[..., BaseHTTPRequestHandler]:
        return partial(_OpenAIRequestHandler, self)

    @property
    def url(self) -> str:
        """Base URL for `OpenAI(base_url=...)` and `ChatOpenAI(base_url=...)`."""
        if self._server is None:
            raise RuntimeError("FakeOpenAI is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def stop(self) -> None:
        self.release()
        super().stop()

    # -- script ----------------------------------------------------------------------------

    def hold(self) -> None:
        """Keep every chat completion waiting (received, unanswered) until `release()`: a model
        that is still thinking for exactly as long as the test needs, with no fixed delay."""
        with self._cond:
            self._holding = True

    def release(self) -> None:
        with self._cond:
            self._holding = False
            self._cond.notify_all()

    def queue_json(
        self,
        obj: dict[str, Any] | BaseModel,
        *,
        delay: float = 0,
        usage: tuple[int, int] = (100, 50),
    ) -> None:
        """Answer the next completion with `obj` as JSON text (structured output)."""
        self._enqueue(_Reply(self._completion(json.dumps(_jsonable(obj)), "stop", usage), delay))

    def queue_text(
        self,
        text: str,
        finish_reason: str = "stop",
        *,
        delay: float = 0,
        usage: tuple[int, int] = (100, 50),
    ) -> None:
        """Answer with raw content: malformed JSON, or cut-off output (finish_reason="length")."""
        self._enqueue(_Reply(self._completion(text, finish_reason, usage), delay))

    def queue_refusal(
        self, text: str, *, delay: float = 0, usage: tuple[int, int] = (100, 50)
    ) -> None:
        self._enqueue(_Reply(self._completion(None, "stop", usage, refusal=text), delay))

    def queue_error(
        self,
        status: int,
        *,
        retry_after: float | None = None,
        message: str = "FakeOpenAI: scripted error",
        code: str | None = None,
        delay: float = 0,
    ) -> None:
        headers = {} if retry_after is None else {"retry-after": str(retry_after)}
        answer = (status, _error_body(status, message, code), headers)
        self._enqueue(_Reply(lambda _request: answer, delay))

    def queue_obeying(self, answer: Callable[[list[dict[str, Any]]], dict[str, Any]]) -> None:
        """Answer the next completion with `answer(messages)` as JSON: a model that does what
        its input says (an injection in the notes, a record asking for the prompt)."""

        def build(request: dict[str, Any]) -> Answer:
            content = json.dumps(answer(request.get("messages", [])))
            return self._completion(content, "stop", (100, 50))(request)

        self._enqueue(_Reply(build, 0))

    def queue_hang(self, seconds: float) -> None:
        """Stall, then answer `{}`; pair with a short client timeout to exercise timeouts."""
        self._enqueue(_Reply(self._completion("{}", "stop", (100, 50)), seconds))

    def set_default_json(
        self, obj: dict[str, Any] | BaseModel, *, usage: tuple[int, int] = (100, 50)
    ) -> None:
        """Answer every unscripted completion with `obj` instead of HTTP 500."""
        with self._cond:
            self._default = _Reply(self._completion(json.dumps(_jsonable(obj)), "stop", usage), 0)

    def _enqueue(self, reply: _Reply) -> None:
        with self._cond:
            self._script.append(reply)

    # -- inspection ------------------------------------------------------------------------

    @property
    def requests(self) -> list[dict[str, Any]]:
        with self._cond:
            return list(self._requests)

    @property
    def request_count(self) -> int:
        with self._cond:
            return len(self._requests)

    @property
    def embedding_requests(self) -> list[dict[str, Any]]:
        with self._cond:
            return list(self._embedding_requests)

    @property
    def unscripted(self) -> list[dict[str, Any]]:
        with self._cond:
            return list(self._unscripted)

    @property
    def pending(self) -> int:
        """Scripted replies not yet consumed."""
        with self._cond:
            return len(self._script)

    def last_request(self) -> dict[str, Any]:
        with self._cond:
            if not self._requests:
                raise AssertionError("FakeOpenAI received no chat completion request")
            return self._requests[-1]

    def wait_for_requests(self, n: int = 1, timeout: float = 10.0) -> list[dict[str, Any]]:
        with self._cond:
            if not self._cond.wait_for(lambda: len(self._requests) >= n, timeout=timeout):
                raise AssertionError(
                    f"expected {n} chat completion request(s) within {timeout}s, "
                    f"got {len(self._requests)}"
                )
            return list(self._requests)

    # -- request handling (server threads) -------------------------------------------------

    def _chat(self, request: dict[str, Any]) -> Answer:
        if _schema_name(request) == TRANSLATION_SCHEMA:
            return self._translate(request)
        with self._cond:
            self._requests.append(request)
            reply = self._script.popleft() if self._script else self._default
            if reply is None:
                self._unscripted.append(request)
            self._cond.notify_all()
            self._cond.wait_for(lambda: not self._holding)
        if reply is None:
            body = _error_body(500, "FakeOpenAI: no scripted reply", None)
            # x-should-retry stops the SDK retrying, so a missing script fails fast and once.
            return 500, body, {"x-should-retry": "false"}
        if reply.delay > 0:
            self._stopping.wait(reply.delay)
        return reply.build(request)

    def _translate(self, request: dict[str, Any]) -> Answer:
        """Record-time translations are answered at once, outside the script (they happen
        whenever a record is indexed, in no order a test should have to predict), and kept
        apart from `requests`: the translation of a record is `translations[record]` when the
        test wrote one, else the record marked with the language (deterministic)."""
        user = str(request["messages"][-1]["content"])
        languages = _LANGUAGES_LINE.search(user)
        record = _RECORD.search(user)
        wanted = [x.strip() for x in languages.group(1).split(",")] if languages else []
        text = record.group(1).strip() if record else ""
        with self._cond:
            self._translation_requests.append(request)
            mapping = dict(self.translations)
        answer = {
            "translations": [
                {"language": language, "text": mapping.get(text, f"[{language}] {text}")}
                for language in wanted
            ]
        }
        return self._completion(json.dumps(answer), "stop", (60, 40))(request)

    @property
    def translation_requests(self) -> list[dict[str, Any]]:
        with self._cond:
            return list(self._translation_requests)

    def _embeddings(self, request: dict[str, Any]) -> Answer:
        with self._cond:
            self._embedding_requests.append(request)
        inputs = _embedding_inputs(request.get("input"))
        dim = int(request.get("dimensions") or EMBEDDING_DIM)
        as_base64 = request.get("encoding_format") == "base64"
        data = []
        for index, text in enumerate(inputs):
            vector = embed_text(text, dim)
            encoded: list[float] | str = _to_base64(vector) if as_base64 else vector
            data.append({"object": "embedding", "index": index, "embedding": encoded})
        tokens = sum(len(_tokens(t)) for t in inputs)
        body = {
            "object": "list",
            "data": data,
            "model": request.get("model", MODEL_ID),
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        }
        return 200, body, {}

    def _completion(
        self,
        content: str | None,
        finish_reason: str,
        usage: tuple[int, int],
        refusal: str | None = None,
    ) -> Builder:
        def build(request: dict[str, Any]) -> Answer:
            prompt, completion = usage
            body = {
                "id": f"chatcmpl-fake{next(self._ids)}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": request.get("model", MODEL_ID),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content, "refusal": refusal},
                        "finish_reason": finish_reason,
                        "logprobs": None,
                    }
                ],
                "usage": {
                    "prompt_tokens": prompt,
                    "completion_tokens": completion,
                    "total_tokens": prompt + completion,
                },
            }
            return 200, body, {}

        return build


# The structured-output schema name of services.knowledge.translation.RecordTranslations.
TRANSLATION_SCHEMA = "RecordTranslations"
_LANGUAGES_LINE = re.compile(r"^Languages: (.+)$", re.MULTILINE)
_RECORD = re.compile(r"<record>\n(.*)\n</record>", re.DOTALL)


def _schema_name(request: dict[str, Any]) -> str | None:
    response_format = request.get("response_format")
    if not isinstance(response_format, dict):
        return None
    schema = response_format.get("json_schema")
    return str(schema.get("name")) if isinstance(schema, dict) else None


def embed_text(text: str, dim: int = EMBEDDING_DIM) -> list[float]:
    """Bag-of-words vector from hashed lowercase tokens, L2-normalised.

    Shared words make texts similar; identical texts give identical vectors. A text with no
    words gets a fixed unit vector, since a zero vector breaks cosine distance.
    """
    vector = [0.0] * dim
    for token in _tokens(text):
        digest = int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "big")
        vector[digest % dim] += 1.0 if (digest >> 32) & 1 else -1.0
    norm = math.sqrt(sum(v * v for v in vector))
    if norm == 0:
        return [1.0] + [0.0] * (dim - 1)
    return [v / norm for v in vector]


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _embedding_inputs(raw: Any) -> list[str]:
    # The API also takes token ids (langchain sends them when it counts with tiktoken);
    # treat each id as a word so the same ids still embed the same way.
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, list) and raw and all(isinstance(t, int) for t in raw):
        return [" ".join(str(t) for t in raw)]
    if isinstance(raw, list):
        return [x if isinstance(x, str) else " ".join(str(t) for t in x) for x in raw]
    return []


def _to_base64(vector: list[float]) -> str:
    # The openai SDK asks for base64 by default and decodes it as little-endian float32.
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()


def _jsonable(obj: dict[str, Any] | BaseModel) -> Any:
    return obj.model_dump(mode="json") if isinstance(obj, BaseModel) else obj


def _error_body(status: int, message: str, code: str | None) -> dict[str, Any]:
    kind, default_code = _ERROR_TYPES.get(status, ("server_error", None))
    return {
        "error": {"message": message, "type": kind, "param": None, "code": code or default_code}
    }


class _OpenAIRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def __init__(self, fake: FakeOpenAI, *args: Any) -> None:
        self.fake = fake
        super().__init__(*args)

    def do_GET(self) -> None:
        if urlsplit(self.path).path.rstrip("/") == "/v1/models":
            key = self.fake.required_key
            if key is not None and self.headers.get("Authorization") != f"Bearer {key}":
                self._send(401, _error_body(401, "Incorrect API key provided", None), {})
                return
            model = {"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "apo-tests"}
            self._send(200, {"object": "list", "data": [model]}, {})
        else:
            self._send(404, _error_body(404, f"unknown path {self.path}", "not_found"), {})

    def do_POST(self) -> None:
        path = urlsplit(self.path).path.rstrip("/")
        length = int(self.headers.get("Content-Length") or 0)
        try:
            request = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            self._send(400, _error_body(400, "body is not JSON", None), {})
            return
        if path == "/v1/chat/completions":
            self._send(*self.fake._chat(request))
        elif path == "/v1/embeddings":
            self._send(*self.fake._embeddings(request))
        else:
            self._send(404, _error_body(404, f"unknown path {self.path}", "not_found"), {})

    def _send(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
        data = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("x-request-id", f"req_fake{time.monotonic_ns()}")
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client timed out during an injected delay and hung up

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep pytest output clean
