"""Jobs more than one listener queues (listener modules never import one another)."""

from __future__ import annotations

from bot.domain.jobs import Job, JobKind


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
