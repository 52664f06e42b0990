"""Where a batch's notes and stories may be shown, for buttons whose ids come from a payload.

A button's value is the only thing that says which story or notes it is about. Slack signs the
payload, but the value is whatever the message carried, so a replayed or altered payload could
point a button in one project's channel at another project's story. The channel it was
pressed in is what Slack vouches for, so that is what is checked.
"""

from __future__ import annotations

from bot.domain.stories import StoredNote
from bot.errors import NotAllowed
from bot.projects import ProjectsConfig

NOT_HERE = "That story belongs to another channel, so it isn't shown here."


def check_shown_in(note: StoredNote, channel: str | None, projects: ProjectsConfig) -> None:
    """`NotAllowed` unless `channel` is where the batch is, where the notes came from, or
    (for notes from a channel everyone in the project may read) a channel of the project."""
    if channel and channel in {note.channel_id, note.placement.channel if note.placement else None}:
        return
    project = projects.for_channel(channel)
    if note.private or project is None or project.key != note.project:
        raise NotAllowed(NOT_HERE)
