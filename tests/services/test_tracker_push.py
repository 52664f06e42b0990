"""Pushing approved stories to the tracker, on the service with an in-memory tracker: one issue
per story whatever repeats, failures shown on the card with the setting to fix, edits and
rejections after filing, and "blocks" links once both stories exist."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.domain import Actor, MessageRef
from bot.domain.stories import StoryEdit, StoryView
from bot.domain.tracker import IssueDraft, IssueRef, PushMode
from bot.errors import BotError, NotAllowed, TrackerError
from bot.projects import load_projects
from bot.services.tracker.push import TrackerService, TryAgain
from tests.harness.app_server import REVIEWER
from tests.services.stories_setup import Stories, build_stories, migrated_template
from tests.story_e2e import batch, story

NOTES = (
    "The accountant wants to create a credit note for a sent invoice.\n"
    "Then the accountant wants to email the credit note to the customer."
)


def two_stories_second_depends_on_first() -> dict[str, object]:
    second = story("Email the credit note", "to email the credit note", ["email the credit note"])
    second["depends_on"] = ["Credit a sent invoice"]
    first = story("Credit a sent invoice", "to create a credit note", ["create a credit note"])
    return batch(first, second)


@dataclass
class FakeTracker:
    """Issues in memory; `fail` holds errors to raise on the next calls of an operation, and
    `created_then_fail` makes the next create take effect and then fail (outcome unknown)."""

    name: str = "Jira"
    issues: dict[str, IssueDraft] = field(default_factory=dict)
    links: list[tuple[str, str]] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    fail: dict[str, list[TrackerError]] = field(default_factory=dict)
    created_then_fail: bool = False
    calls: list[str] = field(default_factory=list)

    def _maybe_fail(self, op: str) -> None:
        self.calls.append(op)
        if self.fail.get(op):
            raise self.fail[op].pop(0)

    def find(self, marker: str) -> IssueRef | None:
        self._maybe_fail("find")
        for key, issue in self.issues.items():
            if marker in issue.labels:
                return IssueRef(key, f"https://jira.example/browse/{key}")
        return None

    def create(self, issue: IssueDraft) -> IssueRef:
        self._maybe_fail("create")
        key = f"ACME-{len(self.issues) + 2}"
        self.issues[key] = issue
        if self.created_then_fail:
            self.created_then_fail = False
            raise TrackerError("Jira did not answer in time.", transient=True)
        return IssueRef(key, f"https://jira.example/browse/{key}")

    def update(self, key: str, issue: IssueDraft) -> None:
        self._maybe_fail("update")
        self.issues[key] = issue

    def link_blocks(self, blocker: str, blocked: str) -> None:
        self._maybe_fail("link")
        if (blocker, blocked) not in self.links:
            self.links.append((blocker, blocked))

    def close(self, key: str) -> None:
        self._maybe_fail("close")
        self.closed.append(key)


@dataclass
class FakeTrackers:
    tracker: FakeTracker
    push: PushMode | None = "on_approval"

    def for_project(self, project: str) -> FakeTracker | None:
        return self.tracker if project == "acme" and self.push else None

    def mode(self, project: str) -> PushMode | None:
        return self.push if project == "acme" else None


class FakePeople:
    def display_name(self, user_id: str) -> str:
        return {"U0APO": "Astrid Product-Owner"}.get(user_id, user_id)

    def permalink(self, message: MessageRef) -> str | None:
        return f"https://acme.slack.com/archives/{message.channel}/p{message.ts}"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return migrated_template(tmp_path_factory.mktemp("db"))


@dataclass
class World:
    stories: Stories
    tracker: FakeTracker
    trackers: FakeTrackers
    service: TrackerService
    people: FakePeople

    def approve(self, story_id: int) -> None:
        self.stories.review.approve(story_id, Actor(REVIEWER))
        self.stories.review.show_decision(story_id, self.stories.publisher)
        self.service.after_decision(story_id, self.stories.publisher, self.people)

    def story(self, story_id: int) -> StoryView:
        return self.stories.stories.story(story_id)


@pytest.fixture
def world(tmp_path: Path, template: Path) -> Iterator[World]:
    stories = build_stories(tmp_path, template)
    projects = load_projects(tmp_path / "apo.yaml")
    tracker = FakeTracker()
    trackers = FakeTrackers(tracker)
    service = TrackerService(stories.store, trackers, projects)
    yield World(stories, tracker, trackers, service, FakePeople())
    stories.db.dispose()


@pytest.fixture
def drafted(world: World) -> list[StoryView]:
    note_id = world.stories.draft(NOTES, two_stories_second_depends_on_first())
    return list(world.stories.stories.batch(note_id).stories)


def test_approving_files_one_issue_with_the_story_and_who_approved_it(
    world: World, drafted: list[StoryView]
) -> None:
    world.approve(drafted[0].id)

    [(key, issue)] = world.tracker.issues.items()
    assert world.story(drafted[0].id).tracked.issue == IssueRef(
        key, f"https://jira.example/browse/{key}"
    )
    assert issue.summary == "Credit a sent invoice"
    assert issue.sentence.startswith("As an accountant, I want to create a credit note")
    assert issue.approved_by == "Astrid Product-Owner"  # a name, not a Slack id
    assert issue.card_link and "/archives/" in issue.card_link
    assert f"apo-acme-story-{drafted[0].id}" in issue.labels
    card = world.stories.publisher.of("card_update")[-1].detail
    assert card.tracked.issue.key == key  # the card is redrawn with the key


def test_pushing_again_updates_the_same_issue(world: World, drafted: list[StoryView]) -> None:
    world.approve(drafted[0].id)
    for _ in range(3):  # a retried job, a Retry press, a re-run
        world.service.push(drafted[0].id, world.stories.publisher, world.people)

    assert len(world.tracker.issues) == 1
    assert world.tracker.calls.count("create") == 1 and world.tracker.calls.count("update") == 3


def test_an_uncertain_create_is_found_by_its_label_not_created_twice(
    world: World, drafted: list[StoryView]
) -> None:
    world.tracker.created_then_fail = True  # Jira made the issue; the answer was lost

    with pytest.raises(TryAgain):
        world.approve(drafted[0].id)
    shown = world.story(drafted[0].id)
    assert shown.tracked.issue is None and shown.tracked.pending
    assert "did not answer in time" in (shown.tracked.problem or "")
    world.service.push(drafted[0].id, world.stories.publisher, world.people)

    assert len(world.tracker.issues) == 1
    assert world.tracker.calls == ["create", "find", "update"]
    fixed = world.story(drafted[0].id)
    assert fixed.tracked.issue is not None and fixed.tracked.problem is None


def test_a_refused_token_names_the_setting_and_is_not_retried(
    world: World, drafted: list[StoryView]
) -> None:
    refused = TrackerError(
        "Jira refused the account (401).", setting="JIRA_EMAIL and JIRA_API_TOKEN"
    )
    world.tracker.fail["create"] = [refused]

    with pytest.raises(TrackerError):
        world.approve(drafted[0].id)

    shown = world.story(drafted[0].id)
    assert shown.status == "approved" and shown.tracked.issue is None  # nothing lost
    assert shown.tracked.problem == (
        "Jira refused the account (401). Check JIRA_EMAIL and JIRA_API_TOKEN."
    )
    assert shown.tracked.failures == 1
    world.service.push(drafted[0].id, world.stories.publisher, world.people)  # Retry, fixed
    assert world.story(drafted[0].id).tracked.problem is None
    assert len(world.tracker.issues) == 1


def test_blocks_link_once_both_stories_exist(world: World, drafted: list[StoryView]) -> None:
    first, second = drafted
    world.approve(second.id)  # the dependent story first: its blocker has no issue yet
    assert world.tracker.links == []

    world.approve(first.id)

    first_key = world.story(first.id).tracked.issue
    second_key = world.story(second.id).tracked.issue
    assert first_key and second_key
    assert world.tracker.links == [(first_key.key, second_key.key)]
    world.service.push(second.id, world.stories.publisher, world.people)
    assert len(world.tracker.links) == 1


def test_button_mode_files_only_when_asked(world: World, drafted: list[StoryView]) -> None:
    world.trackers.push = "button"
    world.approve(drafted[0].id)
    assert world.tracker.issues == {}
    batch_view = world.stories.stories.batch(drafted[0].note_id)
    assert batch_view.unsent == 1

    waiting = world.service.request_batch_push(drafted[0].note_id, Actor(REVIEWER))
    world.service.push_batch(drafted[0].note_id, world.stories.publisher, world.people)

    assert waiting == [drafted[0].id] and len(world.tracker.issues) == 1
    with pytest.raises(BotError, match="in the tracker already"):
        world.service.request_batch_push(drafted[0].note_id, Actor(REVIEWER))
    with pytest.raises(NotAllowed):
        world.service.request_batch_push(drafted[0].note_id, Actor("U0DEV"))


def test_an_edit_after_filing_updates_the_issue(world: World, drafted: list[StoryView]) -> None:
    world.approve(drafted[0].id)
    change = StoryEdit(
        title="Credit part of an invoice",
        role="accountant",
        goal="to credit selected lines",
        benefit="",
        criteria=drafted[0].criteria,
        points=3,
        priority="High",
    )
    world.stories.review.edit(drafted[0].id, Actor(REVIEWER), change)
    world.service.after_decision(drafted[0].id, world.stories.publisher, world.people)

    [issue] = world.tracker.issues.values()
    assert (issue.summary, issue.points, issue.priority) == ("Credit part of an invoice", 3, "High")


def test_rejected_after_filing_offers_to_close_and_closes_once(
    world: World, drafted: list[StoryView]
) -> None:
    world.approve(drafted[0].id)
    world.stories.review.reject(drafted[0].id, Actor(REVIEWER), "Out of scope", seen="approved")
    world.service.after_decision(drafted[0].id, world.stories.publisher, world.people)
    assert world.tracker.closed == []  # only when a reviewer says so

    world.service.request_close(drafted[0].id, Actor(REVIEWER))
    world.service.close(drafted[0].id, world.stories.publisher)
    world.service.close(drafted[0].id, world.stories.publisher)

    [key] = world.tracker.issues
    assert world.tracker.closed == [key]
    assert world.story(drafted[0].id).tracked.closed
    with pytest.raises(BotError, match="no issue to close"):
        world.service.request_close(drafted[1].id, Actor(REVIEWER))


def test_export_new_only_leaves_out_what_was_exported_or_filed(
    world: World, drafted: list[StoryView]
) -> None:
    world.trackers.push = None  # no tracker: CSV is the way out
    first, second = drafted
    for story_id in (first.id, second.id):
        world.approve(story_id)
    stories = world.stories.stories
    assert [s.id for s in stories.approved("acme", new_only=True)] == [first.id, second.id]

    stories.mark_exported([first.id])

    assert [s.id for s in stories.approved("acme", new_only=True)] == [second.id]
    assert len(stories.approved("acme")) == 2  # the whole backlog is still there
    world.trackers.push = "on_approval"
    world.service.push(second.id, world.stories.publisher, world.people)
    assert stories.approved("acme", new_only=True) == []  # filed in Jira: not again by CSV


def test_two_jobs_never_push_one_story_at_once(world: World, drafted: list[StoryView]) -> None:
    """The automatic retry and a Retry press are different jobs: while one holds the story
    the other waits for a later attempt (and then finds the key); the holder's own next
    attempt, after its worker died, takes over at once."""
    store, story_id = world.stories.store, drafted[0].id
    world.stories.review.approve(story_id, Actor(REVIEWER))
    assert store.claim_push(story_id, "push:story:1:after:0", seconds=600)

    with pytest.raises(TryAgain, match="another job"):
        world.service.push(story_id, world.stories.publisher, world.people, owner="retry-press")
    assert world.tracker.calls == []

    world.service.push(
        story_id, world.stories.publisher, world.people, owner="push:story:1:after:0"
    )  # the holder again, e.g. its attempt 2 after a SIGKILL
    world.service.push(story_id, world.stories.publisher, world.people, owner="retry-press")
    assert world.tracker.calls == ["create", "update"]  # released: the other one updates
