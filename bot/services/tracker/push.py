"""Approved stories filed in the project's tracker, exactly once each.

The rules, in order, each time a story is pushed (on approval, by Retry, by *Send to Jira*,
or again after a worker died mid-push):
1. a story that has an issue key updates that issue, never creates another;
2. a story whose earlier create may have reached the tracker (`pending`: the create was
   sent and no answer stored) is first searched for by its marker label, and adopts what is
   found;
3. only then is an issue created, with the marker set, and its key stored at once.
Jobs run one at a time per key (the ledger), and a double click asks for the same key; two
different jobs (the automatic retry and a Retry press) never push one story at once: the first
claims it (`claim_push`), the other tries again later and then finds the key.

Failures are shown on the story's card with Retry and the setting to fix; a transient one
(the tracker down, timing out, rate limiting) is also tried again by the job's backoff.
"""

from __future__ import annotations

import logging

from bot.domain import Actor
from bot.domain.stories import StoredNote, StoredStory, StoryView
from bot.domain.tracker import IssueRef
from bot.errors import BotError, NotAllowed, TrackerError
from bot.projects import ProjectsConfig
from bot.services.stories.convert import story_view
from bot.services.stories.dependencies import blockers
from bot.services.tracker.issues import issue_draft, marker
from bot.services.tracker.ports import CardPublisher, People, TrackedStories, Tracker, Trackers

log = logging.getLogger(__name__)
# How long a push may hold its story: longer than any push takes (429 waits included); a
# worker that died holding it is followed by its own job's next attempt, which may take over.
CLAIM_SECONDS = 600.0


class TryAgain(Exception):
    """A transient tracker failure: the job runner tries the push again with backoff (the
    card already shows the problem and a Retry)."""


