"""Batch-level checks: duplicates reported once, needs versus open items, ranked findings."""

from __future__ import annotations

import pytest

from bot.quality import (
    Check,
    Criterion,
    Finding,
    StoryDraft,
    check_batch,
    find_duplicates,
    lint_batch,
    merge_questions,
    open_items,
    rank_findings,
    uncovered_needs,
)
from bot.quality.coverage import states_need

CRITERIA = (Criterion("a route exists", "I open it", "the stops are listed"),)


def draft(goal: str, role: str = "dispatcher", quotes: tuple[str, ...] = ()) -> StoryDraft:
    return StoryDraft("t", role, goal, "", CRITERIA, quotes)


# --- duplicates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (
            draft("to book a tennis court", "member"),
            draft("to reserve a court for tennis", "member"),
        ),
        (
            draft("to see overdue invoices at the top of the list", "accountant"),
            draft("å se forfalte fakturaer øverst i listen", "regnskapsfører"),
        ),
        (
            draft("to see the customer's phone number", "driver"),
            draft("å se kundens telefonnummer", "sjåfør"),
        ),
        (
            draft("to record a patient's blood pressure", "nurse"),
            draft("to log blood pressure readings for a patient", "nurse"),
        ),
        (
            draft("to cancel my order before it ships", "customer"),
            draft("to withdraw an order before it is dispatched", "customer"),
        ),
    ],
)
def test_paraphrases_are_duplicates_reported_once_on_the_later_story(
    first: StoryDraft, second: StoryDraft
) -> None:
    [match] = find_duplicates([first, second])
    assert (match.index, match.other_index) == (0, 1)
    first_findings, second_findings = lint_batch([first, second])
    assert not [f for f in first_findings if f.check == Check.UNIQUE]
    [finding] = [f for f in second_findings if f.check == Check.UNIQUE]
    assert "Repeats story 1 of this batch" in finding.message


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (
            draft("to export the monthly report to PDF"),
            draft("to export the monthly report to Excel"),
        ),
        (draft("to see the revenue per region"), draft("to see the revenue per product")),
        (draft("to book a tennis court", "member"), draft("to cancel a court booking", "member")),
        (draft("to see my route for today", "driver"), draft("to see all routes for today")),
        (draft("to pay by card", "customer"), draft("to pay by invoice", "customer")),
        (draft("to filter the route list by depot"), draft("to sort the route list by start time")),
        (
            draft("å se mine vakter", "sykepleier"),
            draft("å bytte vakt med en kollega", "sykepleier"),
        ),
    ],
)
def test_related_but_different_stories_are_not_duplicates(
    first: StoryDraft, second: StoryDraft
) -> None:
    assert find_duplicates([first, second]) == []


def test_backlog_paraphrase_in_the_other_language_is_linked() -> None:
    backlog = [("41", "As an accountant, I want to see overdue invoices at the top of the list")]
    drafts = [draft("å se forfalte fakturaer øverst i listen", "regnskapsfører")]

    [story] = check_batch(
        drafts, "Regnskapsførerne vil se forfalte fakturaer.", backlog=backlog
    ).stories

    assert [m.backlog_id for m in story.duplicates] == ["41"]
    assert any("backlog story 41" in f.message for f in story.findings)


def test_similarity_may_bring_its_own_threshold() -> None:
    class Similarity:
        duplicate_threshold = 0.7

        def __call__(self, a: str, b: str) -> float:
            return 0.75

    drafts = [draft("to plan tomorrow's routes"), draft("to see which trucks are free")]

    assert [m.method for m in find_duplicates(drafts, similarity=Similarity())] == ["embedding"]
    assert find_duplicates(drafts, similarity=Similarity(), threshold=0.8) == []


# --- needs, open items -------------------------------------------------------------------

NOTES = """Sprint review with Fjordfrakt, 12 May
Attendees: Ola, Kari, dev team

- Sort the delivery list by due time.
- Drivers can't see the customer's phone number on the stop screen.
- Should the driver app work offline?
- TBD whether dispatchers may reassign routes after 10:00.
- The client asked for a dark mode. Not for v1.
- We decided to use Mapbox for the maps.
- Kari will send the logo files on Friday.
- Thanks everyone, see you next week.
- Could we get an SMS to the customer when the driver is 10 minutes away?

Open questions:
- Invoice numbering per depot

Parked:
- Integration with the payroll system

[00:12:03] Ola: the warehouse people keep forgetting to scan the pallets
[00:12:40] Kari: Listen må vise hvilke paller som mangler.
[00:13:30] Kari: Det er ikke bestemt om sjåførene skal signere digitalt.
Hvordan skal vi håndtere returer?
Kunden ønsker også en ukesrapport. Det tar vi i neste fase.
Vis fakturaene med forfall øverst.
Vi har besluttet å bruke BankID.
"""


