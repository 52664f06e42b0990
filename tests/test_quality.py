"""Quality checks on drafted stories, with notes from a small B2B invoicing app's meetings."""

from __future__ import annotations

import pytest

from bot.quality import (
    Check,
    Criterion,
    Finding,
    StoryDraft,
    check_batch,
    comparison_text,
    find_duplicates,
    lint_batch,
    lint_story,
    normalise,
    uncovered_needs,
    verify_quotes,
)
from bot.quality.coverage import split_sentences
from bot.quality.roles import named_in

NOTES_EN = """Weekly sync with Nordlys AS, 3 March

- Finance managers must be able to export the monthly report to PDF.
- They also want to email the report to the client straight from the app.
* Kari: overdue invoices should be shown at the top of the invoice list.
1. We don't need SSO this quarter.
2. The login page should offer two-factor authentication for admins.
Kari will send the new logo on Friday.
"""

NOTES_NO = """Møte med Kari (Nordlys AS), 3. mars

- Kunden må kunne eksportere rapporten til PDF.
- Regnskapsførerne ønsker å se forfalte fakturaer øverst i listen.
- Vi trenger ikke SSO nå.
Kari sender ny logo på fredag.
"""

GOOD_CRITERIA = (
    Criterion(
        given="a finance manager is viewing the March report",
        when="she clicks Export to PDF",
        then="a PDF named report-2025-03.pdf is downloaded",
    ),
)


def story(
    goal: str = "to export the monthly report to PDF",
    *,
    role: str = "finance manager",
    benefit: str = "I can share it with the board",
    title: str = "Export monthly report",
    criteria: tuple[Criterion, ...] = GOOD_CRITERIA,
    quotes: tuple[str, ...] = ("export the monthly report to PDF",),
) -> StoryDraft:
    return StoryDraft(title, role, goal, benefit, criteria, quotes)


def checks(findings: list[Finding]) -> set[Check]:
    return {f.check for f in findings}


def messages(findings: list[Finding], check: Check) -> str:
    return " | ".join(f.message for f in findings if f.check == check)


# --- grounding ---------------------------------------------------------------------------


def test_quote_not_in_notes_marks_story_unsupported() -> None:
    invented = story(quotes=("The client wants invoices exported to Excel",))

    report = check_batch([invented], NOTES_EN).stories[0]

    assert report.unsupported
    assert report.quotes.missing == ("The client wants invoices exported to Excel",)
    grounded = [f for f in report.findings if f.check == Check.GROUNDED]
    assert any(f.severity == "error" and "Unsupported" in f.message for f in grounded)
    assert any("Excel" in f.message for f in grounded)


def test_story_without_any_quote_is_unsupported() -> None:
    report = check_batch([story(quotes=())], NOTES_EN).stories[0]

    assert report.unsupported
    assert "cites no words" in messages(list(report.findings), Check.GROUNDED)


@pytest.mark.parametrize(
    ("quote", "notes"),
    [
        ("EXPORT the monthly   report to pdf", NOTES_EN),
        ("must be able to export the monthly\nreport", NOTES_EN),
        ("“overdue invoices should be shown at the top”", NOTES_EN),
        ("- Finance managers must be able to export the monthly report to PDF.", NOTES_EN),
        ("KUNDEN MÅ KUNNE EKSPORTERE RAPPORTEN", NOTES_NO),
        ("ønsker å se forfalte fakturaer", NOTES_NO),
        ("two‑factor authentication for admins", NOTES_EN),  # non-breaking hyphen
    ],
)
def test_quote_differing_only_in_case_whitespace_or_typography_is_verified(
    quote: str, notes: str
) -> None:
    check = verify_quotes([quote], notes)

    assert check.verified == (quote,)
    assert not check.unsupported


@pytest.mark.parametrize(
    "quote",
    [
        "Finance managers must ... export the monthly report",
        "Finance managers must … export the monthly report",
        "Finance managers must [...] export the monthly report",
        "Regnskapsførerne ønsker … forfalte fakturaer",
    ],
)
def test_elided_quote_is_verified_when_fragments_appear_in_order(quote: str) -> None:
    assert verify_quotes([quote], NOTES_EN + NOTES_NO).verified == (quote,)


@pytest.mark.parametrize(
    "quote",
    [
        "export the monthly report ... Finance managers must",  # fragments out of order
        "Finance managers must … send the new logo on Friday",  # too far apart to be one quote
        "port the monthly report to PDF",  # a word cut in half is not the notes' word
        "Finance managers must be able to export the yearly report",
    ],
)
def test_quote_that_is_not_really_in_the_notes_is_missing(quote: str) -> None:
    check = verify_quotes([quote], NOTES_EN)

    assert check.missing == (quote,)
    assert check.unsupported


