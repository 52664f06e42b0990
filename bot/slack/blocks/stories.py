"""Messages of a drafted batch: the placeholder while drafting, the batch summary, a failure with
Retry; each story's review card is built in :mod:`story_card` (one message per story: a batch
rarely fits one 50-block message).

Each builder returns `(text, blocks)`: `text` is the notification and screen-reader fallback, so
it is escaped like the blocks (a fallback with `<!channel>` in it would ping the channel too).
"""

from __future__ import annotations

from datetime import date

from bot.domain.stories import BatchView
from bot.slack.blocks import ids
from bot.slack.blocks.common import (
    MAX_BLOCKS,
    Block,
    actions,
    bullets,
    button,
    context,
    header,
    safe_line,
    section,
    user_ref,
)
from bot.slack.text import escape, truncate

MAX_BATCH_ITEMS = 10
NEEDS_TITLE = (
    ":mag: *Needs no story covers*\n_The notes ask for these, but no story in this thread serves "
    "them: draft one or drop them._"
)
QUESTIONS_TITLE = (
    ":question: *Open questions for the client*\n_Left open or undecided in the notes, or asked "
    "while drafting._"
)


def _whose_notes(author_id: str | None) -> str:
    return f"{user_ref(author_id)}'s notes" if author_id else "the notes"


def drafting_message(
    project_name: str, author_id: str | None, note_title: str, progress: str
) -> tuple[str, list[Block]]:
    """The placeholder posted at once, then updated as drafting goes ("Drafting part 2 of 3…").

    Posting it before the slow work tells the person their notes arrived; its thread is where the
    drafts will appear.
    """
    project = escape(project_name)
    line = f"Drafting user stories from {_whose_notes(author_id)} for *{project}*…"
    detail = escape(progress)
    if note_title.strip():
        detail = f"*{safe_line(note_title, 300)}* · {detail}"
    blocks = [section(f":hourglass_flowing_sand: {line}"), context(detail)]
    return f"Drafting user stories for {project}… {escape(progress)}", blocks


def batch_message(batch: BatchView) -> tuple[str, list[Block]]:
    """The top message of a finished batch: counts, the needs no story covers, and what the
    notes left open for the client (each list capped, with "…and N more")."""
    s = batch.summary
    project = escape(batch.project_name)
    title = " ".join(batch.title.split()) or "Meeting notes"
    origin = f"From {_whose_notes(batch.author_id)} for *{project}*"
    if batch.meeting_date:
        origin += f" · meeting of {_day(batch.meeting_date)}"
    counts = (
        f"{s.drafted} drafted · {s.approved} approved · {s.rejected} rejected · {s.waiting} waiting"
    )
    blocks: list[Block] = [
        header(f"User stories: {escape(title)}"),
        section(origin),
        section(f"*{counts}*"),
    ]
    if not batch.stories:
        blocks.append(
            section(
                ":grey_question: I found no user stories in these notes. If they do ask for "
                "something, say who needs it and what they need, and run `/story` again."
            )
        )
    # Needs and open questions call for different people: the reviewers draft or drop a need,
    # the client answers a question. Two lists, each saying which it is.
    lists = (
        (NEEDS_TITLE, batch.uncovered_needs),
        (QUESTIONS_TITLE, batch.open_questions),
        (":no_entry_sign: *Out of scope*", batch.out_of_scope),
    )
    for list_title, items in lists:
        blocks += bullets(list_title, items, cap=MAX_BATCH_ITEMS)
    if batch.stories:
        blocks.append(context("Each story follows in this thread, with Approve, Edit and Reject."))
    if batch.offer_push and batch.unsent:
        n = batch.unsent
        label = f"Send {n} approved stor{'y' if n == 1 else 'ies'} to {batch.offer_push}"
        blocks.append(
            actions(
                [button(label, ids.BATCH_PUSH, str(batch.note_id), style="primary")],
                block_id=f"push-batch:{batch.note_id}",
            )
        )
    text = f"User stories for {project}: {safe_line(title, 200)} ({counts})"
    return text, blocks[:MAX_BLOCKS]


def failure_message(project_name: str, problem: str, note_id: int) -> tuple[str, list[Block]]:
    """What went wrong and a Retry button; the notes were saved first, so nothing is lost.

    `problem` is a BotError's user_message (text we wrote, which may carry our own formatting),
    so it is only cut to size, not escaped.
    """
    project = escape(project_name)
    blocks = [
        section(
            f":warning: I couldn't draft user stories for *{project}*.\n{truncate(problem, 2500)}"
        ),
        context("Your notes are saved. *Retry* drafts them again from the saved copy."),
        actions(
            [button("Retry", ids.NOTES_RETRY, str(note_id), style="primary")],
            block_id=f"notes:{note_id}",
        ),
    ]
    return f"I couldn't draft user stories for {project}. Your notes are saved.", blocks


def _day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"
