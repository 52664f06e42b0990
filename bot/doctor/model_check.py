"""The doctor's language-model check: the endpoint answers, the key is taken, the model exists."""

from __future__ import annotations

from bot.doctor.check import Check
from bot.doctor.http import Deadline, Unreachable, request
from bot.settings import Settings, is_placeholder

OPENAI_URL = "https://api.openai.com/v1"
MISSING_KEY_FIX = (
    "set OPENAI_API_KEY in .env, or OPENAI_BASE_URL alone for a local server "
    "(Ollama: http://localhost:11434/v1)"
)


def model_check(settings: Settings, deadline: Deadline) -> Check:
    if settings.openai_api_key is None:
        return Check(
            "language model",
            False,
            "OPENAI_API_KEY is not set: /story and answers need a model",
            fix=MISSING_KEY_FIX,
        )
    if is_placeholder(settings.openai_api_key):
        return Check(
            "language model",
            False,
            "OPENAI_API_KEY is still the placeholder from .env.example",
            fix=MISSING_KEY_FIX,
        )
    base = (settings.openai_base_url or OPENAI_URL).rstrip("/")
    url = f"{base}/models"
    try:
        reply = request(
            url, token=settings.openai_api_key.get_secret_value(), timeout=deadline.timeout()
        )
    except Unreachable as exc:
        return Check(
            "language model",
            False,
            f"the model server is unreachable: {exc}",
            fix="start the server or correct OPENAI_BASE_URL",
        )
    if reply.status in (401, 403):
        return Check(
            "language model",
            False,
            f"{base} rejected OPENAI_API_KEY (HTTP {reply.status})",
            fix="put a valid key for that server in OPENAI_API_KEY",
        )
    if reply.status == 404:
        return Check(
            "language model",
            False,
            f"{base} answers but has no /models: it may not be OpenAI-compatible",
            fix="OPENAI_BASE_URL usually ends in /v1",
            optional=True,
        )
    if reply.status != 200:
        return Check("language model", False, f"{url} answered HTTP {reply.status}")
    data = reply.body.get("data")
    models = (
        [str(m.get("id")) for m in data if isinstance(m, dict)] if isinstance(data, list) else []
    )
    where = settings.openai_base_url or "OpenAI"
    if settings.chat_model not in models:
        return Check(
            "language model",
            False,
            f"{where} answers, but has no model {settings.chat_model} "
            f"(it has: {', '.join(models[:8]) or 'none'})",
            fix="set APO_CHAT_MODEL to one of those (Ollama: `ollama pull` it first)",
        )
    key = "no key (local server)" if settings.uses_local_model_server else "key accepted"
    return Check("language model", True, f"{where} answers, {key}, model {settings.chat_model}")
