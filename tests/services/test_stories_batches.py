"""The drafting batch's rules, on the service: repeats, concurrency, failures and Retry,
missing cards, restarts, who may draft from the notes form, and what the batch leaves open."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.domain import Actor, MessageRef, utc_now
from bot.domain.stories import StoryView
from bot.errors import LLMTimeout, NotAllowed
from bot.services.stories.batches import CARDS_MISSING, INTERRUPTED, STALE_CARD
from bot.services.stories.intake import NotesRejected, NotesSubmission, ReceivedNotes
from tests.fakes import FakeBatchPublisher
from tests.harness.app_server import CLIENT_CHANNEL, PRIVATE_CHANNEL, REVIEWER, TEAM_CHANNEL
from tests.services.stories_setup import Stories, build_stories, migrated_template
from tests.story_e2e import NOTES_EN, batch, scripted, story

QUOTE = "The accountant wants to export the monthly report to PDF."
ONE_STORY = batch(story("Export report", "to export the monthly report to PDF", [QUOTE]))
TWO_STORIES = batch(
    story("Export report", "to export the monthly report to PDF", [QUOTE]),
    story("Email report", "to email the monthly report", ["email it to the client"]),
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return migrated_template(tmp_path_factory.mktemp("db"))


@pytest.fixture
def world(tmp_path: Path, template: Path) -> Iterator[Stories]:
    stories = build_stories(tmp_path, template)
    yield stories
    stories.db.dispose()


def test_a_batch_shows_progress_then_cards_in_its_thread_then_the_summary(
    world: Stories,
) -> None:
    answer = scripted("draft_en.json")
    world.chat.queue(answer)
    note_id = world.receive(NOTES_EN)

    drafted = world.stories.run_batch(note_id, world.publisher, channel=TEAM_CHANNEL)

    assert drafted is not None and len(drafted.stories) == len(answer["stories"])
    [posted] = world.publisher.of("posted")
    assert posted.where.channel == TEAM_CHANNEL and posted.detail == "Reading the notes…"
    steps = [s.detail for s in world.publisher.of("progress")]
    assert steps == ["Drafting…", "Checking the drafts…"]
    cards = world.publisher.of("card")
    assert [c.detail.title for c in cards] == [s["title"] for s in answer["stories"]]
    [summary] = world.publisher.of("batch")
    assert summary.where == posted.where and summary.detail.summary.drafted == len(cards)
    assert world.publisher.shown[-1].kind == "batch"
    assert NOTES_EN.strip() in world.chat.prompts[0].text
    assert world.index.notes == [(note_id, TEAM_CHANNEL, False)]


def test_a_repeated_delivery_is_the_same_note_and_only_the_first_drafts(world: Stories) -> None:
    def deliver(trigger: str) -> ReceivedNotes:
        submission = NotesSubmission("acme", QUOTE, "inline", "U0DEV", TEAM_CHANNEL)
        return world.notes.receive(replace(submission, delivery_id=trigger))

    first, again, other = deliver("T.9"), deliver("T.9"), deliver("T.10")

    assert first.created and not again.created and other.created
    assert again.note_id == first.note_id and other.note_id != first.note_id


def test_unusable_notes_are_refused_before_storing(world: Stories) -> None:
    with pytest.raises(NotesRejected, match="no words"):
        world.receive(":tada: :rocket:")


def test_a_note_another_replica_is_drafting_gives_nothing(world: Stories) -> None:
    note_id = world.receive(QUOTE)
    assert world.store.start_drafting(note_id, private=None) is not None  # the other replica

    assert world.stories.run_batch(note_id, world.publisher, channel=TEAM_CHANNEL) is None

    assert [s.kind for s in world.publisher.shown] == ["posted"]
    assert not world.chat.prompts


def test_model_failure_shows_it_keeps_the_notes_and_retry_drafts_them(world: Stories) -> None:
    world.chat.queue(LLMTimeout("The language model did not answer in time."))
    note_id = world.receive(QUOTE)

    assert world.stories.run_batch(note_id, world.publisher, channel=TEAM_CHANNEL) is None

    [failure] = world.publisher.of("failure")
    assert "did not answer in time" in failure.detail
    note, stories = world.store.batch(note_id)
    assert (note.status, note.text, stories) == ("failed", QUOTE, [])

    world.chat.queue(ONE_STORY)
    retried = world.stories.run_batch(note_id, world.publisher, channel=CLIENT_CHANNEL)

    assert retried is not None and [s.title for s in retried.stories] == ["Export report"]
    [posted] = world.publisher.of("posted")  # Retry reuses the first message
    [card] = world.publisher.of("card")
    assert card.where.channel == TEAM_CHANNEL
    assert world.publisher.of("batch")[-1].where == posted.where


def test_refused_cards_fail_the_batch_and_retry_posts_only_the_missing_ones(
    world: Stories,
) -> None:
    world.chat.queue(TWO_STORIES)
    note_id = world.receive(QUOTE)
    world.publisher.refuse_cards = 1

    assert world.stories.run_batch(note_id, world.publisher, channel=TEAM_CHANNEL) is None

    [failure] = world.publisher.of("failure")
    assert failure.detail == CARDS_MISSING
    assert len(world.stories.batch(note_id).stories) == 2  # stored all the same
    assert world.publisher.of("card") == []

    again = world.stories.run_batch(note_id, world.publisher, channel=TEAM_CHANNEL)

    assert again is not None
    assert [c.detail.title for c in world.publisher.of("card")] == ["Export report", "Email report"]
    assert len(world.chat.prompts) == 1  # the stored stories were not drafted again
    world.stories.run_batch(note_id, world.publisher, channel=TEAM_CHANNEL)
    assert len(world.publisher.of("card")) == 2  # every card is there: none posted twice


def test_a_restart_turns_interrupted_drafts_into_retries(world: Stories) -> None:
    placed = world.receive(QUOTE, delivery="T.1")
    unplaced = world.receive(QUOTE, delivery="T.2")
    world.store.set_placement(placed, MessageRef(TEAM_CHANNEL, "1700000300.000100"))
    for note_id in (placed, unplaced):
        world.store.start_drafting(note_id, private=None)  # then the process "dies"
    world.clock.now = utc_now()  # the store stamps rows with the real time

    world.stories.show_interrupted(world.publisher)

    [failure] = world.publisher.shown
    assert failure.kind == "failure" and failure.detail == INTERRUPTED
    assert failure.where == MessageRef(TEAM_CHANNEL, "1700000300.000100")
    assert world.store.batch(unplaced)[0].status == "failed"
    world.chat.queue(ONE_STORY)
    assert world.stories.run_batch(placed, world.publisher, channel=TEAM_CHANNEL)
    assert len(world.publisher.of("card")) == 1


def test_notes_from_a_private_channel_stay_private(world: Stories) -> None:
    world.publisher.private_channels.add(PRIVATE_CHANNEL)
    world.chat.queue(ONE_STORY)
    note_id = world.receive(QUOTE, channel=PRIVATE_CHANNEL)

    world.stories.run_batch(note_id, world.publisher, channel=PRIVATE_CHANNEL)

    assert world.index.notes == [(note_id, PRIVATE_CHANNEL, True)]
    assert world.store.batch(note_id)[0].private


def test_the_notes_form_offers_only_projects_one_may_draft_into(world: Stories) -> None:
    here = world.notes.notes_form(Actor("U0DEV"), TEAM_CHANNEL)
    assert [p.key for p in here.projects] == ["acme"]
    assert here.today == world.clock.now.date()
    elsewhere = world.notes.notes_form(Actor(REVIEWER), "C0ELSEWHERE")
    assert [p.key for p in elsewhere.projects] == ["acme"]
    with pytest.raises(NotAllowed):
        world.notes.notes_form(Actor("U0DEV"), "C0ELSEWHERE")


def test_drafts_from_the_notes_form_go_to_a_channel_of_the_project(world: Stories) -> None:
    destination = world.notes.notes_destination
    assert destination(Actor("U0DEV"), "acme", TEAM_CHANNEL) == TEAM_CHANNEL
    assert destination(Actor(REVIEWER), "acme", "C0ELSEWHERE") == CLIENT_CHANNEL
    assert destination(Actor(REVIEWER), "acme", None) == CLIENT_CHANNEL
    with pytest.raises(NotAllowed):
        destination(Actor("U0DEV"), "acme", "C0ELSEWHERE")
    with pytest.raises(NotAllowed):
        destination(Actor(REVIEWER), "globex", TEAM_CHANNEL)


MEETING = (
    "The accountant wants to export the monthly report to PDF.\n"
    "Should the report include cancelled invoices?\n"
    "Whether reminders go out by SMS is still undecided.\n"
    "The warehouse team needs to print packing slips.\n"
    "Vi har ikke bestemt om rapporten skal sendes på e-post."
)


def test_open_items_of_the_notes_join_the_models_questions_once(world: Stories) -> None:
    answer = {
        **ONE_STORY,
        "questions_for_client": [
            "Should cancelled invoices be part of the monthly report?",  # restates the notes
            "Which currency does the PDF use?",
        ],
    }

    note_id = world.draft(MEETING, answer)

    drafted = world.stories.batch(note_id)
    assert drafted.open_questions == (
        "Should cancelled invoices be part of the monthly report?",
        "Which currency does the PDF use?",
        "Whether reminders go out by SMS is still undecided.",
        "Vi har ikke bestemt om rapporten skal sendes på e-post.",
    )
    # the needs no story covers stay a list of their own, with no question in it
    assert drafted.uncovered_needs == ("The warehouse team needs to print packing slips.",)
    [summary] = world.publisher.of("batch")
    assert summary.detail.open_questions == drafted.open_questions


def test_without_model_questions_the_open_items_are_the_questions(world: Stories) -> None:
    note_id = world.draft(MEETING, ONE_STORY)

    assert world.stories.batch(note_id).open_questions == (
        "Should the report include cancelled invoices?",
        "Whether reminders go out by SMS is still undecided.",
        "Vi har ikke bestemt om rapporten skal sendes på e-post.",
    )


def test_notes_are_indexed_only_after_a_draft_with_stories(world: Stories) -> None:
    world.chat.queue(LLMTimeout("the model did not answer"))
    failed = world.receive(QUOTE, delivery="T.failed")
    world.stories.run_batch(failed, world.publisher, channel=TEAM_CHANNEL)
    world.draft("hello", batch())

    assert world.index.notes == []  # neither the failed draft nor the empty one

    drafted = world.draft(QUOTE, ONE_STORY)
    assert [n[0] for n in world.index.notes] == [drafted]


def test_notes_from_a_deleted_message_leave_the_index(world: Stories) -> None:
    world.chat.queue(ONE_STORY)
    submission = NotesSubmission(
        project="acme",
        text=QUOTE,
        source="message",
        author_id="U0DEV",
        channel_id=TEAM_CHANNEL,
        delivery_id=f"{TEAM_CHANNEL}:1.5",
        source_ts="1.5",
    )
    note_id = world.notes.receive(submission).note_id
    world.stories.run_batch(note_id, world.publisher, channel=TEAM_CHANNEL)
    assert [n[0] for n in world.index.notes] == [note_id]

    world.stories.revise_from_message(MessageRef(TEAM_CHANNEL, "1.5"), None)

    assert world.index.notes == []
    note, stories = world.store.batch(note_id)
    assert note.status == "removed" and len(stories) == 1  # reviewed work stays


class PressedAgainWhilePosting(FakeBatchPublisher):
    """A publisher during whose first card post a second Retry press runs the batch in full:
    the moment two concurrent presses overlap (deterministically, without threads)."""

    def __init__(self, press_again: Callable[[], object]) -> None:
        super().__init__()
        self._press_again: Callable[[], object] | None = press_again

    def post_card(self, thread: MessageRef, story: StoryView) -> MessageRef:
        if self._press_again is not None:
            press, self._press_again = self._press_again, None
            press()
        return super().post_card(thread, story)


def test_two_retry_presses_at_once_post_each_missing_card_once(world: Stories) -> None:
    world.chat.queue(TWO_STORIES)
    note_id = world.receive(QUOTE)
    world.publisher.refuse_cards = 2
    assert world.stories.run_batch(note_id, world.publisher, channel=TEAM_CHANNEL) is None

    publisher = PressedAgainWhilePosting(
        lambda: world.stories.run_batch(note_id, publisher, channel=TEAM_CHANNEL)
    )
    world.stories.run_batch(note_id, publisher, channel=TEAM_CHANNEL)

    titles = sorted(c.detail.title for c in publisher.of("card"))
    assert titles == ["Email report", "Export report"]  # each card once, none lost
    stored = world.store.batch(note_id)[1]
    assert len({s.card for s in stored}) == 2 and all(s.card for s in stored)
    assert len(world.chat.prompts) == 1


def test_a_card_claim_left_by_a_dead_run_is_taken_over_once_stale(world: Stories) -> None:
    world.chat.queue(ONE_STORY)
    note_id = world.receive(QUOTE)
    world.publisher.refuse_cards = 1
    assert world.stories.run_batch(note_id, world.publisher, channel=TEAM_CHANNEL) is None
    [stored] = world.store.batch(note_id)[1]
    now = utc_now()
    assert world.store.claim_card(stored.id, now=now, stale_before=now - STALE_CARD)
    # ... and that run died before posting. A Retry now must not post it beside that run:
    world.clock.now = now
    world.stories.run_batch(note_id, world.publisher, channel=TEAM_CHANNEL)
    assert world.publisher.of("card") == []
    # Once the claim is stale, Retry posts the card.
    world.clock.now = now + STALE_CARD + timedelta(seconds=1)
    world.stories.run_batch(note_id, world.publisher, channel=TEAM_CHANNEL)
    assert [c.detail.title for c in world.publisher.of("card")] == ["Export report"]
