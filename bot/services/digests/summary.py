"""The client digest's summary of the team channel, by the language model, with citations."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from pydantic import BaseModel

from bot.domain.digests import DigestMessage
from bot.errors import BotError
from bot.llm.base import ChatModel
from bot.llm.prompts import Prompt
from bot.projects import Project
from bot.services.digests.content import DiscussionSummary

log = logging.getLogger(__name__)
SHOWN = 80  # the model reads the latest messages; older ones are linked, not summarised


class Summary(BaseModel):
    summary: str
    cited: list[int]


def summarise(
    chat: ChatModel, prompt: Prompt, project: Project, messages: Sequence[DigestMessage]
) -> DiscussionSummary | None:
    """None without messages; a summary without text when the model is unavailable, so the
    digest still goes out and says where the discussion is."""
    if not messages:
        return None
    recent = list(messages)[-SHOWN:]
    numbered = "\n".join(
        f"[{n}] <{m.user_id or 'someone'}> {m.text[:600]}" for n, m in enumerate(recent, start=1)
    )
    sources = tuple(m.message for m in recent)
    try:
        answer = chat.structured(
            prompt.render(project_name=project.name, messages=numbered),
            Summary,
            purpose="digest_summary",
            project=project.key,
        )
    except BotError as exc:
        log.warning("digest summary for %s unavailable: %s", project.key, exc)
        return DiscussionSummary(None, sources)
    # Keep the numbering the model saw: [n] in its text is sources[n - 1].
    cited = tuple(n for n in dict.fromkeys(answer.cited) if 1 <= n <= len(recent))
    return DiscussionSummary(answer.summary.strip(), sources, cited)
