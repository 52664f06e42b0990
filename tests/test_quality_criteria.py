"""Acceptance criteria: an observable Then, one action per When, a state in the Given."""

from __future__ import annotations

import pytest

from bot.quality import Check, Criterion, StoryDraft, lint_story
from bot.quality.clauses import coordinated_action, given_is_action
from bot.quality.criteria import untestable_then


def scenario(given: str = "a booking exists", when: str = "I open it", then: str = "") -> str:
    story = StoryDraft("t", "member", "to book a court", "", (Criterion(given, when, then),))
    return " | ".join(
        f.message for f in lint_story(story) if f.check in (Check.CRITERIA, Check.TESTABLE)
    )


@pytest.mark.parametrize(
    "then",
    [
        "the dispatcher feels confident about the plan",
        "the driver knows which stop comes next",
        "the tenant understands why the request was refused",
        "the customer is happy with the checkout",
        "the manager is aware of the delay",
        "sjåføren føler seg trygg på ruten",
        "kunden forstår hvorfor betalingen ble avvist",
        "læreren er fornøyd med oversikten",
        "the tenant remembers to pay the rent",
        "the courier notices the new stop",
        "kunden husker avtalen",
        "pasienten er tilfreds med timen",
        "the buyer prefers the new layout",
    ],
)
def test_then_about_feelings_or_knowledge_is_untestable(then: str) -> None:
    assert "feels, knows or intends" in scenario(then=then)


@pytest.mark.parametrize(
    "then",
    [
        "the invoice is never sent twice",
        "the stock level is always correct",
        "no patient record is ever lost",
        "the map is up to date at all times",
        "rapporten er alltid oppdatert",
        "en bestilling blir aldri dobbeltbooket",
        "the driver is warned every time",
        "delivery within two days is guaranteed",
        "kunden kan endre bestillingen når som helst",
        "varselet kommer hver gang",
        "everything is available offline",
        "alt er tilgjengelig i appen",
    ],
)
def test_then_with_an_absolute_claim_is_untestable(then: str) -> None:
    assert "absolute claim" in scenario(then=then)


@pytest.mark.parametrize(
    "then",
    [
        "the change is reflected",
        "the request is processed",
        "the page loads faster",
        "it works correctly",
        "endringen håndteres",
        "søknaden behandles",
        "the customer is informed",
        "kunden blir informert",
        "the delay is followed up",
        "avviket følges opp",
        "data quality is ensured",
    ],
)
def test_then_without_an_observable_object_is_flagged(then: str) -> None:
    assert "names no outcome" in scenario(then=then)


@pytest.mark.parametrize(
    "then",
    [
        "a confirmation email is sent to the customer",
        "the order status changes to Shipped",
        "the list shows 3 overdue invoices",
        "the booking appears in my calendar",
        "the Save button is disabled",
        "the map zooms to the depot",
        "an error message 'You have never logged in' is shown",
        "fakturaen vises med status Betalt",
        "eleven får en melding om fraværet",
        "the total equals the sum of the order lines",
        "the old password no longer works",
        "the system lets me know by email",
        "the app asks whether I want to save the draft",
        "the progress bar shows 100%",
        "I am taken to the secure payment page",
        "timen avbestilles",
        "an easy-to-understand message is shown",
        "the customer is informed by SMS",
        "kunden får en SMS med ny tid",
    ],
)
def test_observable_then_passes(then: str) -> None:
    assert untestable_then(then) is None
    assert scenario(then=then) == ""


@pytest.mark.parametrize(
    "when",
    [
        "I select a date and click Search",
        "the dispatcher opens the map and selects a driver",
        "I enter the amount and press Enter",
        "the accountant opens the invoice and approves it",
        "jeg velger en kunde og trykker på Lagre",
        "sykepleieren åpner journalen og registrerer blodtrykket",
        "I open the list and filter by supplier",
    ],
)
def test_when_with_two_actions_is_flagged(when: str) -> None:
    assert coordinated_action(when)
    assert "does more than one thing" in scenario(when=when, then="a receipt is shown")


