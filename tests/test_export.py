"""Exports of the approved backlog: what Jira, a Gherkin runner and a reader get back out."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.domain.stories import Criterion, StoryView
from bot.services.stories.export import (
    FORMATS,
    JIRA_COLUMNS,
    render,
    to_gherkin,
    to_gherkin_files,
    to_jira_csv,
    to_markdown,
)


def story(
    id: int = 12,
    *,
    title: str = "Export invoices to CSV",
    role: str = "finance clerk",
    goal: str = "to export the month's invoices as a CSV file",
    benefit: str = "I can reconcile them in the accounting system",
    criteria: tuple[Criterion, ...] | None = None,
    quotes: tuple[str, ...] = ("Finance needs a CSV export of all invoices",),
    questions: tuple[str, ...] = (),
    project: str = "acme",
) -> StoryView:
    if criteria is None:
        criteria = (
            Criterion("an invoice dated in March", "I export March", "the file has one row for it"),
            Criterion("no invoices in April", "I export April", "I see a header-only file"),
        )
    return StoryView(
        id=id,
        note_id=1,
        project=project,
        position=0,
        title=title,
        role=role,
        goal=goal,
        benefit=benefit,
        criteria=criteria,
        verified_quotes=quotes,
        missing_quotes=(),
        open_questions=questions,
        status="approved",
        decided_by="U0KARI",
        decided_at=datetime(2025, 3, 3, 23, 30, tzinfo=UTC),
    )


TRICKY = story(
    7,
    title='Purring på forfalt faktura, "første" varsel',
    role="regnskapsfører, Oslo",
    goal='to send a first reminder ("purring") when an invoice is 14 days overdue',
    benefit="kunden betaler før inkasso",
    criteria=(
        Criterion(
            "an invoice with KID 1234, due 1 March\nand still unpaid",
            "the nightly job runs on 15 March",
            'the customer gets an e-mail titled "Purring 1", with æ, ø and å intact',
        ),
    ),
    quotes=("Vi må sende purring automatisk, helst etter 14 dager",),
    questions=("Skal purregebyr legges på, og i så fall hvor mye?",),
)


# --- Jira CSV ------------------------------------------------------------------------------


def test_jira_csv_round_trips_commas_quotes_newlines_and_norwegian_letters() -> None:
    text = to_jira_csv([TRICKY, story()])

    rows = list(csv.DictReader(io.StringIO(text, newline="")))

    assert len(rows) == 2
    first = rows[0]
    assert first["Summary"] == 'Purring på forfalt faktura, "første" varsel'
    assert first["Issue Type"] == "Story"
    description = first["Description"]
    assert description.startswith("As a regnskapsfører, Oslo, I want to send a first reminder")
    assert '("purring")' in description
    assert "\nh3. Acceptance criteria\n" in description  # newlines survive inside the cell
    assert "* *Given* an invoice with KID 1234, due 1 March and still unpaid" in description
    assert "* *When* the nightly job runs on 15 March" in description
    assert 'titled "Purring 1", with æ, ø and å intact' in description
    assert "bq. Vi må sende purring automatisk, helst etter 14 dager" in description
    assert "Skal purregebyr legges på, og i så fall hvor mye?" in description
    assert first["Issue ID"] == "7"


def test_jira_csv_repeats_the_labels_column_for_each_label() -> None:
    text = to_jira_csv([story(project="Acme Økonomi")])

    header, row = list(csv.reader(io.StringIO(text, newline="")))

    assert tuple(header) == JIRA_COLUMNS
    labels = [value for name, value in zip(header, row, strict=True) if name == "Labels"]
    assert labels == ["apo-bridge", "acme-okonomi"]  # Jira labels may not contain spaces
    assert text.endswith("\r\n") and text.count("\r\n") == 2  # RFC 4180 record ends only


def test_jira_markup_in_story_text_is_escaped() -> None:
    tricky = story(criteria=(Criterion("a [draft] invoice", "I press *Send*", "{ok} | done"),))

    description = next(csv.DictReader(io.StringIO(to_jira_csv([tricky]))))["Description"]

    assert r"* *Given* a \[draft\] invoice" in description
    assert r"* *When* I press \*Send\*" in description
    assert r"* *Then* \{ok\} \| done" in description


def test_jira_summary_that_looks_like_a_formula_is_defused() -> None:
    row = next(csv.DictReader(io.StringIO(to_jira_csv([story(title="=HYPERLINK(1)")]))))

    assert row["Summary"] == "'=HYPERLINK(1)"


def test_jira_summary_is_one_line_within_jiras_limit() -> None:
    long_title = "Export invoices\nfor " + "the whole year " * 30
    row = next(csv.DictReader(io.StringIO(to_jira_csv([story(title=long_title)]))))

    assert len(row["Summary"]) == 255 and row["Summary"].endswith("…")
    assert row["Summary"].startswith("Export invoices for the whole year")


def test_empty_jira_csv_is_the_header_only() -> None:
    rows = list(csv.reader(io.StringIO(to_jira_csv([]), newline="")))

    assert rows == [list(JIRA_COLUMNS)]


# --- Gherkin -------------------------------------------------------------------------------


def _scenarios(feature: str) -> list[list[str]]:
    """Step keywords of each scenario, read the way a Gherkin parser would line by line."""
    scenarios: list[list[str]] = []
    for line in feature.splitlines():
        stripped = line.strip()
        if stripped.startswith("Scenario:"):
            scenarios.append([])
        elif scenarios and stripped:
            scenarios[-1].append(stripped.split(" ", 1)[0])
    return scenarios


def test_gherkin_has_one_file_per_story_and_one_scenario_per_criterion() -> None:
    files = to_gherkin_files([story(), TRICKY])

    assert list(files) == [
        "story-12-export-invoices-to-csv.feature",
        "story-7-purring-pa-forfalt-faktura-forste-varsel.feature",
    ]
    invoices = files["story-12-export-invoices-to-csv.feature"]
    assert invoices.count("Feature:") == 1
    assert "  As a finance clerk\n  I want to export the month's invoices" in invoices
    assert "  So that I can reconcile them in the accounting system\n" in invoices
    assert _scenarios(invoices) == [["Given", "When", "Then"], ["Given", "When", "Then"]]
    assert "    When I export April\n" in invoices


def test_gherkin_flattens_clauses_so_the_file_still_parses() -> None:
    hostile = story(
        title="Feature: #1 | hack",
        criteria=(
            Criterion(
                "Given an invoice\nWhen it is sent\n# not a comment",
                "When I open it\n| a | table |",
                'Then\n"""\nI see it\n"""',
            ),
        ),
    )

    feature = to_gherkin_files([hostile])["story-12-feature-1-hack.feature"]

    lines = feature.splitlines()
    assert sum(line.startswith("Feature:") for line in lines) == 1
    assert not [line for line in lines if line.strip().startswith(("#", "|", '"""'))]
    assert _scenarios(feature) == [["Given", "When", "Then"]]
    assert "    Given an invoice When it is sent # not a comment" in lines
    assert "    When I open it | a | table |" in lines
    assert '    Then """ I see it """' in lines


