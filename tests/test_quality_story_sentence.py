"""The story sentence: atomic goals, minimal parts, and roles a developer can picture."""

from __future__ import annotations

import pytest

from bot.quality import Check, Finding, StoryDraft, lint_story
from bot.quality.atomic import split_goal
from bot.quality.vague import vague_words

NOTES = """Workshop with Fjordfrakt, the clinic and the school office, 4 June
- Receptionists move appointments when a dentist is ill.
- Konsulentene fører timer per prosjekt.
- Administrators reset passwords.
- Dispatchers need to see which drivers are on break.
- Sjåførene klager på at de ikke ser kundens telefonnummer.
- Regnskapsførerne vil ha forfalte fakturaer øverst.
- The warehouse team lead wants a weekly stock report.
- Teachers must register absence before nine.
"""


def draft(goal: str, role: str = "dispatcher", benefit: str = "I can plan the day") -> StoryDraft:
    return StoryDraft("t", role, goal, benefit)


def of(findings: list[Finding], check: Check) -> list[Finding]:
    return [f for f in findings if f.check == check]


# --- atomic ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("goal", "parts"),
    [
        ("export the route to PDF and email it to the driver", 2),
        ("book a room and invite colleagues", 2),
        ("show the total on the invoice and in the monthly report", 2),
        ("get a notification by email and in the app", 2),
        ("get a reminder by SMS and by email", 2),
        ("see the invoice list and a dashboard of overdue payments", 2),
        ("get a weekly summary report and a monthly invoice overview", 2),
        ("se totalen på fakturaen og i månedsrapporten", 2),
        ("få en ukesrapport og et dashbord med forsinkelser", 2),
        ("eksportere rapporten og sende den til kunden", 2),
        ("register a pupil as absent and notify the parents and print a weekly list", 3),
    ],
)
def test_goal_joining_separate_features_is_split(goal: str, parts: int) -> None:
    assert len(split_goal(goal)) == parts
    [finding] = of(lint_story(draft(goal)), Check.ATOMIC)
    assert "split it into" in finding.message


@pytest.mark.parametrize(
    "goal",
    [
        "enter my name and address",
        "drag and drop files into the folder",
        "accept the terms and conditions",
        "filter invoices by date and status",
        "view invoices and credit notes",
        "search and filter the order list",
        "approve or reject expense claims",
        "export orders to CSV or Excel",
        "see the total and the due date",
        "compare prices between the old and the new supplier",
        "registrere navn og adresse",
        "se fakturaer og kreditnotaer for mars",
        "logge inn og ut med BankID",
        "see the map and the list side by side",
        "se hvem som er på vakt i dag og i morgen",
        "see open orders today and at the weekend",
        "book and pay for a court in one step",
    ],
)
def test_one_feature_with_a_conjunction_stays_whole(goal: str) -> None:
    assert split_goal(goal) == [goal]


@pytest.mark.parametrize(
    "goal",
    [
        "get a discount code in the welcome email and a banner on the front page",
        "see each room's bookings and a cleaning plan from the facility team",
        "receive a PIN by SMS and a badge at the reception",
        "få en lenke i e-posten og en strekkode på billetten",
        "se timelisten og en prognose fra lønnssystemet",
    ],
)
def test_second_indefinite_thing_with_its_own_place_or_source_is_split(goal: str) -> None:
    """After "and", a new thing ("a banner", "en strekkode") with its own place or source."""
    assert len(split_goal(goal)) == 2


@pytest.mark.parametrize(
    "goal",
    [
        "bytte vakt med en kollega og se alle byttene mine",
        "avbestille timen og gjøre en ny avtale",
        "melde fravær og se hvem som mangler",
    ],
)
def test_norwegian_second_verb_is_split(goal: str) -> None:
    assert len(split_goal(goal)) == 2


@pytest.mark.parametrize(
    "goal",
    [
        "filter the order list by customer and by date",
        "sort the tickets by priority and by age",
        "søke i fakturaene på beløp og på tekst",
        "group the expenses by project and by month",
        "get a welcome letter with my first and last name and the office address",
        "see a list of my bookings and the total",
    ],
)
def test_criteria_of_one_filter_and_plain_second_nouns_stay_whole(goal: str) -> None:
    """ "by X and by Y" after filter/sort/search/group names the criteria of one feature."""
    assert split_goal(goal) == [goal]


# --- minimal -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("goal", "expected"),
    [
        ("to export the route – Kari confirms the format", "a note after a dash"),
        ("to export the route—monthly", "a note after a dash"),
        ("to export the route - Kari confirms the format", "a note after a dash"),
        ("to see deliveries (only late ones)", "bracketed remark"),
        ("to filter orders, e.g. by driver", 'example ("e.g.")'),
        ("å filtrere ordre, f.eks. etter sjåfør", 'example ("f.eks.")'),
        ("to see stock for example per warehouse", "example"),
        ("to get a reminder; the client wants it weekly", "semicolon"),
        ("to see the route. It should be on the map", "more than one sentence"),
        ("to see my route so that I can plan the day", 'template words "so that"'),
        ("å se ruten slik at jeg kan planlegge dagen", 'template words "slik at"'),
    ],
)
def test_extra_notes_in_the_goal_are_not_minimal(goal: str, expected: str) -> None:
    [finding] = of(lint_story(draft(goal)), Check.MINIMAL)
    assert expected in finding.message
    assert "move the details to the acceptance criteria" in finding.message


