"""`apo story FILE` and `apo export`: the story features without Slack."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli_knowledge import project_key
from bot.errors import BotError
from bot.services.stories.export import FORMATS

if TYPE_CHECKING:
    from bot.domain.stories import BatchView, StoryView


def add_story_commands(commands: Any) -> None:
    story = commands.add_parser("story", help="draft stories from a notes file and print them")
    story.add_argument("file", help="meeting notes (text or Markdown); - reads standard input")
    story.add_argument("--project", help="project key (default: the only project)")
    story.add_argument("--title", default="", help="a title for the meeting")
    story.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    story.set_defaults(handler=run_story)

    export = commands.add_parser("export", help="export the approved backlog of a project")
    export.add_argument("--project", required=True, help="project key")
    export.add_argument("--format", choices=FORMATS, default="markdown")
    export.add_argument("--output", help="write to this file instead of standard output")
    export.set_defaults(handler=run_export)


def run_story(args: argparse.Namespace) -> int:
    from bot.container import build_container
    from bot.services.stories.intake import NotesSubmission
    from bot.settings import load_settings

    container = build_container(load_settings())
    text = _read_notes(args.file)
    project = project_key(container, args.project)
    stories = container.services.stories
    received = container.services.notes.receive(
        NotesSubmission(
            project=project,
            text=text,
            source="cli",
            author_id=None,
            channel_id=None,
            title=args.title or Path(args.file).stem,
            private=False,  # no channel: a file given on the command line
        )
    )
    batch = stories.batch(received.note_id)
    if not batch.stories:
        batch = stories.draft(received.note_id, lambda step: print(step, file=sys.stderr)) or batch
    print(
        json.dumps(_batch_json(batch), indent=2, default=str)
        if args.json
        else drafts_markdown(batch)
    )
    return 0


def run_export(args: argparse.Namespace) -> int:
    from bot.container import build_container
    from bot.services.stories.export import render
    from bot.settings import load_settings

    container = build_container(load_settings())
    project = container.projects.get(args.project)
    text = render(args.format, project.name, container.services.stories.approved(project.key))
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _read_notes(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BotError(f"There is no file {path}.") from None
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