def test_gherkin_text_for_printing_separates_the_files() -> None:
    text = to_gherkin("Acme Invoicing", [story(), TRICKY])

    separators = re.findall(r"^# ---- (\S+\.feature) ----$", text, flags=re.MULTILINE)
    assert separators == list(to_gherkin_files([story(), TRICKY]))
    assert text.count("Feature:") == 2
    assert to_gherkin("Acme Invoicing", []).startswith("# Acme Invoicing: no approved stories")


# --- Markdown ------------------------------------------------------------------------------


def test_markdown_lists_each_story_with_its_criteria_quotes_and_approval() -> None:
    text = to_markdown("Acme Invoicing", [story(), TRICKY])

    assert text.startswith("# Acme Invoicing — backlog\n")
    assert "## #12 Export invoices to CSV" in text
    assert "## #7 Purring på forfalt faktura" in text
    assert text.count("### Acceptance criteria") == 2
    assert "- **Given** an invoice dated in March" in text
    assert "- **When** I export April" in text
    assert "- **Then** the customer gets an e-mail" in text
    assert "> Vi må sende purring automatisk, helst etter 14 dager" in text
    assert "- Skal purregebyr legges på, og i så fall hvor mye?" in text
    # Decided at 23:30 UTC on the 3rd, which is already the 4th in Oslo: the export says UTC.
    assert "_Approved by U0KARI on 2025-03-03 (23:30 UTC)._" in text