@pytest.mark.parametrize("quote", ["PDF", "the report", "", "   ", "…"])
def test_very_short_quote_does_not_ground_a_story(quote: str) -> None:
    check = verify_quotes([quote], NOTES_EN)

    assert check.verified == ()
    assert check.too_short == (quote,)
    assert check.unsupported


def test_two_long_norwegian_words_are_enough_to_ground() -> None:
    assert verify_quotes(["forfalte fakturaer"], NOTES_NO).verified == ("forfalte fakturaer",)


def test_normalise_unifies_typography_and_norwegian_case() -> None:
    assert normalise("• Kunden\u00a0  MÅ «se» – Æ/Ø/Å…\n") == 'kunden må "se" - æ/ø/å'


# --- QUS lint: single story --------------------------------------------------------------


def test_clean_story_has_no_findings() -> None:
    assert lint_story(story()) == []


@pytest.mark.parametrize(
    ("goal", "parts"),
    [
        (
            "to export the report to PDF and email it to the client",
            ('"export the report to PDF"', '"email it to the client"'),
        ),
        (
            "to upload our logo & choose the invoice colours",
            ('"upload our logo"', '"choose the invoice colours"'),
        ),
        (
            "å eksportere rapporten og sende den til kunden",
            ('"eksportere rapporten"', '"sende den til kunden"'),
        ),
        (
            "to see my open invoices and also pay them by card",
            ('"see my open invoices"', '"also pay them by card"'),
        ),
    ],
)
def test_goal_joining_two_features_is_not_atomic(goal: str, parts: tuple[str, str]) -> None:
    findings = lint_story(story(goal, role="manager"))

    message = messages(findings, Check.ATOMIC)
    assert "two features" in message
    assert all(part in message for part in parts)


@pytest.mark.parametrize(
    "goal",
    [
        "to drag and drop receipts onto an invoice",
        "to let accountants search and filter invoices by customer",
        "to see invoices and credit notes in one list",
        "to filter invoices by due date or status",
        "to view and edit draft invoices",  # two verbs sharing one object: one feature
        "to accept the terms and conditions when I sign up",
        "to get an email when an invoice is paid and the amount is over 10 000 NOK",
    ],
)
def test_conjunction_inside_one_feature_is_not_flagged(goal: str) -> None:
    assert Check.ATOMIC not in checks(lint_story(story(goal)))


def test_unknown_role_is_allowed_but_reported() -> None:
    findings = lint_story(story(role="unknown"))

    [finding] = [f for f in findings if f.check == Check.ROLE]
    assert finding.severity == "warning"
    assert "no role" in finding.message


def test_missing_goal_and_role_are_errors() -> None:
    findings = lint_story(story("", role=""))

    errors = [f for f in findings if f.severity == "error"]
    assert {f.check for f in errors} == {Check.WELL_FORMED, Check.ROLE}
    assert len(errors) == 2


@pytest.mark.parametrize(
    ("goal", "expected"),
    [
        ("to export the report (PDF only for now)", '"(PDF only for now)"'),
        ("to export the report, e.g. as PDF", '"e.g."'),
        ("to export the report - Kari to confirm format", "a note after a dash"),
        ("to export the report. It should also be printable", "more than one sentence"),
        ("to export the report so that I can share it", '"so that"'),
    ],
)
def test_goal_with_extra_notes_is_not_minimal(goal: str, expected: str) -> None:
    assert expected in messages(lint_story(story(goal)), Check.MINIMAL)


def test_vague_words_are_named_in_the_finding() -> None:
    vague = story(
        "to quickly find overdue invoices in a user-friendly list",
        benefit="someone in finance can chase the client",
        criteria=(
            Criterion(
                "overdue invoices exist",
                "I open the invoice list",
                "several overdue invoices are shown in an appropriate order",
            ),
        ),
    )

    message = messages(lint_story(vague), Check.UNAMBIGUOUS)

    assert 'goal: "quickly", "user-friendly"' in message
    assert 'Then of scenario 1: "several", "appropriate"' in message
    assert '"some"' not in message  # no word reported that is not in the story


def test_nine_scenarios_is_an_epic_but_eight_is_not() -> None:
    nine = story(criteria=GOOD_CRITERIA * 9)
    eight = story(criteria=GOOD_CRITERIA * 8)

    assert "9 scenarios" in messages(lint_story(nine), Check.ESTIMATABLE)
    assert Check.ESTIMATABLE not in checks(lint_story(eight))