@pytest.mark.parametrize(
    "goal",
    [
        "to save the report as a PDF",
        "to sort stops so that the shortest route comes first",
        "to book shifts from 09:00 - 17:00",
        "to see opening hours Mon–Fri",
        "to use e-mail and check-in",
        "å lagre rapporten som PDF",
        "å sortere stoppene slik at den korteste ruten kommer først",
    ],
)
def test_ordinary_phrases_are_minimal(goal: str) -> None:
    assert of(lint_story(draft(goal)), Check.MINIMAL) == []


def test_a_second_so_that_in_the_benefit_is_flagged() -> None:
    story = draft("to move an appointment", benefit="the day is full so that patients wait less")
    [finding] = of(lint_story(story), Check.MINIMAL)
    assert finding.message.startswith('The benefit has the template words "so that"')


def test_template_words_repeated_in_role_and_benefit_are_flagged() -> None:
    findings = of(
        lint_story(draft("to see x", role="As a dispatcher", benefit="we plan so that we save")),
        Check.MINIMAL,
    )
    assert [f.message.split(" has ")[0] for f in findings] == ["The role", "The benefit"]


# --- roles -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role",
    ["user", "registered user", "system", "stakeholder", "Someone", "noen", "brukeren", "person"],
)
def test_generic_role_is_flagged(role: str) -> None:
    [finding] = of(lint_story(draft("to see the route", role=role), NOTES), Check.ROLE)
    assert "is generic" in finding.message


@pytest.mark.parametrize("role", ["power user", "fleet manager", "school nurse", "innkjøper"])
def test_role_not_in_the_notes_is_flagged_as_invented(role: str) -> None:
    [finding] = of(lint_story(draft("to see the route", role=role), NOTES), Check.ROLE)
    assert "does not appear in the notes" in finding.message


@pytest.mark.parametrize(
    "role",
    [
        "dispatcher",
        "the drivers",
        "sjåfør",
        "regnskapsfører",
        "accountant",
        "warehouse team lead",
        "teacher at the school",
        "lærer",
        "resepsjonist",
        "consultant",
        "admin",
    ],
)
def test_role_named_in_the_notes_in_any_form_passes(role: str) -> None:
    assert of(lint_story(draft("to see the route", role=role), NOTES), Check.ROLE) == []


def test_missing_unknown_and_generic_roles_have_distinct_messages() -> None:
    messages = [
        of(lint_story(draft("to see the route", role=role), NOTES), Check.ROLE)[0]
        for role in ("", "unknown", "user", "power user")
    ]
    assert [f.severity for f in messages] == ["error", "warning", "warning", "warning"]
    assert len({f.message.split(":")[0] for f in messages}) == 4


def test_without_notes_an_unlisted_role_is_not_judged() -> None:
    assert of(lint_story(draft("to see the route", role="power user")), Check.ROLE) == []


# --- vague words -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("how many invoices are overdue", []),
        ("how fast the page loads", []),
        ("hvor mange fakturaer som er forfalt", []),
        ('a message "Try several times" is shown', []),
        ("the list shows many items", ["many"]),
        ("a quick filter", ["quick"]),
        ("en enkel og rask oversikt", ["enkel", "rask"]),
    ],
)
def test_vague_words_skip_questions_and_quoted_text(text: str, found: list[str]) -> None:
    assert vague_words(text) == found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("a smart search for suppliers", ["smart"]),
        ("pick a convenient time for the visit", ["convenient"]),
        ("the totals are clearly marked", ["clearly"]),
        ("an effortless checkout", ["effortless"]),
        ("a hassle-free return process", ["hassle-free"]),
        ("bestille time på en smidig måte", ["smidig"]),
        ("en oversiktlig visning av vaktene", ["oversiktlig"]),
        ("en tydelig og praktisk kvittering", ["tydelig", "praktisk"]),
        ("en problemfri innlevering", ["problemfri"]),
        ("show the relevant documents", ["relevant"]),
        ("send a reminder if needed", ["if needed"]),
        ("sende påminnelse ved behov", ["ved behov"]),
    ],
)
def test_common_vague_adjectives_are_found(text: str, found: list[str]) -> None:
    """Evaluative adjectives and adverbs with no measure, in English and Norwegian."""
    assert vague_words(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "søke om fast plass i barnehagen",
        "vise faste utgifter per måned",
        "registrere en fast ansatt",
        "avbestille en enkelt time",
        "se hver enkelt elevs fravær",
        "lagre vedlegget som en del av saken",
        "få et enkelt varsel per dag",
    ],
)
def test_norwegian_words_that_look_vague_in_english_are_not_flagged(text: str) -> None:
    """ "fast" is "fixed" in Norwegian, "en enkelt" is "a single", "en del av" is "part of"."""
    assert vague_words(text) == []


def test_fast_is_still_vague_in_english() -> None:
    assert vague_words("a fast search for the customer list") == ["fast"]


@pytest.mark.parametrize(
    "goal",
    [
        "track parcels on a map and be notified when one is late",
        "registrere timer og bli varslet når uka ikke er levert",
        "receive the contract as a PDF and in the tenant portal",
        "send a payment reminder and a final notice letter after 30 days",
    ],
)
def test_second_outcome_place_or_document_splits_the_goal(goal: str) -> None:
    assert len(split_goal(goal)) == 2


@pytest.mark.parametrize(
    ("text", "vague"),
    [
        ("book a room with minimal effort", True),
        ("sende søknaden med mindre arbeid enn i dag", True),
        ("approve an invoice in fewer clicks", True),
        ("approve an invoice in at most three clicks", False),
        ("see the time left on my parking", False),
    ],
)
def test_effort_or_time_without_a_number_is_vague(text: str, vague: bool) -> None:
    assert bool(vague_words(text)) is vague
