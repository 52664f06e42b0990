"""What the language model cost: one row per model call, with its tokens and latency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

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
    project: str | None = None,
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
        project=project,
        at=at or now_utc(),
    )
    session.add(call)
    session.flush()
    return call


@dataclass(frozen=True)
class MonthlyUsage:
    """Model use of one project (None: not known) in one month, for one model."""

    project: str | None
    month: str  # YYYY-MM, UTC
    model: str
    calls: int
    failed: int
    prompt_tokens: int
    completion_tokens: int


def monthly_usage(
    session: Session, *, project: str | None = None, since: datetime | None = None
) -> list[MonthlyUsage]:
    """Calls and tokens per project, month and model, oldest month first. Months are grouped
    here rather than in SQL, which spells "the month of a timestamp" differently per engine
    (a row is a few numbers; a busy year is some hundred thousand of them)."""
    query = select(LLMCall)
    if project is not None:
        query = query.where(col(LLMCall.project) == project)
    if since is not None:
        query = query.where(col(LLMCall.at) >= since)
    totals: dict[tuple[str | None, str, str], list[int]] = {}
    for call in session.exec(query):
        key = (call.project, call.at.strftime("%Y-%m"), call.model)
        sums = totals.setdefault(key, [0, 0, 0, 0])
        sums[0] += 1
        sums[1] += 0 if call.ok else 1
        sums[2] += call.prompt_tokens
        sums[3] += call.completion_tokens
    return [
        MonthlyUsage(p, month, model, *sums)
        for (p, month, model), sums in sorted(
            totals.items(), key=lambda item: (item[0][1], item[0][0] or "", item[0][2])
        )
    ]
