"""`HomeService`: one person's Home tab, built from one query per section.

Privacy is the rule answers and digests follow: what came from a private channel (a decision,
the notes a story was drafted from) is shown only to members of that channel; an escalated
question asked in a private conversation is listed without its text (reviewers read it in the
Answer form, as in the escalation message).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import timedelta

from bot.domain import Clock, utc_now
from bot.domain.home import HomeView, NextDigest, OpenQuestion, ProjectHome
from bot.projects import Project, ProjectsConfig
from bot.services.digests.timing import digest_moments, project_sides
from bot.services.home.ports import HomePublisher, HomeStore, Membership

PRIVATE_QUESTION = "A question asked in a private conversation (open *Answer* to read it)"
SECTION_LIMIT = 10  # per project and section: a Home tab is an overview, not an archive
DECISIONS_SHOWN = 5
_LOOKAHEAD = timedelta(days=21)  # long enough to pass any holiday season


class HomeService:
    def __init__(self, store: HomeStore, projects: ProjectsConfig, clock: Clock = utc_now) -> None:
        self._store = store
        self._projects = projects
        self._clock = clock

    def refresh(
        self, user_ids: Iterable[str], membership: Membership, publisher: HomePublisher
    ) -> None:
        """Publish the Home tab of each of these people as it is now."""
        for user_id in dict.fromkeys(user_ids):
            publisher.publish(self.view_for(user_id, membership))

    def view_for(self, user_id: str, membership: Membership) -> HomeView:
        mine = [p for p in self._projects.projects if membership.belongs_to(user_id, p)]
        reviewing = [p.key for p in mine if p.is_reviewer(user_id)]
        keys = [p.key for p in mine]
        limit = SECTION_LIMIT * max(len(keys), 1)
        waiting = self._store.waiting_stories(reviewing, limit)
        escalated = self._store.escalated_questions(reviewing, limit)
        asked = self._store.open_questions_of(user_id, limit)
        # Fetched generously: some may be private to channels this person is not in.
        decisions = self._store.recent_decisions(keys, DECISIONS_SHOWN * 4 * max(len(keys), 1))
        seen: dict[str, bool] = {}

        def sees(channel: str | None, private: bool) -> bool:
            if not private:
                return True
            if channel is None:
                return False
            if channel not in seen:
                seen[channel] = membership.is_member(user_id, channel)
            return seen[channel]

        homes = []
        for project in mine:
            key = project.key
            homes.append(
                ProjectHome(
                    key=key,
                    name=project.name,
                    reviewer=key in reviewing,
                    waiting=tuple(
                        s
                        for s in waiting
                        if s.project == key and sees(s.source_channel, s.source_private)
                    )[:SECTION_LIMIT],
                    escalated=tuple(
                        q if sees(q.channel, q.private) else _redacted(q)
                        for q in escalated
                        if q.project == key
                    )[:SECTION_LIMIT],
                    mine=tuple(q for q in asked if q.project == key)[:SECTION_LIMIT],
                    decisions=tuple(
                        d
                        for d in decisions
                        if d.project == key and sees(d.source_channel, d.source_private)
                    )[:DECISIONS_SHOWN],
                    digests=self._next_digests(project),
                )
            )
        return HomeView(user_id, tuple(homes))

    def _next_digests(self, project: Project) -> tuple[NextDigest, ...]:
        now = self._clock()
        found = []
        for name, side in project_sides(project):
            today = now.astimezone(side.zone).date()
            moments = [m for m in digest_moments(side, today, today + _LOOKAHEAD) if m.utc > now]
            if moments:
                found.append(NextDigest(name, side.channel, moments[0].local, side.timezone))
        return tuple(found)


def _redacted(question: OpenQuestion) -> OpenQuestion:
    return replace(question, text=PRIVATE_QUESTION, redacted=True)


def reviewers_of(projects: ProjectsConfig, keys: Sequence[str]) -> list[str]:
    """Everyone whose Home tab lists reviews for these projects."""
    return [r for key in dict.fromkeys(keys) for r in projects.get(key).reviewers]
