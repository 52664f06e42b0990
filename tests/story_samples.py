"""Realistic stories and batches for the Block Kit tests (Norwegian quotes included)."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.domain.stories import BatchView, Criterion, FindingView, StoryView

HOSTILE = "Ping <!channel> and <@U123> & <!here>"

NORWEGIAN_QUOTES = (
    "Resepsjonen må kunne se alle dagens timer på én skjerm før klinikken åpner kl. 07:30.",
    "Pasienter skal få SMS-påminnelse dagen før, på bokmål eller engelsk.",
)


def make_story(**changes: Any) -> StoryView:
    story = StoryView(
        id=17,
        note_id=4,
        project="acme",
        position=2,
        title="See today's appointments at a glance",
        role="clinic receptionist",
        goal="to see all of today's appointments on one screen",
        benefit="I can prepare the rooms before the clinic opens",
        criteria=(
            Criterion(
                given="the receptionist is logged in",
                when="she opens the day view",
                then="she sees every appointment for today sorted by time",
            ),
            Criterion(
                given="there are no appointments today",
                when="she opens the day view",
                then="she sees the message “Ingen timer i dag”",
            ),
        ),
        verified_quotes=NORWEGIAN_QUOTES,
        missing_quotes=(),
        open_questions=("Should cancelled appointments be shown greyed out?",),
        dependencies=("1. Log in with BankID",),
        findings=(
            FindingView("unambiguous", "warning", "“at a glance” is vague"),
            FindingView("well-formed", "error", "The benefit repeats the goal"),
            FindingView("estimatable", "info", "Small story"),
        ),
    )
    return StoryView(**{**story.__dict__, **changes})


def huge_story(**changes: Any) -> StoryView:
    criteria = tuple(
        Criterion(
            f"scenario {n} precondition: the receptionist has the weekly calendar open",
            f"the user does step {n}",
            f"result {n} shows",
        )
        for n in range(1, 31)
    )
    quotes = tuple(
        f"Sitat {n}: brukeren må kunne lagre skjemaet på én gang ({'æøå ' * 40})" for n in range(20)
    )
    goal = " ".join(["to register every detail of the patient's journey"] * 101)  # over 5,000 chars
    assert len(goal) >= 5000
    big = {"criteria": criteria, "verified_quotes": quotes, "goal": goal, "title": "T" * 200}
    return make_story(**{**big, **changes})


def make_batch(**changes: Any) -> BatchView:
    stories = (
        make_story(id=1, position=1, status="approved", decided_by="U1"),
        make_story(id=2, position=2, status="rejected", decided_by="U1", reject_reason="No"),
        make_story(id=3, position=3),
    )
    batch = BatchView(
        note_id=4,
        project="acme",
        project_name="Acme Clinic",
        title="Mandagsmøte med kunden",
        meeting_date=date(2025, 3, 3),
        author_id="UAUTHOR",
        stories=stories,
        open_questions=tuple(f"Spørsmål {n}: gjelder dette også for tannleger?" for n in range(40)),
        out_of_scope=("Betaling i appen",),
        uncovered_needs=("Vi trenger også en eksport til Excel.",),
    )
    return BatchView(**{**batch.__dict__, **changes})
