"""The chat model on langchain-openai: any OpenAI-compatible server (OpenAI, Azure, Ollama,
vLLM, LM Studio) through `OPENAI_BASE_URL`.

Transport failures (timeouts, 429, 5xx) are retried by the openai SDK with exponential backoff
(`max_retries`); output that does not fit the schema gets `bad_output_retries` more attempts,
because a second sample often parses. Every attempt's token use is recorded.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

import openai
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, SecretStr

from bot.errors import LLMBadOutput, LLMError, LLMRateLimited, LLMTimeout
from bot.llm.base import ChatMessage, LLMUsage, SchemaT, UsageRecorder
from bot.llm.echo import repeats_instructions, strings_in

log = logging.getLogger(__name__)


class OpenAIChatModel:
    def __init__(
        self,
        *,
        model: str,
        api_key: str,
        base_url: str | None = None,
        timeout: float = 60.0,
        max_retries: int = 2,
        bad_output_retries: int = 1,
        record_usage: UsageRecorder | None = None,
    ) -> None:
        self._model = model
        self._bad_output_retries = bad_output_retries
        self._record_usage = record_usage
        self._chat = ChatOpenAI(
            model=model,
            api_key=SecretStr(api_key),
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            temperature=0.2,
        )

    @property
    def model_name(self) -> str:
        return self._model

    def structured(
        self,
        messages: Sequence[ChatMessage],
        schema: type[SchemaT],
        *,
        purpose: str,
        project: str | None = None,
    ) -> SchemaT:
        runnable = self._chat.with_structured_output(schema, method="json_schema", include_raw=True)
        failure = _bad_output("it was empty")
        for _attempt in range(1 + self._bad_output_retries):
            started = time.monotonic()
            try:
                result: dict[str, Any] = self._invoke(runnable, messages, purpose, project, started)
            except LLMBadOutput as exc:  # e.g. cut off mid-JSON: another sample may fit
                failure = exc
                continue
            parsed = result.get("parsed")
            if isinstance(parsed, schema) and _echoes_instructions(parsed, messages):
                self._usage(purpose, project, result.get("raw"), started, ok=False)
                failure = _bad_output("it repeated the bot's instructions")
                log.warning("LLM %s repeated its instructions; not used", purpose)
                continue
            self._usage(purpose, project, result.get("raw"), started, ok=isinstance(parsed, schema))
            if isinstance(parsed, schema):
                return parsed
            failure = _bad_output(
                _describe_bad_output(result.get("raw"), result.get("parsing_error"))
            )
            log.warning("LLM %s gave unusable output: %s", purpose, failure.user_message)
        raise failure

    def _invoke(
        self,
        runnable: Any,
        messages: Sequence[ChatMessage],
        purpose: str,
        project: str | None,
        started: float,
    ) -> Any:
        try:
            return runnable.invoke(_to_langchain(messages))
        except Exception as exc:  # mapped to errors a user can read; the log keeps the cause
            error = _map_error(exc)
            self._record(
                LLMUsage(
                    purpose,
                    self._model,
                    0,
                    0,
                    _ms(started),
                    False,
                    type(error).__name__,
                    project=project,
                )
            )
            raise error from exc

    def _usage(
        self, purpose: str, project: str | None, raw: object, started: float, *, ok: bool
    ) -> None:
        meta = getattr(raw, "usage_metadata", None) or {}
        self._record(
            LLMUsage(
                purpose=purpose,
                model=self._model,
                prompt_tokens=int(meta.get("input_tokens", 0)),
                completion_tokens=int(meta.get("output_tokens", 0)),
                latency_ms=_ms(started),
                ok=ok,
                error_kind=None if ok else "bad_output",
                project=project,
            )
        )

    def _record(self, usage: LLMUsage) -> None:
        if self._record_usage is None:
            return
        try:
            self._record_usage(usage)
        except Exception:  # accounting must never break the user's request
            log.exception("could not record LLM usage")


def _echoes_instructions(parsed: BaseModel, messages: Sequence[ChatMessage]) -> bool:
    """An injection made the model copy its system message into its answer (see echo.py)."""
    instructions = "\n".join(m.content for m in messages if m.role == "system")
    return repeats_instructions(strings_in(parsed.model_dump()), instructions)


def _to_langchain(messages: Sequence[ChatMessage]) -> list[BaseMessage]:
    kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
    return [kinds[m.role](content=m.content) for m in messages]


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _bad_output(problem: str) -> LLMBadOutput:
    return LLMBadOutput(f"The language model's answer could not be used: {problem}.")


def _describe_bad_output(raw: object, parsing_error: object) -> str:
    if isinstance(raw, AIMessage):
        if raw.additional_kwargs.get("refusal"):
            return "the model declined to answer"
        if raw.response_metadata.get("finish_reason") == "length":
            return "it was cut off before it was complete"
    if parsing_error is not None:
        return "it was not valid JSON of the expected shape"
    return "it was empty"


def _map_error(exc: Exception) -> LLMError:
    if isinstance(exc, openai.APITimeoutError):
        return LLMTimeout("The language model did not answer in time.", detail=str(exc))
    if isinstance(exc, openai.RateLimitError):
        return LLMRateLimited("The language model is rate-limiting us right now.", detail=str(exc))
    if isinstance(exc, openai.AuthenticationError):
        return LLMError(
            "The language model rejected our API key (check OPENAI_API_KEY).", detail=str(exc)
        )
    if isinstance(exc, openai.APIConnectionError):
        return LLMError("The language model could not be reached.", detail=str(exc))
    if isinstance(exc, openai.APIStatusError):
        return LLMError(
            f"The language model answered with an error (HTTP {exc.status_code}).", detail=str(exc)
        )
    if isinstance(exc, openai.LengthFinishReasonError):
        return _bad_output("it was cut off before it was complete")
    if type(exc).__name__ == "OpenAIRefusalError":
        return _bad_output("the model declined to answer")
    return _bad_output("it was not valid JSON of the expected shape")