def test_very_long_goal_is_an_epic() -> None:
    goal = (
        "to manage every part of invoicing for all our customers in one place including "
        "creating, sending, reminding, crediting and archiving invoices across all of our "
        "companies and currencies"
    )
    assert "may be an epic" in messages(lint_story(story(goal)), Check.ESTIMATABLE)


@pytest.mark.parametrize(
    ("criterion", "expected"),
    [
        (Criterion("a report exists", "I export it", ""), 'has no "Then"'),
        (Criterion("a report exists", "", "a PDF is downloaded"), 'has no "When"'),
        (
            Criterion("a report exists", "I export it and when I print it", "a PDF is shown"),
            "does more than one thing",
        ),
        (
            Criterion("a report exists", "I export it", "a PDF is downloaded when I print it"),
            'contains another "when"',
        ),
        (Criterion("a report exists", "I export it", "it works correctly"), "no outcome"),
        (Criterion("a report exists", "I export it", "the export is handled"), "no outcome"),
        (Criterion("a report exists", "I export it", "it is fast and simple"), "no outcome"),
    ],
)
def test_badly_shaped_scenario_is_flagged(criterion: Criterion, expected: str) -> None:
    findings = lint_story(story(criteria=(criterion,)))
    assert expected in messages(findings, Check.CRITERIA) + messages(findings, Check.TESTABLE)


@pytest.mark.parametrize(
    "then",
    [
        "the invoice shows status Paid",
        "an email with the PDF attached is sent to the client",
        "she is logged in and sees the dashboard",
        "the invoice is marked as paid",
        "the list shows the date when the invoice was paid",
    ],
)
def test_observable_then_is_accepted(then: str) -> None:
    criterion = Criterion("an invoice exists", "the payment arrives", then)
    assert not {Check.CRITERIA, Check.TESTABLE} & checks(lint_story(story(criteria=(criterion,))))


def test_story_without_criteria_is_an_error() -> None:
    [finding] = [f for f in lint_story(story(criteria=())) if f.check == Check.CRITERIA]
    assert finding.severity == "error"


# --- QUS lint: whole batch ---------------------------------------------------------------


@pytest.mark.parametrize("task_role", ["", "developer"])
def test_batch_mixing_a_task_with_user_stories_is_not_uniform(task_role: str) -> None:
    batch = [
        story(),
        story("to see overdue invoices at the top of the list", title="Overdue first"),
        story("Implement the PDF renderer service", role=task_role, benefit="", title="Renderer"),
    ]

    per_story = lint_batch(batch)

    assert [Check.UNIFORM in checks(f) for f in per_story] == [False, False, True]
    assert "task with no user role" in messages(per_story[2], Check.UNIFORM)
    assert "developer task" in messages(per_story[2], Check.WELL_FORMED)


def test_story_without_benefit_in_a_batch_with_benefits_is_not_uniform() -> None:
    batch = [story(), story("to see overdue invoices at the top of the list", benefit="")]

    per_story = lint_batch(batch)

    assert Check.UNIFORM not in checks(per_story[0])
    assert '"so that" benefit' in messages(per_story[1], Check.UNIFORM)


def test_lint_batch_flags_a_near_identical_pair_once_on_the_later_story() -> None:
    batch = [
        story("to export the monthly report to PDF"),
        story("to see overdue invoices at the top of the list", title="Overdue first"),
        story("I want to export monthly reports as PDF", title="PDF export"),
    ]

    per_story = lint_batch(batch)

    assert Check.UNIQUE not in checks(per_story[0])
    assert "story 1" in messages(per_story[2], Check.UNIQUE)
    assert Check.UNIQUE not in checks(per_story[1])


# --- duplicates --------------------------------------------------------------------------


def test_near_identical_stories_in_batch_and_backlog_are_duplicates() -> None:
    drafts = [
        story("to export the monthly report to PDF"),
        story("to export the Monthly  Report to PDF.", title="PDF"),
        story("to log in with two-factor authentication", role="admin", title="2FA"),
    ]
    backlog = [
        ("INV-7", "As an admin, I want to reset a user's password"),
        ("INV-12", "As a finance manager, I want to export the monthly reports to PDF, so that…"),
    ]

    matches = find_duplicates(drafts, backlog)

    within = [(m.index, m.other_index, m.method) for m in matches if m.backlog_id is None]
    against = [(m.index, m.backlog_id) for m in matches if m.backlog_id is not None]
    assert within == [(0, 1, "exact")]
    assert against == [(0, "INV-12"), (1, "INV-12")]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("to log in with my email address", "to log out from every device"),
        ("to export the monthly report to PDF", "to email the monthly report to the client"),
        ("to see overdue invoices first", "to send a reminder for overdue invoices"),
    ],
)
def test_different_stories_are_not_duplicates(first: str, second: str) -> None:
    assert find_duplicates([story(first), story(second)]) == []


