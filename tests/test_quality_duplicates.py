"""Paraphrase duplicates: translations, compounds, numerals and filler words do not hide them."""

from __future__ import annotations

import pytest

from bot.quality import Criterion, StoryDraft, find_duplicates
from bot.quality.synonyms import canonical, canonical_parts

CRITERIA = (Criterion("a booking exists", "I open it", "the booking is shown"),)


def draft(goal: str, role: str) -> StoryDraft:
    return StoryDraft("t", role, goal, "", CRITERIA)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # A Norwegian compound names what the English phrase names in two words.
        (
            draft("to see all bookings in a calendar", "receptionist"),
            draft("å se bookingene i en kalendervisning", "resepsjonist"),
        ),
        # Cognates and common document words across the languages.
        (
            draft("to sign the rental contract digitally", "tenant"),
            draft("å signere leiekontrakten elektronisk", "leietaker"),
        ),
        # A vague manner phrase and a genitive -s carry no extra need.
        (
            draft("to copy the previous month's budget", "controller"),
            draft("å kopiere forrige måneds budsjett på en smidig måte", "controller"),
        ),
        # An abbreviation against its long form, and "on the way" / "på vei".
        (
            draft("to get an SMS with the ETA when the technician is on the way", "customer"),
            draft("å få SMS med forventet ankomsttid når teknikeren er på vei", "kunde"),
        ),
        # Finished / completed, and quantifiers ("each", "all") that add nothing.
        (
            draft("to see which tasks are finished for each project", "project lead"),
            draft("to view all completed tasks per project", "project lead"),
        ),
        # "gate code" and "portkoden": an entry word and a compound.
        (
            draft("to see the gate code for the customer's address", "courier"),
            draft("å se portkoden til kundens adresse", "bud"),
        ),
        # Applying ("søke om") is not searching, and sending an application is applying.
        (
            draft("to apply for holiday in the summer", "employee"),
            draft("å sende søknad om sommerferie", "ansatt"),
        ),
        # Numerals in words and a role named by a compound in the other language.
        (
            draft("to cancel one match", "football club"),
            draft("å avlyse én kamp", "fotballklubb"),
        ),
        # After an article a verb form names a thing: "an SMS reminder" is being reminded.
        (
            draft("to get an SMS reminder the day before the delivery", "customer"),
            draft("to be reminded by SMS the day before the delivery", "customer"),
        ),
        # "en enkelt" is "a single", not a vague word, so it must match "single".
        (
            draft("to cancel a single appointment", "patient"),
            draft("å avbestille en enkelt timeavtale", "pasient"),
        ),
        # Everyday words of banking, retail, support and claims, across the languages.
        (
            draft("to see the balance on my card", "customer"),
            draft("å se saldoen på kortet mitt", "kunde"),
        ),
        (
            draft("to return an item to the shop", "customer"),
            draft("å returnere en vare til butikken", "kunde"),
        ),
        (
            draft("to attach a photo to my claim", "customer"),
            draft("å legge ved et bilde i skademeldingen", "kunde"),
        ),
        (
            draft("to escalate a ticket to my manager", "support agent"),
            draft("å eskalere en sak til lederen min", "saksbehandler"),
        ),
        # A number stated on one side only is a detail the other left out.
        (
            draft("to be reminded two hours before my appointment", "patient"),
            draft("to get a reminder before my appointment", "patient"),
        ),
        (
            draft("to be told when a new team member starts", "team lead"),
            draft("to be told when a new colleague starts", "team lead"),
        ),
        # Roles named by a compound or a different title for the same job.
        (
            draft("to approve holiday requests from my team", "team lead"),
            draft("å godkjenne ferieønsker fra teamet mitt", "teamleder"),
        ),
        (
            draft("to see all open claims", "claims handler"),
            draft("å se alle åpne skademeldinger", "skadebehandler"),
        ),
        # A light verb and a quantifier: "get … every week" says what "receive a weekly …" says.
        (
            draft("to get an email every week that lists all open orders", "buyer"),
            draft("to receive a weekly summary email of open orders", "buyer"),
        ),
    ],
)
def test_paraphrases_across_wording_and_language_are_duplicates(
    first: StoryDraft, second: StoryDraft
) -> None:
    [match] = find_duplicates([first, second])
    assert (match.index, match.other_index) == (0, 1)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (
            draft("å kopiere forrige ukes vaktplan", "leder"),
            draft("å slette forrige ukes vaktplan", "leder"),
        ),
        (
            draft("to get an SMS when the technician is on the way", "customer"),
            draft("to get an email when the technician is on the way", "customer"),
        ),
        (
            draft("to sign the rental contract electronically", "tenant"),
            draft("to terminate the rental contract electronically", "tenant"),
        ),
        (
            draft("to see invoices more than 30 days overdue", "accountant"),
            draft("to see invoices more than 60 days overdue", "accountant"),
        ),
        (
            draft("to be reminded one day before the appointment", "patient"),
            draft("to be reminded three days before the appointment", "patient"),
        ),
        (
            draft("to book a tennis court for Monday evening", "member"),
            draft("to cancel a tennis court booking for Monday evening", "member"),
        ),
        (
            draft("to see the training schedule for the season", "coach"),
            draft("to book a hall for the season", "coach"),
        ),
        (
            draft("å søke etter ledige haller", "idrettslag"),
            draft("å søke om tid i en hall", "idrettslag"),
        ),
    ],
)
def test_stories_that_differ_in_action_object_or_number_are_not_duplicates(
    first: StoryDraft, second: StoryDraft
) -> None:
    assert find_duplicates([first, second]) == []


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("kalendervisning", ("calendar", "see")),
        ("leiekontrakten", ("rent", "contract")),
        ("portkoden", ("door", "code")),
        ("sommerferie", ("summer", "holiday")),
        ("sykefravær", ("sick", "absence")),
        ("teamleder", ("lead",)),
    ],
)
def test_compounds_split_into_known_parts(word: str, parts: tuple[str, ...]) -> None:
    """Tail first, on the word and its stem, without a linking -s- or -e- ("syke|fravær")."""
    assert canonical_parts(word) == tuple(canonical(part) for part in parts)


def test_short_english_words_are_not_split() -> None:
    assert len(canonical_parts("welcome")) == 1


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("ukes", "week"),
        ("måneds", "month"),
        ("electronically", "elektronisk"),
        ("én", "one"),
        ("receptionist", "resepsjonist"),
        ("administration", "administrasjon"),
        ("category", "kategori"),
        ("contract", "kontrakt"),
    ],
)
def test_genitives_cognates_and_numerals_share_a_key(a: str, b: str) -> None:
    assert canonical(a) == canonical(b)


def test_a_paraphrase_that_adds_a_detail_is_a_duplicate() -> None:
    first = draft("to choose my seat on a map of the venue", "buyer")
    second = draft("to pick my own seat on the seat map when I pay", "buyer")
    assert [(m.index, m.other_index) for m in find_duplicates([first, second])] == [(0, 1)]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("to print the weekly rota as PDF", "to print the weekly rota as CSV"),
        ("to see the sales per store", "to see the sales per month"),
    ],
)
def test_one_slot_filled_differently_is_two_slices(a: str, b: str) -> None:
    assert find_duplicates([draft(a, "manager"), draft(b, "manager")]) == []