@pytest.mark.parametrize(
    "when",
    [
        "the order is approved and the clerk sends it to the client",
        "Kari books slot 3 and then Ola opens the calendar",
        "the timer runs out and the nurse opens the ward list",
        "the file is uploaded and the head of finance approves it",
        "ordren er levert og kunden åpner kvitteringen",
        "Per endrer adressen og deretter åpner Kari kundekortet",
        "timen er flyttet og pasienten mottar en SMS",
    ],
)
def test_when_with_a_second_subject_and_verb_is_flagged(when: str) -> None:
    """Two clauses, each with its own subject: an event and then someone's action."""
    assert coordinated_action(when)
    assert "does more than one thing" in scenario(when=when, then="a receipt is shown")


@pytest.mark.parametrize(
    "when",
    [
        "I search by name and date",
        "I drag and drop the file onto the form",
        "I open invoices and credit notes",
        "I choose PDF or Excel",
        "brukeren søker etter navn og adresse",
        "I select the invoices and reports for March",
        "the clerk opens the invoice list and the credit notes",
        "the clerk sorts by date and the amount due",
        "sjåføren åpner ruten og kartet",
        "the manager compares this week and the last four weeks",
    ],
)
def test_when_with_one_action_is_not_flagged(when: str) -> None:
    assert not coordinated_action(when)


@pytest.mark.parametrize(
    "given",
    [
        "I click Export",
        "the user clicks Save",
        "the warehouse manager selects a pallet",
        "a driver logs in",
        "at brukeren trykker på Lagre",
        "brukeren åpner appen",
        "the shift planner ticks the box for Monday",
        'the head nurse unchecks "Night shift"',
        "læreren krysser av for oppgave 2",
        "the buyer swipes the card to the left",
    ],
)
def test_given_that_is_an_action_is_flagged(given: str) -> None:
    assert given_is_action(given)
    assert "is an action" in scenario(given=given, then="a receipt is shown")


@pytest.mark.parametrize(
    "given",
    [
        "I am logged in",
        "an invoice exists",
        "the user has opened the page",
        "the route list is open",
        "jeg er logget inn",
        "I have selected two invoices",
        "det finnes tre ubetalte fakturaer",
        "the tenant has paid the deposit",
        "the expense claim is approved",
        "the invoice shows three lines",
        "søknaden er godkjent",
    ],
)
def test_given_that_is_a_state_passes(given: str) -> None:
    assert not given_is_action(given)


def test_scenario_without_then_is_an_error() -> None:
    story = StoryDraft("t", "member", "to book a court", "", (Criterion("x exists", "I book", ""),))
    [finding] = [f for f in lint_story(story) if f.check == Check.CRITERIA]
    assert finding.severity == "error"
    assert 'no "Then": add the outcome' in finding.message


@pytest.mark.parametrize(
    ("then", "check"),
    [
        ("the planner feels sure about the week", Check.TESTABLE),
        ("the order is always right", Check.TESTABLE),
        ("eleven skjønner oppgaven", Check.TESTABLE),
        ("the receipt is shown when the clerk prints it", Check.CRITERIA),
    ],
)
def test_untestable_then_has_its_own_check(then: str, check: Check) -> None:
    """Shape problems and untestable outcomes are told apart by the check, not the wording."""
    criterion = Criterion("x exists", "I pay", then)
    story = StoryDraft("t", "member", "to book a court", "", (criterion,))
    assert {f.check for f in lint_story(story)} & {Check.CRITERIA, Check.TESTABLE} == {check}


@pytest.mark.parametrize(
    "given",
    [
        'the tenant switches off "Reminders" in the settings',
        "Ola logs in",
        "kundeservice søker opp kunden Kari",
        "the dispatcher signs up for alerts",
    ],
)
def test_given_with_a_phrasal_verb_is_an_action(given: str) -> None:
    assert given_is_action(given)


@pytest.mark.parametrize(
    "given",
    [
        "the pharmacy closes at 17:00",
        "butikken stenger kl 20",
        "four parcels in the van",
        "the shift starts in 10 minutes",
        "the bookings on the list are confirmed",
    ],
)
def test_given_with_a_schedule_or_a_counted_noun_is_a_state(given: str) -> None:
    assert not given_is_action(given)


def test_when_with_a_second_action_on_a_bare_object_is_two_actions() -> None:
    assert coordinated_action("the nurse logs in and opens ward 4")


@pytest.mark.parametrize(
    "then", ["the caretaker is aware of the leak", "vaktmesteren er klar over lekkasjen"]
)
def test_then_about_awareness_is_untestable(then: str) -> None:
    assert "feels, knows or intends" in scenario(then=then)