def test_injected_similarity_catches_paraphrases() -> None:
    calls: list[tuple[str, str]] = []
    paraphrases = {
        frozenset(
            {
                "As a finance manager, I want to export the monthly report to PDF",
                "As a finance manager, I want to download this month's figures as a PDF file",
            }
        )
    }

    def similarity(a: str, b: str) -> float:
        calls.append((a, b))
        return 0.93 if frozenset({a, b}) in paraphrases else 0.2

    drafts = [
        story("to export the monthly report to PDF"),
        story("to download this month's figures as a PDF file"),
        story("to see overdue invoices at the top of the list"),
    ]

    matches = find_duplicates(drafts, similarity=similarity)

    assert [(m.index, m.other_index, m.method, m.score) for m in matches] == [
        (0, 1, "embedding", 0.93)
    ]
    assert len(calls) == 3  # every pair the wording tests did not settle
    assert find_duplicates(drafts, similarity=similarity, threshold=0.95) == []
    assert find_duplicates(drafts) == []  # wording alone does not see the paraphrase


def test_comparison_text_drops_an_unknown_role() -> None:
    assert comparison_text(story(role="unknown")) == "I want to export the monthly report to PDF"


# --- coverage ----------------------------------------------------------------------------


def test_split_sentences_handles_bullets_numbers_and_wrapped_lines() -> None:
    notes = (
        "Agreed:\n- export to PDF\n* reminders by email\n1. two-factor login\n2) audit log\n"
        "The client wants a dark theme. Also Excel export! Can we do it\nbefore summer?\n"
        "Neste demo er 3. mars, ca. kl. 10. Kunden trenger tilgang."
    )
    assert split_sentences(notes) == [
        "Agreed:",
        "export to PDF",
        "reminders by email",
        "two-factor login",
        "audit log",
        "The client wants a dark theme.",
        "Also Excel export!",
        "Can we do it before summer?",
        "Neste demo er 3. mars, ca. kl. 10.",
        "Kunden trenger tilgang.",
    ]


def test_coverage_lists_needs_no_story_covers_and_omits_covered_ones() -> None:
    drafted = [
        story(quotes=("Finance managers must be able to export the monthly report to PDF",)),
        story(
            "to see overdue invoices at the top of the invoice list",
            quotes=(),  # covered by its goal, not by a quote
        ),
    ]

    assert uncovered_needs(NOTES_EN, drafted) == [
        "They also want to email the report to the client straight from the app.",
        "The login page should offer two-factor authentication for admins.",
    ]


def test_coverage_detects_norwegian_needs_and_ignores_negated_ones() -> None:
    assert uncovered_needs(NOTES_NO, []) == [
        "Kunden må kunne eksportere rapporten til PDF.",
        "Regnskapsførerne ønsker å se forfalte fakturaer øverst i listen.",
    ]
    covered = story(quotes=("Kunden må kunne eksportere rapporten",))
    assert uncovered_needs(NOTES_NO, [covered]) == [
        "Regnskapsførerne ønsker å se forfalte fakturaer øverst i listen.",
    ]


# --- the service entry point -------------------------------------------------------------


def test_check_batch_reports_each_story_and_the_uncovered_needs() -> None:
    drafts = [
        story(quotes=("must be able to export the monthly report to PDF",)),
        story(
            "to export the report to PDF and email it to the client",
            title="Export and email",
            quotes=("email the report to the client straight from the app",),
        ),
        story(
            "to sign in with BankID",
            role="unknown",
            title="BankID",
            quotes=("The client asked for BankID login",),
        ),
    ]
    backlog = [("INV-12", "As a finance manager, I want to export the monthly report to PDF")]

    report = check_batch(drafts, NOTES_EN, backlog=backlog)

    first, second, third = report.stories
    assert not first.unsupported
    assert [(m.backlog_id, m.method) for m in first.duplicates] == [("INV-12", "exact")]
    assert Check.UNIQUE in {f.check for f in first.errors}
    assert Check.ATOMIC in {f.check for f in second.findings}
    assert third.unsupported
    assert third.findings[0].check == Check.GROUNDED  # grounding is shown first
    assert Check.ROLE in {f.check for f in third.findings}
    assert report.uncovered_needs == (
        "Kari: overdue invoices should be shown at the top of the invoice list.",
        "The login page should offer two-factor authentication for admins.",
    )


def test_a_role_narrowed_by_words_the_notes_never_use_is_an_invented_persona() -> None:
    notes = "Patients must be able to book a double appointment."
    assert named_in("patient", notes)
    assert not named_in("chronic care patient", notes)
    assert named_in("new patient", "New patients must register first.")