def test_needs_are_told_apart_from_questions_decisions_and_chatter() -> None:
    assert uncovered_needs(NOTES, []) == [
        "Sort the delivery list by due time.",
        "Drivers can't see the customer's phone number on the stop screen.",
        "Could we get an SMS to the customer when the driver is 10 minutes away?",
        "[00:12:03] Ola: the warehouse people keep forgetting to scan the pallets",
        "[00:12:40] Kari: Listen må vise hvilke paller som mangler.",
        "Vis fakturaene med forfall øverst.",
    ]


def test_open_items_are_questions_and_undecided_points() -> None:
    assert open_items(NOTES) == [
        "Should the driver app work offline?",
        "TBD whether dispatchers may reassign routes after 10:00.",
        "Invoice numbering per depot",
        "[00:13:30] Kari: Det er ikke bestemt om sjåførene skal signere digitalt.",
        "Hvordan skal vi håndtere returer?",
    ]


@pytest.mark.parametrize(
    ("sentence", "need"),
    [
        ("Sort the list by due date", True),
        ("Patients cannot book a second appointment online", True),
        ("Vi trenger en varsling når en pall blir stående", True),
        ("Det er vanskelig å finne riktig vakt i kalenderen", True),
        ("Teachers must register absence before nine", True),
        ("Update on last sprint: all tickets closed", False),
        ("We don't need single sign-on this year", False),
        ("Is VAT included in the price?", False),
        ("Ola will check the API limits", False),
        ("Takk for i dag, vi sees neste uke", False),
        ("Can everyone see my screen?", False),
    ],
)
def test_states_need_in_english_and_norwegian(sentence: str, need: bool) -> None:
    assert states_need(sentence) is need


def test_a_covered_need_is_not_listed_and_open_items_reach_the_report() -> None:
    stories = [draft("to sort the delivery list by due time")]

    report = check_batch(stories, NOTES)

    assert "Sort the delivery list by due time." not in report.uncovered_needs
    assert report.open_items[0] == "Should the driver app work offline?"


def test_merge_questions_drops_restated_questions() -> None:
    model = ["Should the driver app work offline?", "Who approves overtime?"]
    notes = ["Does the driver app need to work offline?", "Invoice numbering per depot"]

    assert merge_questions(model, notes) == [*model, "Invoice numbering per depot"]


# --- ranking -----------------------------------------------------------------------------


def test_findings_are_ranked_most_severe_first() -> None:
    findings = [
        Finding(Check.MINIMAL, "warning", "m"),
        Finding(Check.UNIFORM, "info", "u"),
        Finding(Check.ROLE, "error", "r"),
        Finding(Check.UNIQUE, "warning", "d"),
        Finding(Check.GROUNDED, "error", "g"),
    ]

    assert [f.message for f in rank_findings(findings)] == ["g", "r", "d", "m", "u"]


def test_check_batch_ranks_each_storys_findings() -> None:
    story = StoryDraft("t", "", "to plan routes quickly", "", (), ("plan the routes",))

    [report] = check_batch([story], "We plan the routes by hand.").stories

    severities = [f.severity for f in report.findings]
    assert severities == sorted(severities, key=["error", "warning", "info"].index)


@pytest.mark.parametrize(
    ("notes", "needs", "open_"),
    [
        (
            "Per wants the crew list to be printable. We said that is out of scope.\n"
            "Export to Excel for the accountant.",
            ["Export to Excel for the accountant."],
            [],
        ),
        (
            "Pending: price for SMS messages\nBeslutning: vi bruker Azure AD for innlogging\n"
            "Anleggslederne trenger å se leveransene for i morgen.",
            ["Anleggslederne trenger å se leveransene for i morgen."],
            ["Pending: price for SMS messages"],
        ),
        (
            "- Dark mode? Per sa nei.\n- Ahmed sender skisser innen fredag\n"
            "- Kunden ønsker en ukesrapport. Det tar vi i neste fase.",
            [],
            [],
        ),
        (
            "Lise: Do we show deliveries from all suppliers?\nPer: not sure, need to check.\n"
            "Drivers keep calling the office to ask for the gate code.",
            ["Drivers keep calling the office to ask for the gate code."],
            ["Lise: Do we show deliveries from all suppliers?", "Per: not sure, need to check."],
        ),
    ],
)
def test_rejections_labels_and_replies_in_mixed_notes(
    notes: str, needs: list[str], open_: list[str]
) -> None:
    assert uncovered_needs(notes, []) == needs
    assert open_items(notes) == open_


def test_meeting_chatter_phrased_as_questions_is_not_an_open_item() -> None:
    notes = "Any questions?\nDoes that make sense?\nHar dere noen spørsmål?\n"
    notes += "Should refunds be automatic?"

    assert open_items(notes) == ["Should refunds be automatic?"]


def test_an_english_goal_covers_a_norwegian_need() -> None:
    notes = "Regnskapsførerne ønsker å se forfalte fakturaer øverst i listen."
    story = draft("to see overdue invoices at the top of the list", "accountant")

    assert uncovered_needs(notes, [story]) == []
    assert uncovered_needs(notes, [draft("to export invoices to PDF", "accountant")]) == [notes]
