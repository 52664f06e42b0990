"""Approved stories rendered for the tools a team already uses: Markdown, Jira CSV, Gherkin.

Pure functions: the caller chooses the stories (normally the project's approved backlog) and
decides where the text goes. Nothing here reads a clock, the database or a file.

Choices worth knowing:
- Jira CSV follows Jira's importer convention for multi-value fields: every label gets its own
  column and all of them are headed "Labels" (issue links likewise). Plain `csv.DictReader`
  keeps only the last of repeated headers; read them with `csv.reader` (or map each column in
  Jira's wizard).
- Jira CSV columns carry the importer's field names: "Issue ID" (this file's own id for each
  row, the story id, which "Parent" and links refer to), "Summary", "Issue Type",
  "Description", "Priority", "Story Points", "Parent" (the epic's key, from the project's
  `jira.parent`), "Labels", and "Inward issue link (Blocks)": the Issue ID of each story in
  the file that blocks this one (the story depends on it).
- People are named as Slack shows them (`names`), never by raw member id.
- Gherkin allows one `Feature:` per file, so `to_gherkin_files` returns filename → content.
  `to_gherkin` joins those files for printing, each preceded by a `# ---- file ----` comment
  line, so the output can be split back into valid files at those lines.
- Story text is untrusted (it came from notes and a model): single-line fields are flattened
  to one line so nothing in them can start a heading, list, tag, comment, table or doc string.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Sequence
from datetime import UTC

from bot.domain.stories import Criterion, StoryView, indefinite_article
from bot.services.stories.dependencies import blockers

__all__ = [
    "FORMATS",
    "JIRA_COLUMNS",
    "render",
    "to_gherkin",
    "to_gherkin_files",
    "to_jira_csv",
    "to_markdown",
]

FORMATS = ("markdown", "jira-csv", "gherkin")
APP_LABEL = "apo-bridge"
LINK_COLUMN = "Inward issue link (Blocks)"
JIRA_COLUMNS = (
    "Issue ID",
    "Summary",
    "Issue Type",
    "Description",
    "Priority",
    "Story Points",
    "Parent",
    "Labels",
    "Labels",
    LINK_COLUMN,
)
Names = Callable[[str], str]
_JIRA_SUMMARY_MAX = 255  # Jira rejects longer summaries
_FORMULA_START = ("=", "+", "-", "@")  # spreadsheets evaluate cells that start so
_JIRA_SPECIAL = re.compile(r"([{}\[\]|*])")
_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "Ae", "Ø": "O", "Å": "A", "ß": "ss"})
_NOT_STATED = "(not stated)"


def _same(user_id: str) -> str:
    return user_id


def render(
    format: str,
    project_name: str,
    stories: Sequence[StoryView],
    *,
    parent: str | None = None,
    names: Names = _same,
) -> str:
    """The stories in one of `FORMATS`; ValueError naming the valid formats otherwise."""
    if format == "markdown":
        return to_markdown(project_name, stories, names=names)
    if format == "jira-csv":
        return to_jira_csv(stories, parent=parent, names=names)
    if format == "gherkin":
        return to_gherkin(project_name, stories)
    raise ValueError(f"unknown export format {format!r}; choose one of: {', '.join(FORMATS)}")


# --- Markdown ----------------------------------------------------------------------------


def to_markdown(project_name: str, stories: Sequence[StoryView], *, names: Names = _same) -> str:
    """A backlog document: an index, then one section per story."""
    name = _line(project_name) or "Project"
    out = [f"# {name} — backlog", ""]
    if not stories:
        out += [
            "_No approved stories to export yet. Draft stories with `/story`, approve them in "
            "Slack, then export again._",
            "",
        ]
        return "\n".join(out)
    out += [f"{_count(len(stories))}.", ""]
    out += [f"- #{s.id} {_line(s.title)}" for s in stories] + [""]
    for story in stories:
        out += _markdown_story(story, names)
    return "\n".join(out).rstrip("\n") + "\n"


def _markdown_story(story: StoryView, names: Names) -> list[str]:
    out = [f"## #{story.id} {_line(story.title)}", "", _sentence(story), ""]
    out += ["### Acceptance criteria", ""]
    if not story.criteria:
        out += ["_None recorded._", ""]
    for n, c in enumerate(story.criteria, 1):
        out += [f"**Scenario {n}**", ""]
        out += [f"- **{kw}** {text}" for kw, text in _steps(c)] + [""]
    out += ["### Source in the notes", ""]
    if not story.verified_quotes:
        out += ["_No verified quote from the notes: check the story against them._", ""]
    for quote in story.verified_quotes:
        out += ["> " + line for line in quote.strip().splitlines()] + [""]
    for heading, items in (("Open questions", story.open_questions),
                           ("Depends on", story.dependencies)):  # fmt: skip
        if items:
            out += [f"### {heading}", ""] + [f"- {_line(i)}" for i in items] + [""]
    out += [f"_{_decision(story, names)}_", ""]
    return out


def _decision(story: StoryView, names: Names) -> str:
    who = _line(names(story.decided_by) if story.decided_by else "") or "unknown"
    if story.decided_at is None:
        return f"{story.status.capitalize()} by {who}."
    at = story.decided_at
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)  # stored as UTC
    return f"{story.status.capitalize()} by {who} on {at.date().isoformat()} ({at:%H:%M} UTC)."


# --- Jira CSV ----------------------------------------------------------------------------


def to_jira_csv(
    stories: Sequence[StoryView], *, parent: str | None = None, names: Names = _same
) -> str:
    """CSV for Jira's importer: header row always, one Story per row, CRLF line ends."""
    in_file = {s.id for s in stories}
    links = {
        s.id: [
            b.id
            for b in blockers(s, [o for o in stories if o.note_id == s.note_id])
            if b.id in in_file
        ]
        for s in stories
    }
    link_columns = max((len(found) for found in links.values()), default=0)
    header = [*JIRA_COLUMNS, *[LINK_COLUMN] * max(link_columns - 1, 0)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180, minimal quoting
    writer.writerow(header)
    for story in stories:
        summary = _line(story.title) or f"Story {story.id}"
        summary = _shorten(_defused(summary), _JIRA_SUMMARY_MAX)
        project_label = _slug(story.project) or "project"
        blocked_by = [str(i) for i in links[story.id]]
        writer.writerow(
            [
                str(story.id),
                summary,
                "Story",
                _jira_description(story, names),
                _defused(_line(story.priority or "")),
                _points(story.points),
                parent or "",
                APP_LABEL,
                project_label,
                *blocked_by,
                *[""] * (max(link_columns, 1) - len(blocked_by)),
            ]
        )
    return buffer.getvalue()


def _defused(text: str) -> str:
    """Keep spreadsheet apps from evaluating a cell that starts like a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _points(points: float | None) -> str:
    if points is None:
        return ""
    return str(int(points)) if points == int(points) else str(points)


def _jira_description(story: StoryView, names: Names) -> str:
    out = [_wiki(_sentence(story)), "", "h3. Acceptance criteria"]
    for n, c in enumerate(story.criteria, 1):
        out += [f"h4. Scenario {n}"] + [f"* *{kw}* {_wiki(text)}" for kw, text in _steps(c)]
    if not story.criteria:
        out.append("_None recorded._")
    if story.verified_quotes:
        out += ["", "h3. Source in the meeting notes"]
        out += [f"bq. {_wiki(q)}" for q in story.verified_quotes]
    for heading, items in (("Open questions", story.open_questions),
                           ("Depends on", story.dependencies)):  # fmt: skip
        if items:
            out += ["", f"h3. {heading}"] + [f"* {_wiki(i)}" for i in items]
    decision = _decision(story, names)
    out += ["", _wiki(f"{decision} Exported from APO Bridge story #{story.id}.")]
    return "\n".join(out)


def _wiki(text: str) -> str:
    """One line of Jira wiki text with markup characters escaped."""
    return _JIRA_SPECIAL.sub(r"\\\1", _line(text))


# --- Gherkin -----------------------------------------------------------------------------


def to_gherkin_files(stories: Sequence[StoryView]) -> dict[str, str]:
    """One `.feature` file per story, e.g. `story-12-export-invoices.feature` → its text."""
    return {_feature_filename(s): _feature(s) for s in stories}


def to_gherkin(project_name: str, stories: Sequence[StoryView]) -> str:
    """All features for printing, each after a `# ---- <filename> ----` separator line."""
    name = _line(project_name) or "Project"
    files = to_gherkin_files(stories)
    if not files:
        return f"# {name}: no approved stories to export yet.\n"
    parts = [f"# {name}: {_count(len(files))}, one feature file each.\n"]
    parts += [f"# ---- {filename} ----\n{text}" for filename, text in files.items()]
    return "\n".join(parts)


def _feature_filename(story: StoryView) -> str:
    slug = _slug(story.title)[:50].strip("-")
    return f"story-{story.id}-{slug}.feature" if slug else f"story-{story.id}.feature"


def _feature(story: StoryView) -> str:
    tags = f"@{APP_LABEL} @story-{story.id}"
    if project := _slug(story.project):
        tags += f" @{project}"
    out = [tags, f"Feature: {_line(story.title) or f'Story {story.id}'}"]
    out.append(f"  {_as_a(story.role)}")
    out.append(f"  I want {_line(story.goal) or _NOT_STATED}")
    if benefit := _line(story.benefit):
        out.append(f"  So that {benefit}")
    if not story.criteria:
        out += ["", "  # No acceptance criteria recorded."]
    for n, c in enumerate(story.criteria, 1):
        steps = _steps(c)
        out += ["", f"  Scenario: {n}. {_shorten(steps[1][1], 80)}"]
        out += [f"    {kw} {text}" for kw, text in steps]
    return "\n".join(out) + "\n"


# --- shared helpers ----------------------------------------------------------------------


def _steps(criterion: Criterion) -> list[tuple[str, str]]:
    return [
        ("Given", _step_text(criterion.given, "Given")),
        ("When", _step_text(criterion.when, "When")),
        ("Then", _step_text(criterion.then, "Then")),
    ]


def _step_text(text: str, keyword: str) -> str:
    """One line, without a repeated leading keyword ("Given Given …")."""
    flat = _line(text)
    first, _, rest = flat.partition(" ")
    if first.lower() == keyword.lower() and rest:
        flat = rest
    return flat or _NOT_STATED


def _as_a(role: str) -> str:
    """The template's opening with a fitting article: "As a user", "As an accountant"."""
    role = _line(role) or "unknown"
    return f"As {indefinite_article(role)} {role}"


def _sentence(story: StoryView) -> str:
    text = f"{_as_a(story.role)}, I want {_line(story.goal) or _NOT_STATED}"
    return text + (f", so that {benefit}." if (benefit := _line(story.benefit)) else ".")


def _line(text: str) -> str:
    """All whitespace, line breaks included, collapsed to single spaces."""
    return " ".join(text.split())


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _slug(text: str) -> str:
    """Lower-case ASCII words joined by hyphens: "Økonomi & MVA" → "okonomi-mva"."""
    ascii_text = unicodedata.normalize("NFKD", text.translate(_FOLD))
    ascii_text = ascii_text.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def _count(n: int) -> str:
    return f"{n} {'story' if n == 1 else 'stories'}"
