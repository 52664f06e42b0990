"""Needs, open items and chatter in meeting notes: sentence patterns in English and Norwegian."""

from __future__ import annotations

import pytest

from bot.quality import Criterion, StoryDraft, open_items, uncovered_needs
from bot.quality.coverage import states_need


@pytest.mark.parametrize(
    "sentence",
    [
        "And export the list to Excel for payroll.",
        "Also show the due date on the reminder.",
        "Og send en kvittering til kunden.",
        "Plus, sort the stops by planned time.",
        "Show the booking number on the welcome screen.",
        "Oh, and print the label with the address.",
    ],
)
def test_imperative_after_a_conjunction_or_filler_is_a_need(sentence: str) -> None:
    assert states_need(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Vi skal ikke lage en egen app for foreldrene.",
        "We are not going to build a forum for tenants.",
        "We're not building single sign-on this round.",
        "Vi lager ikke noen chat mellom sjåførene.",
        "Kari ba om mørk modus, men det er utenfor denne leveransen.",
        "Per asked for a forum, but that is outside the scope of this project.",
        "Welcome, everyone!",
    ],
)
def test_team_decisions_not_to_build_and_out_of_scope_requests_are_not_needs(
    sentence: str,
) -> None:
    assert not states_need(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Systemet skal ikke vise personnummer i listen.",
        "The app must not show the patient's full name on the lock screen.",
        "Vi skal ikke måtte ringe kontoret for å få portkoden.",
        "Drivers want to get back to the route list with one tap.",
        "Kunden må kunne finne ut om pakken er levert.",
        "Teknikeren må undersøke anlegget og registrere avvik.",
        "Dispatchers want to look into the delivery history of a van.",
    ],
)
def test_a_negative_requirement_on_the_product_is_still_a_need(sentence: str) -> None:
    """Also needs phrased with the words of the team's own decisions and open points."""
    assert states_need(sentence)


@pytest.mark.parametrize(
    "notes",
    [
        "Om lærerne skal kunne se karakterene, må vi komme tilbake til.",
        "We'll get back to you on whether refunds are automatic.",
        "Hvem som skal godkjenne overtid, må vi se nærmere på.",
        "We need to look into whether the scanner can read QR codes.",
    ],
)
def test_points_left_for_later_clarification_are_open_items(notes: str) -> None:
    assert open_items(notes) == [notes]


@pytest.mark.parametrize(
    "notes",
    [
        "Ok, are we recording?",
        "Sorry, you froze, the red button?\nYes, the red one.",
        "Sorry, you broke up there, which depot?\nBergen.",
        "Hører dere meg nå?",
        "What about refunds?\nRefunds we skip for now, not in this release.",
        "Should the invoice show VAT?\nYes, always with VAT.",
        "Skal kvitteringen vise mva?\nJa, alltid.",
    ],
)
def test_chatter_clarifications_and_questions_answered_on_the_spot_are_not_open(
    notes: str,
) -> None:
    assert open_items(notes) == []


def test_offline_and_without_coverage_mean_the_same_need() -> None:
    notes = "Oh, one more thing, the inspection app must work offline in the basement."
    story = StoryDraft(
        "t",
        "inspector",
        "use the inspection app without network coverage",
        "",
        (Criterion("no network", "I save a report", "the report is saved"),),
    )
    assert uncovered_needs(notes, [story]) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "Patients keep calling to move their appointments.",
        "The drivers keep asking the office for door codes.",
        "Sjåførene ringer kontoret hele tiden for å få portkoden.",
        "Ideally the report is sent automatically on Mondays.",
        "Helst skal rapporten sendes automatisk hver mandag.",
        "Yes, send a reminder the day before the appointment.",
        "Ja, vis saldoen øverst.",
    ],
)
def test_recurring_problems_preferences_and_agreed_imperatives_are_needs(sentence: str) -> None:
    assert states_need(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Sales keep growing every month.",
        "Vi får stadig flere kunder.",
        "We cut out the paper form last year.",
    ],
)
def test_status_updates_with_recurring_words_are_not_needs(sentence: str) -> None:
    assert not states_need(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Det vet vi ikke ennå.",
        "Nobody knew whether the scanner works with gloves.",
        "We don't know if the bank supports instant transfers.",
        "Ingen visste om kortet kan sperres i appen.",
    ],
)
def test_unknowns_are_open_items(sentence: str) -> None:
    assert open_items(sentence) == [sentence]


def test_a_question_whose_reply_is_unsure_stays_open() -> None:
    notes = "Do we support Apple Pay?\nNo idea, we need to check with the bank."
    assert open_items(notes) == notes.split("\n")


def test_a_request_left_open_by_the_reply_is_an_open_item() -> None:
    notes = "Uh, can the app show waiting times too?\nGood question, we'll get back to you on that."
    assert open_items(notes) == notes.split("\n")
    assert uncovered_needs(notes, []) == []


def test_a_need_whose_subject_is_the_storys_role_is_covered_by_its_goal() -> None:
    notes = "Pasientene må kunne avbestille timen i appen.\nTenants keep calling to move visits."
    stories = [
        StoryDraft("t", "pasient", "avbestille en time i appen", "", ()),
        StoryDraft("t", "tenant", "move a visit online", "", ()),
    ]
    assert uncovered_needs(notes, stories) == []
    other = [StoryDraft("t", "pasient", "se timene mine i appen", "", ())]
    assert uncovered_needs(notes, other) == notes.split("\n")


@pytest.mark.parametrize(
    "sentence",
    [
        "Right now tenants don't know when the plumber is coming.",
        "Nurses never see which beds were cleaned.",
        "Ehm, søkerne får ikke beskjed når saken er behandlet.",
        "Sjåførene finner ikke adressen i appen.",
    ],
)
def test_what_people_do_not_get_see_or_know_today_is_a_need(sentence: str) -> None:
    assert states_need(sentence)


@pytest.mark.parametrize(
    "sentence",
    ["The servers don't crash often.", "We don't need a chatbot.", "Kundene bruker ikke kortet."],
)
def test_other_negated_statements_are_not_needs(sentence: str) -> None:
    assert not states_need(sentence)


def test_a_quote_of_the_main_clause_covers_the_sentence_with_its_qualification() -> None:
    notes = "Show the waiting time per queue, at least for the busiest counters."
    story = StoryDraft(
        "t", "visitor", "see the waiting time", "", (), ("Show the waiting time per queue",)
    )
    assert uncovered_needs(notes, [story]) == []


def test_a_goal_that_shortens_a_compound_covers_the_need() -> None:
    notes = "Members must be able to report lost property to the front desk."
    story = StoryDraft("t", "member", "report property I have lost to the desk", "", ())
    assert uncovered_needs(notes, [story]) == []
