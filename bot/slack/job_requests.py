"""Jobs more than one listener queues (listener modules never import one another)."""

from __future__ import annotations

from bot.domain import MessageRef
from bot.domain.jobs import Job, JobKind, JobValue
from bot.services.knowledge.views import AskInput


def export_job(project: str, format: str, user: str, request: str) -> Job:
    """The backlog of `project` as a `format` file, to `user` alone; `request` (the click's
    trigger id or the command's) keeps a repeated delivery from sending two files."""
    return Job(
        JobKind.EXPORT_BACKLOG,
        f"export:{project}:{format}:{user}:{request}",
        {"project": project, "format": format, "user": user},
    )


def digest_preview_job(project: str, side: str, user: str, channel: str, request: str) -> Job:
    return Job(
        JobKind.DIGEST_PREVIEW,
        f"digest-preview:{project}:{side}:{user}:{request}",
        {"project": project, "side": side, "user": user, "channel": channel},
    )


def answer_job(ask: AskInput, *, pane: bool = False) -> Job:
    """Answer a question; `pane`: asked in the agent pane, where the bot shows a status and
    streams the answer instead of posting "Looking…" and rewriting it."""
    return Job(
        JobKind.ANSWER_QUESTION,
        f"answer:{ask.channel}:{ask.message_ts}",
        {
            "project": ask.project,
            "channel": ask.channel,
            "user": ask.asker_id,
            "text": ask.text,
            "ts": ask.message_ts,
            "thread_ts": ask.thread_ts,
            "private": ask.private,
            "pane": pane,
        },
    )


def draft_job(
    note_id: int,
    channel: str,
    attempt: str = "first",
    *,
    pane: MessageRef | None = None,
    team: str | None = None,
) -> Job:
    """Draft stored notes in `channel`; `pane`: asked from the agent pane, whose status shows
    the progress ("Drafting part 2 of 3…") and which hears when the cards are there; `team`:
    the workspace whose token drafts, for a job a store records itself (the outbox)."""
    args: dict[str, JobValue] = {"note_id": note_id, "channel": channel}
    if team:
        args["team"] = team
    if pane is not None:
        args.update(pane_channel=pane.channel, pane_thread=pane.ts)
    return Job(JobKind.DRAFT_BATCH, f"draft:note:{note_id}:{attempt}", args)
