"""A `BatchPublisher` for work that knows only a channel (drafts a stopped bot left behind):
each call goes out with the token of the workspace whose project owns the channel."""

from __future__ import annotations

from bot.domain import MessageRef
from bot.domain.stories import BatchView, StoryView
from bot.projects import ProjectsConfig
from bot.slack.publishers.stories import SlackBatchPublisher
from bot.slack.workspaces import WorkspaceClients


class ChannelRoutedBatchPublisher:
    def __init__(self, projects: ProjectsConfig, clients: WorkspaceClients) -> None:
        self._projects = projects
        self._clients = clients

    def _at(self, channel: str) -> SlackBatchPublisher:
        project = self._projects.for_channel(channel)
        return SlackBatchPublisher(self._clients.client_for(project.team_id if project else None))

    def is_private(self, channel: str) -> bool:
        return self._at(channel).is_private(channel)

    def show_progress(
        self, where: MessageRef | None, *, channel: str, batch: BatchView, step: str
    ) -> MessageRef:
        return self._at(channel).show_progress(where, channel=channel, batch=batch, step=step)

    def post_card(self, thread: MessageRef, story: StoryView) -> MessageRef:
        return self._at(thread.channel).post_card(thread, story)

    def update_card(self, where: MessageRef, story: StoryView) -> None:
        self._at(where.channel).update_card(where, story)

    def show_batch(self, where: MessageRef, batch: BatchView) -> None:
        self._at(where.channel).show_batch(where, batch)

    def show_failure(
        self, where: MessageRef, *, project_name: str, problem: str, note_id: int
    ) -> None:
        self._at(where.channel).show_failure(
            where, project_name=project_name, problem=problem, note_id=note_id
        )