def test_markdown_dates_are_converted_to_utc() -> None:
    bangkok = timezone(timedelta(hours=7))
    late = story()
    late = StoryView(**{**late.__dict__, "decided_at": datetime(2025, 3, 4, 6, 0, tzinfo=bangkok)})

    assert "on 2025-03-03 (23:00 UTC)" in to_markdown("Acme", [late])


def test_markdown_for_no_stories_says_what_to_do() -> None:
    text = to_markdown("Acme Invoicing", [])

    assert text.startswith("# Acme Invoicing — backlog")
    assert "No approved stories" in text and "/story" in text


def test_story_sentence_reads_naturally_in_every_format() -> None:
    admin = story(role="admin", benefit="", goal="to see who changed\nthe bank account")
    unknown = story(8, role="unknown")

    sentence = "As an admin, I want to see who changed the bank account."
    assert sentence in to_markdown("Acme", [admin])
    assert sentence in next(csv.DictReader(io.StringIO(to_jira_csv([admin]))))["Description"]
    feature = to_gherkin_files([admin, unknown])
    assert (
        "  As an admin\n  I want to see who changed the bank account\n\n"
        in feature["story-12-export-invoices-to-csv.feature"]
    )
    assert "  As an unknown\n" in feature["story-8-export-invoices-to-csv.feature"]


# --- render --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_render_dispatches_each_format(fmt: str) -> None:
    expected = {
        "markdown": to_markdown("Acme", [story()]),
        "jira-csv": to_jira_csv([story()]),
        "gherkin": to_gherkin("Acme", [story()]),
    }[fmt]

    assert render(fmt, "Acme", [story()]) == expected


def test_unknown_format_names_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="markdown, jira-csv, gherkin") as info:
        render("excel", "Acme", [story()])

    assert "'excel'" in str(info.value)


# Jira Cloud's CSV importer maps these column names to fields by themselves: Issue ID (the
# file's own id, which Parent and links may refer to), the system fields, the Story Points
# custom field, and issue links named as Jira's own CSV export names them.
JIRA_IMPORTER_NAMES = {
    "Issue ID",
    "Summary",
    "Issue Type",
    "Description",
    "Priority",
    "Story Points",
    "Parent",
    "Labels",
    "Inward issue link (Blocks)",
}


def test_jira_csv_carries_parent_priority_points_links_and_approvers_by_name() -> None:
    base = story(12, title="Credit a sent invoice")
    blocker = StoryView(**{**base.__dict__, "points": 3.0, "priority": "High"})
    dependent = StoryView(
        **{
            **story(13, title="Email the credit note").__dict__,
            "dependencies": ("Credit a sent invoice",),
            "points": 0.5,
        }
    )
    names = {"U0KARI": "Kari Nordmann"}

    text = to_jira_csv([blocker, dependent], parent="ACME-1", names=names.__getitem__)

    header, first, second = list(csv.reader(io.StringIO(text, newline="")))
    assert set(header) == JIRA_IMPORTER_NAMES and tuple(header) == JIRA_COLUMNS
    row = dict(zip(header, second, strict=True))  # the last Labels column wins; read below
    assert row == {
        "Issue ID": "13",
        "Summary": "Email the credit note",
        "Issue Type": "Story",
        "Description": row["Description"],
        "Priority": "",
        "Story Points": "0.5",
        "Parent": "ACME-1",
        "Labels": "acme",
        "Inward issue link (Blocks)": "12",  # blocked by the first row's issue
    }
    assert first[header.index("Priority")] == "High" and first[header.index("Story Points")] == "3"
    assert first[-1] == ""  # it depends on nothing
    assert "Approved by Kari Nordmann on 2025-03-03" in row["Description"]
    assert "U0KARI" not in text


def test_jira_csv_gives_each_link_its_own_column() -> None:
    a, b = story(1, title="A"), story(2, title="B")
    c = StoryView(**{**story(3, title="C").__dict__, "dependencies": ("A", "B", "not here")})

    header, *rows = list(csv.reader(io.StringIO(to_jira_csv([a, b, c]), newline="")))

    assert header.count("Inward issue link (Blocks)") == 2
    assert rows[2][-2:] == ["1", "2"] and rows[0][-2:] == ["", ""]
