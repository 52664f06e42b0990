"""What the language model cost: one row per model call, with its tokens and latency."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.storage.models import LLMCall
from bot.storage.types import now_utc


def record_llm_call(
    purpose: str,
    model: str,
    *,
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
    total_tokens: int | None = None,
    latency_ms: int = 0,
    ok: bool = True,
    error_kind: str | None = None,
    at: datetime | None = None,
    session: Session,
) -> LLMCall:
    """Store one chat/embedding call; ``total_tokens`` defaults to prompt + completion."""
    call = LLMCall(
        purpose=purpose,
        model=model,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        total_tokens=prompt_tokens + completion_tokens if total_tokens is None else total_tokens,
        latency_ms=latency_ms,
        ok=ok,
        error_kind=error_kind,
        at=at or now_utc(),
    )
    session.add(call)
    session.flush()
    return call