class TrackerService:
    def __init__(self, store: TrackedStories, trackers: Trackers, projects: ProjectsConfig) -> None:
        self._store = store
        self._trackers = trackers
        self._projects = projects

    # -- web side: who may ask, before a job is queued ---------------------------------

    def request_push(self, story_id: int, actor: Actor) -> StoryView:
        """A reviewer's Retry (or Send) for one story; refused for others and for a story
        that is not approved."""
        story = self._reviewable(story_id, actor)
        if story.status != "approved":
            raise BotError(f"Story #{story_id} is {story.status}; only approved stories are sent.")
        return story

    def request_batch_push(self, note_id: int, actor: Actor) -> list[int]:
        """*Send to Jira* on a batch: the approved stories with no issue yet."""
        note, stories = self._store.batch(note_id)
        self._check_reviewer(note.project, actor)
        waiting = [s.id for s in stories if s.status == "approved" and s.tracked.issue is None]
        if not waiting:
            raise BotError("Every approved story of this batch is in the tracker already.")
        return waiting

    def request_close(self, story_id: int, actor: Actor) -> StoryView:
        story = self._reviewable(story_id, actor)
        if story.status != "rejected" or story.tracked.issue is None:
            raise BotError(f"Story #{story_id} has no issue to close.")
        return story

    # -- worker side ----------------------------------------------------------------------

    def after_decision(
        self, story_id: int, publisher: CardPublisher, people: People, *, owner: str = "direct"
    ) -> None:
        """After a review decision or an edit: file an approved story when the project files
        on approval, and bring an existing issue up to date after an edit."""
        _, stored = self._store.story(story_id)
        mode = self._trackers.mode(stored.project)
        if stored.status != "approved" or mode is None:
            return
        if stored.tracked.issue is not None or mode == "on_approval":
            self.push(story_id, publisher, people, owner=owner)

    def push_batch(
        self, note_id: int, publisher: CardPublisher, people: People, *, owner: str = "direct"
    ) -> None:
        """Every approved story of the batch, in order (so a blocker usually exists first)."""
        _, stories = self._store.batch(note_id)
        again: TryAgain | None = None
        for stored in stories:
            if stored.status == "approved":
                try:
                    self.push(stored.id, publisher, people, owner=owner)
                except TryAgain as exc:  # the others still go; the job tries again later
                    again = exc
        if again is not None:
            raise again

    def push(
        self, story_id: int, publisher: CardPublisher, people: People, *, owner: str = "direct"
    ) -> IssueRef | None:
        """File the story (or update its issue). `owner` names the job doing it."""
        if not self._store.claim_push(story_id, owner, seconds=CLAIM_SECONDS):
            raise TryAgain(f"another job is pushing story #{story_id}")
        try:
            return self._push(story_id, publisher, people)
        finally:
            self._store.release_push(story_id, owner)

    def _push(self, story_id: int, publisher: CardPublisher, people: People) -> IssueRef | None:
        note, stored = self._store.story(story_id)
        tracker = self._trackers.for_project(stored.project)
        if tracker is None or stored.status != "approved":
            return None
        story = story_view(stored, note.text)
        try:
            issue = self._file(tracker, note, stored, story, people)
            self._link(tracker, note, story, issue)
        except TrackerError as exc:
            self._failed(story_id, exc, publisher)
            if exc.transient:
                raise TryAgain(exc.user_message) from exc
            raise
        if stored.tracked.problem is not None:
            self._store.set_push_problem(story_id, None)
        self._redraw(story_id, publisher)
        return issue

    def close(self, story_id: int, publisher: CardPublisher) -> None:
        _, stored = self._store.story(story_id)
        tracker = self._trackers.for_project(stored.project)
        issue = stored.tracked.issue
        if tracker is None or issue is None or stored.tracked.closed:
            return
        try:
            tracker.close(issue.key)
        except TrackerError as exc:
            self._failed(story_id, exc, publisher)
            if exc.transient:
                raise TryAgain(exc.user_message) from exc
            raise
        self._store.set_issue_closed(story_id)
        self._redraw(story_id, publisher)

    # -- the rules ----------------------------------------------------------------------

    def _file(
        self,
        tracker: Tracker,
        note: StoredNote,
        stored: StoredStory,
        story: StoryView,
        people: People,
    ) -> IssueRef:
        project = self._projects.get(stored.project)
        draft = issue_draft(
            story,
            approved_by=people.display_name(stored.decided_by) if stored.decided_by else "",
            card_link=people.permalink(stored.card) if stored.card else None,
            extra_labels=project.jira.labels if project.jira else (),
        )
        if stored.tracked.issue is not None:  # rule 1
            tracker.update(stored.tracked.issue.key, draft)
            return stored.tracked.issue
        if stored.tracked.pending:  # rule 2
            found = tracker.find(marker(stored.project, stored.id))
            if found is not None:
                log.info("story %s: adopted %s from an earlier attempt", stored.id, found.key)
                self._store.set_issue(stored.id, found)
                tracker.update(found.key, draft)
                return found
        self._store.start_push(stored.id)  # rule 3
        issue = tracker.create(draft)
        self._store.set_issue(stored.id, issue)
        return issue

    def _link(self, tracker: Tracker, note: StoredNote, story: StoryView, issue: IssueRef) -> None:
        """ "Blocks" links with the batch's other stories, for each pair that both exist."""
        _, stored = self._store.batch(note.id)
        batch = [story_view(s, note.text) for s in stored]
        for blocker in blockers(story, batch):
            if blocker.tracked.issue is not None:
                tracker.link_blocks(blocker.tracked.issue.key, issue.key)
        for other in batch:
            if other.tracked.issue is not None and story.id in {
                b.id for b in blockers(other, batch)
            }:
                tracker.link_blocks(issue.key, other.tracked.issue.key)

    def _failed(self, story_id: int, exc: TrackerError, publisher: CardPublisher) -> None:
        log.warning("story %s: the tracker failed: %s", story_id, exc)
        problem = exc.user_message
        if exc.setting:
            problem += f" Check {exc.setting}."
        self._store.set_push_problem(story_id, problem)
        self._redraw(story_id, publisher)

    def _redraw(self, story_id: int, publisher: CardPublisher) -> None:
        note, stored = self._store.story(story_id)
        if stored.card is not None:
            publisher.update_card(stored.card, story_view(stored, note.text))

    def _reviewable(self, story_id: int, actor: Actor) -> StoryView:
        note, stored = self._store.story(story_id)
        self._check_reviewer(stored.project, actor)
        return story_view(stored, note.text)

    def _check_reviewer(self, project_key: str, actor: Actor) -> None:
        project = self._projects.get(project_key)
        if not (actor.admin or project.is_reviewer(actor.user_id)):
            raise NotAllowed(
                f"Only the reviewers of {project.name} can send stories to the tracker or "
                "close their issues."
            )
