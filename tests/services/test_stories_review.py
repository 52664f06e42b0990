"""The human review on the service: only reviewers decide, once; edits are checked again;
every decision redraws the card and the summary; approved stories are indexed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.domain import Actor
from bot.domain.stories import Criterion, StoryEdit, StoryView
from bot.errors import BotError, NotAllowed
from tests.harness.app_server import REVIEWER, TEAM_CHANNEL
from tests.services.stories_setup import Stories, build_stories, migrated_template
from tests.story_e2e import batch, story

NOTES = (
    "The accountant wants to create a credit note for a sent invoice.\n"
    "Customers want to see the payment status of each invoice in the portal."
)
TWO_STORIES = batch(
    story(
        "Credit a sent invoice",
        "to create a credit note for a sent invoice",
        ["create a credit note for a sent invoice"],
    ),
    story(
        "See payment status",
        "to see the payment status of each invoice",
        ["see the payment status of each invoice in the portal"],
        role="customer",
    ),
)
EDIT = StoryEdit(
    title="Credit part of an invoice",
    role="accountant",
    goal="to credit selected lines of a sent invoice",
    benefit="wrong lines are corrected",
    criteria=(Criterion("a sent invoice with 3 lines", "I credit line 2", "a credit note exists"),),
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return migrated_template(tmp_path_factory.mktemp("db"))


@pytest.fixture
def world(tmp_path: Path, template: Path) -> Iterator[Stories]:
    stories = build_stories(tmp_path, template)
    yield stories
    stories.db.dispose()


@pytest.fixture
def drafted(world: Stories) -> list[StoryView]:
    note_id = world.draft(NOTES, TWO_STORIES)
    world.publisher.shown.clear()
    return list(world.stories.batch(note_id).stories)


def test_a_reviewer_approves_and_the_card_summary_and_index_follow(
    world: Stories, drafted: list[StoryView]
) -> None:
    approved = world.review.approve(drafted[0].id, Actor(REVIEWER))
    assert world.publisher.shown == [] and world.index.stories == []  # stored, not shown yet
    world.review.show_decision(drafted[0].id, world.publisher)

    assert (approved.status, approved.decided_by) == ("approved", REVIEWER)
    card, summary = world.publisher.shown
    assert card.kind == "card_update" and card.detail.status == "approved"
    assert summary.kind == "batch" and summary.detail.summary.approved == 1
    [(indexed, channel, private)] = world.index.stories
    assert (indexed.id, channel, private) == (drafted[0].id, TEAM_CHANNEL, False)
    assert [s.id for s in world.stories.approved("acme")] == [drafted[0].id]


def test_someone_else_is_refused_and_nothing_changes(
    world: Stories, drafted: list[StoryView]
) -> None:
    for attempt in (
        lambda: world.review.approve(drafted[0].id, Actor("U0DEV")),
        lambda: world.review.reject(drafted[0].id, Actor("U0DEV"), "no"),
        lambda: world.review.edit(drafted[0].id, Actor("U0DEV"), EDIT),
        lambda: world.review.open_for_review(drafted[0].id, Actor("U0DEV")),
    ):
        with pytest.raises(NotAllowed, match="Only the reviewers of Acme Invoicing"):
            attempt()

    assert world.stories.story(drafted[0].id).status == "draft"
    assert world.publisher.shown == [] and world.index.stories == []


def test_the_command_line_acts_as_an_administrator(
    world: Stories, drafted: list[StoryView]
) -> None:
    approved = world.review.approve(drafted[1].id, Actor.cli())
    assert approved.status == "approved"


def test_a_story_is_decided_once(world: Stories, drafted: list[StoryView]) -> None:
    world.review.approve(drafted[0].id, Actor(REVIEWER))

    with pytest.raises(BotError) as second:
        world.review.approve(drafted[0].id, Actor("U0PO"))
    assert "already approved by <@U0APO>" in second.value.user_message


def test_an_approved_story_may_still_be_edited_or_rejected_but_a_rejected_one_not(
    world: Stories, drafted: list[StoryView]
) -> None:
    """After approval the story may be in the tracker already: an edit updates its issue, a
    rejection offers to close it. A rejected story stays rejected."""
    world.review.approve(drafted[0].id, Actor(REVIEWER))
    world.review.show_decision(drafted[0].id, world.publisher)
    assert world.review.open_for_review(drafted[0].id, Actor("U0PO")).status == "approved"

    edited = world.review.edit(drafted[0].id, Actor("U0PO"), EDIT)
    assert (edited.title, edited.status) == ("Credit part of an invoice", "approved")
    with pytest.raises(BotError) as stale:  # a reject form opened on the draft, before approval
        world.review.reject(drafted[0].id, Actor("U0PO"), "Too big")
    assert "already approved by <@U0APO>" in stale.value.user_message
    rejected = world.review.reject(
        drafted[0].id, Actor("U0PO"), "Duplicate of the epic", seen="approved"
    )
    world.review.show_decision(drafted[0].id, world.publisher)

    assert rejected.status == "rejected" and world.index.stories == []  # out of the index
    with pytest.raises(BotError, match="already rejected; it can't be changed"):
        world.review.open_for_review(drafted[0].id, Actor("U0PO"))
    with pytest.raises(BotError, match="already rejected; it can't be edited"):
        world.review.edit(drafted[0].id, Actor("U0PO"), EDIT)
    with pytest.raises(BotError) as approve_again:
        world.review.approve(drafted[0].id, Actor("U0PO"))
    assert "already rejected by <@U0PO>" in approve_again.value.user_message


def test_reject_keeps_the_reason_and_closes_the_form_before_redrawing(
    world: Stories, drafted: list[StoryView]
) -> None:
    rejected = world.review.reject(drafted[1].id, Actor(REVIEWER), "Portal is out of scope")
    assert world.publisher.shown == []  # the form closes on this; the redraw comes after
    world.review.show_decision(drafted[1].id, world.publisher)

    assert (rejected.status, rejected.reject_reason) == ("rejected", "Portal is out of scope")
    assert [s.kind for s in world.publisher.shown] == ["card_update", "batch"]
    assert world.index.stories == []  # only approved stories become knowledge


def test_an_edit_is_stored_and_checked_again(world: Stories, drafted: list[StoryView]) -> None:
    vague = StoryEdit(**{**EDIT.__dict__, "goal": "to credit invoices quickly and easily"})

    edited = world.review.edit(drafted[0].id, Actor(REVIEWER), vague)
    world.review.show_decision(drafted[0].id, world.publisher)

    assert edited.title == "Credit part of an invoice" and edited.status == "draft"
    assert edited.criteria == EDIT.criteria
    assert edited.verified_quotes == drafted[0].verified_quotes  # the grounds stay
    assert "unambiguous" in {f.check for f in edited.findings}
    assert [s.kind for s in world.publisher.shown] == ["card_update", "batch"]


def test_a_failing_index_does_not_undo_the_approval(
    world: Stories, drafted: list[StoryView]
) -> None:
    world.index.fail = True

    approved = world.review.approve(drafted[0].id, Actor(REVIEWER))
    world.review.show_decision(drafted[0].id, world.publisher)

    assert approved.status == "approved"
    assert world.stories.story(drafted[0].id).status == "approved"
    assert [s.kind for s in world.publisher.shown] == ["card_update", "batch"]
