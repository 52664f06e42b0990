"""Replies several Slack surfaces give in the same words."""

from __future__ import annotations

UNMAPPED = (
    "This channel is not part of a project yet, so I don't know whose backlog the stories "
    "belong to. Add the channel to the projects file (apo.yaml) or run `/story` in a "
    "project channel."
)
