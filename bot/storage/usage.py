"""What the language model cost: one row per call, summed for `apo doctor` and reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col

from bot.storage.models import LLMCall
from bot.storage.types import now_utc


@dataclass(frozen=True)
class UsageTotals:
    calls: int = 0
    failures: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    latency_ms: int = 0  # summed; divide by calls for the mean
    by_purpose: dict[str, UsageTotals] = field(default_factory=dict)


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


def usage_totals(
    since: datetime, *, session: Session, until: datetime | None = None
) -> UsageTotals:
    """Calls made at or after ``since`` (and before ``until``), overall and per purpose."""
    failed = sa.case((col(LLMCall.ok).is_(False), 1), else_=0)
    stmt = sa.select(
        col(LLMCall.purpose),
        sa.func.count(),
        sa.func.sum(failed),
        sa.func.sum(col(LLMCall.prompt_tokens)),
        sa.func.sum(col(LLMCall.completion_tokens)),
        sa.func.sum(col(LLMCall.total_tokens)),
        sa.func.sum(col(LLMCall.latency_ms)),
    ).where(col(LLMCall.at) >= since)
    if until is not None:
        stmt = stmt.where(col(LLMCall.at) < until)
    stmt = stmt.group_by(col(LLMCall.purpose)).order_by(col(LLMCall.purpose))
    per_purpose: dict[str, UsageTotals] = {}
    for purpose, *numbers in session.connection().execute(stmt):
        calls, failures, prompt, completion, total, latency = (int(n or 0) for n in numbers)
        per_purpose[purpose] = UsageTotals(calls, failures, prompt, completion, total, latency)
    parts = list(per_purpose.values())
    return UsageTotals(
        calls=sum(p.calls for p in parts),
        failures=sum(p.failures for p in parts),
        prompt_tokens=sum(p.prompt_tokens for p in parts),
        completion_tokens=sum(p.completion_tokens for p in parts),
        total_tokens=sum(p.total_tokens for p in parts),
        latency_ms=sum(p.latency_ms for p in parts),
        by_purpose=per_purpose,
    )
