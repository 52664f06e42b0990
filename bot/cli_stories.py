"""`apo story FILE` and `apo export`: the story features without Slack."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli_knowledge import project_key
from bot.errors import BotError, ConfigError, LLMError
from bot.services.stories.export import FORMATS

if TYPE_CHECKING:
    from bot.container import Container
    from bot.domain.stories import BatchView, StoryView
    from bot.settings import Settings

NOTE_SUFFIXES = (".md", ".markdown", ".txt")


def add_story_commands(commands: Any) -> None:
    story = commands.add_parser("story", help="draft stories from notes files and print them")
    story.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="meeting notes (text or Markdown): files, folders of them, or - for standard input",
    )
    story.add_argument("--project", help="project key (default: the only project)")
    story.add_argument("--title", default="", help="a title for the meeting")
    story.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    story.set_defaults(handler=run_story)

    export = commands.add_parser("export", help="export the approved backlog of a project")
    export.add_argument("--project", help="project key (default: the only project)")
    export.add_argument("--format", choices=FORMATS, default="markdown")
    export.add_argument("--output", help="write to this file instead of standard output")
    export.add_argument(
        "--new-only",
        action="store_true",
        help="only stories not exported as jira-csv before and not filed in Jira already",
    )
    export.set_defaults(handler=run_export)


def run_story(args: argparse.Namespace) -> int:
    from bot.container import build_container
    from bot.settings import load_settings

    settings = load_settings()
    notes = [(title, _read_notes(path)) for path, title in _note_files(args.files)]
    require_chat_model(settings)
    container = build_container(settings)
    project = project_key(container, args.project)
    batches = []
    for number, (title, text) in enumerate(notes, start=1):
        if len(notes) > 1:
            print(f"[{number}/{len(notes)}] {title}", file=sys.stderr)
        batches.append(_draft(container, project, text, args.title or title))
    if args.json:
        data = [_batch_json(b) for b in batches]
        print(json.dumps(data[0] if len(data) == 1 else data, indent=2, default=str))
    else:
        print("\n".join(drafts_markdown(b) for b in batches), end="")
    return 0


def require_chat_model(settings: Settings) -> None:
    """Refuse before any work starts, rather than after "Drafting…"."""
    from bot.settings import is_placeholder

    if settings.openai_api_key is None or is_placeholder(settings.openai_api_key):
        raise ConfigError(
            "No language model is configured: set OPENAI_API_KEY in .env (or OPENAI_BASE_URL "
            "alone for a local server such as Ollama). `apo doctor` checks it."
        )


def _draft(container: Container, project: str, text: str, title: str) -> BatchView:
    from bot.services.stories.intake import NotesSubmission

    received = container.services.notes.receive(
        NotesSubmission(
            project=project,
            text=text,
            source="cli",
            author_id=None,
            channel_id=None,
            title=title,
            private=False,  # no channel: a file given on the command line
        )
    )
    stories = container.services.stories
    batch = stories.batch(received.note_id)
    if batch.stories:
        return batch
    try:
        drafted = stories.draft(received.note_id, lambda step: print(step, file=sys.stderr))
    except LLMError as exc:
        where = container.settings.openai_base_url or "OpenAI"
        raise LLMError(f"{exc.user_message} ({where}; `apo doctor` checks it)") from exc
    return drafted or batch


def _note_files(paths: list[str]) -> list[tuple[str, str]]:
    """(path, title) of every notes file: folders give their text and Markdown files."""
    found: list[tuple[str, str]] = []
    for path in paths:
        if path == "-":
            found.append(("-", "standard input"))
            continue
        folder = Path(path)
        if folder.is_dir():
            files = sorted(
                f for f in folder.rglob("*") if f.is_file() and f.suffix.lower() in NOTE_SUFFIXES
            )
            if not files:
                raise BotError(f"{path} holds no notes ({', '.join(NOTE_SUFFIXES)} files).")
            found += [(str(f), f.stem) for f in files]
        else:
            found.append((path, folder.stem))
    return found


def run_export(args: argparse.Namespace) -> int:
    from bot.container import build_container
    from bot.services.stories.export import render
    from bot.settings import load_settings

    settings = load_settings()
    container = build_container(settings)
    project = container.projects.get(project_key(container, args.project))
    stories = container.services.stories.approved(project.key, new_only=args.new_only)
    parent = project.jira.parent if project.jira else None
    text = render(args.format, project.name, stories, parent=parent, names=_names(settings))
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    if args.format == "jira-csv":  # what --new-only leaves out next time
        container.services.stories.mark_exported([s.id for s in stories])
    return 0


def _names(settings: Settings) -> Callable[[str], str]:
    """Approvers as Slack shows them when the bot token is set; their member ids otherwise."""
    if settings.slack_bot_token is None:
        return lambda user_id: user_id
    from bot.slack.client import make_web_client
    from bot.slack.links import SlackLinks
    from bot.slack.people import SlackPeople

    client = make_web_client(settings)
    return SlackPeople(client, SlackLinks(client)).display_name


def _read_notes(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BotError(f"There is no file {path}.") from None
    except (IsADirectoryError, PermissionError) as exc:
        raise BotError(f"{path} cannot be read: {exc.strerror}.") from None
    except UnicodeDecodeError:
        raise BotError(f"{path} is not UTF-8 text; save the notes as plain text.") from None


def drafts_markdown(batch: BatchView) -> str:
    lines = [f"# Draft stories: {batch.title or 'meeting notes'} ({batch.project_name})", ""]
    if not batch.stories:
        lines.append("No requirement found in these notes, so no story was drafted.")
    for story in batch.stories:
        lines += _story_markdown(story)
    for heading, items in (
        ("Questions for the client", batch.open_questions),
        ("Out of scope", batch.out_of_scope),
        ("Needs in the notes that no story covers", batch.uncovered_needs),
    ):
        if items:
            lines += [f"## {heading}", "", *[f"- {item}" for item in items], ""]
    return "\n".join(lines).rstrip() + "\n"


def _story_markdown(story: StoryView) -> list[str]:
    lines = [f"## {story.position + 1}. {story.title}", "", story.sentence, ""]
    if story.unsupported:
        lines += ["**Unsupported:** no quote of this story was found in the notes.", ""]
    lines += [f"- Given {c.given}, when {c.when}, then {c.then}" for c in story.criteria]
    lines += ["", *[f"> {q}" for q in story.verified_quotes]]
    if story.findings:
        lines += ["", *[f"- [{f.severity}] {f.check}: {f.message}" for f in story.findings]]
    return [*lines, ""]


def _batch_json(batch: BatchView) -> dict[str, Any]:
    data = asdict(batch)
    data["summary"] = asdict(batch.summary)
    return data
