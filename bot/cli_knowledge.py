"""`apo index`, `apo search`, `apo decide` and `apo ask`: the knowledge features without Slack,
for loading a decision log and for seeing why the bot answered what it did."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.errors import ConfigError

if TYPE_CHECKING:
    from bot.container import Container
    from bot.services.knowledge.views import Abstention, Answer


def add_knowledge_commands(commands: Any) -> None:
    index = commands.add_parser("index", help="index Markdown files (e.g. knowledge/) for answers")
    index.add_argument("path", help="a Markdown file or a folder of them")
    index.add_argument("--project", help="project key (default: the only project)")
    index.add_argument(
        "--include-all",
        action="store_true",
        help="also index README files and examples/ folders (skipped by default)",
    )
    index.add_argument("--json", action="store_true", help="print JSON")
    index.set_defaults(handler=run_index)

    search = commands.add_parser("search", help="show the passages the bot would retrieve")
    search.add_argument("query")
    search.add_argument("--project", help="project key (default: the only project)")
    search.add_argument(
        "--channel",
        help="search as if asked in this channel (without it: everything, private included)",
    )
    search.add_argument("-k", type=int, default=5, help="how many passages (default 5)")
    search.add_argument("--json", action="store_true", help="print JSON")
    search.set_defaults(handler=run_search)

    decide = commands.add_parser("decide", help="record a decision")
    decide.add_argument("text", help='the decision; "supersedes #N: …" replaces decision N')
    decide.add_argument("--project", help="project key (default: the only project)")
    decide.add_argument("--channel", help="the channel it belongs to (private ones stay there)")
    decide.add_argument("--private", action="store_true", help="the channel is private")
    decide.add_argument("--author", default="cli", help="who decided (a Slack user id)")
    decide.add_argument("--json", action="store_true", help="print JSON")
    decide.set_defaults(handler=run_decide)

    ask = commands.add_parser("ask", help="answer a question as the bot would")
    ask.add_argument("question")
    ask.add_argument("--project", help="project key (default: the only project)")
    ask.add_argument("--channel", help="ask as if in this channel (default: the team channel)")
    ask.add_argument("--json", action="store_true", help="print JSON")
    ask.set_defaults(handler=run_ask)


def _container() -> Container:
    from bot.container import build_container
    from bot.settings import load_settings

    return build_container(load_settings())


def project_key(container: Container, key: str | None) -> str:
    if key:
        return container.projects.get(key).key
    projects = container.projects.projects
    if len(projects) != 1:
        known = ", ".join(p.key for p in projects) or "none (add one to the projects file)"
        raise ConfigError(f"Say which project with --project (known: {known}).")
    return projects[0].key


def run_index(args: argparse.Namespace) -> int:
    container = _container()
    project = project_key(container, args.project)
    # Loading the embedding model and embedding every section takes a while the first time.
    print(f"indexing {args.path} into {project}…", file=sys.stderr, flush=True)
    report = container.services.indexer.index_path(
        Path(args.path), project=project, include_all=args.include_all
    )
    if args.json:
        print(
            json.dumps(
                {
                    "project": project,
                    "files": report.files,
                    "sections": report.sections,
                    "duplicates": report.duplicates,
                    "skipped": [str(s) for s in report.skipped],
                }
            )
        )
        return 0
    print(f"indexed {report.sections} sections from {report.files} files into {project}")
    if report.duplicates:
        print(f"left out {report.duplicates} sections already indexed with the same text")
    for skipped in report.skipped:
        print(f"skipped {skipped}", file=sys.stderr)
    return 0


def run_search(args: argparse.Namespace) -> int:
    container = _container()
    project = project_key(container, args.project)
    found = container.services.searcher.lookup(
        args.query, project=project, channel=args.channel or None, k=args.k
    )
    rows = [
        {
            "id": p.id,
            "kind": p.record.kind,
            "source": p.record.permalink or p.record.source or "",
            "text": p.text,
            "similarity": round(p.similarity, 4),
            "keyword_score": round(p.keyword_score, 4),
            "vector_rank": p.vector_rank,
            "keyword_rank": p.keyword_rank,
            "term_overlap": round(p.term_overlap, 4),
            "exact_matches": list(p.exact_matches),
            "translations": list(p.translations),  # indexed with it, found by; never cited
        }
        for p in found.passages
    ]
    if args.json:
        result = {
            "passages": rows,
            "decision": found.decision,
            "reason": found.reason,
            "confidence": round(found.confidence, 4),
        }
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return 0
    for n, (row, p) in enumerate(zip(rows, found.passages, strict=True), start=1):
        ranks = f"vector #{row['vector_rank'] or '-'}, keyword #{row['keyword_rank'] or '-'}"
        print(
            f"{n}. {row['id']}  [{row['kind']}]  similarity {row['similarity']:.3f}, {ranks}, "
            f"{row['term_overlap']:.0%} of the terms"
        )
        if p.exact_matches:
            print(f"   exact: {', '.join(p.exact_matches)}")
        if row["source"]:
            print(f"   source: {row['source']}")
        print("   " + " ".join(str(row["text"]).split())[:200])
        for translated in p.translations:
            print("   translated: " + " ".join(translated.split())[:200])
    verdict = "would answer" if found.decision == "answer" else "would abstain and escalate"
    print(f"the bot {verdict}: {found.reason}", file=sys.stderr)
    return 0


def run_decide(args: argparse.Namespace) -> int:
    from bot.domain import Actor
    from bot.domain.knowledge import DecisionInput
    from bot.services.knowledge.decisions import split_supersedes

    container = _container()
    project = project_key(container, args.project)
    supersedes, text = split_supersedes(args.text)
    decision, _ = container.services.decisions.record(
        DecisionInput(
            project=project,
            text=text,
            author_id=args.author,
            origin="cli",
            source_channel=args.channel,
            private=args.private,
            supersedes_id=supersedes,
        ),
        Actor.cli(),
    )
    if args.json:
        print(json.dumps({"id": decision.id, "project": project, "text": text}))
        return 0
    print(f"recorded decision #{decision.id} in {project}")
    return 0


def run_ask(args: argparse.Namespace) -> int:
    from bot.services.knowledge.views import Abstention, AskInput

    container = _container()
    project = project_key(container, args.project)
    channel = args.channel or container.projects.get(project).team.channel
    # What the bot would say, without storing a question that would then sit in digests.
    result = container.services.questions.preview(AskInput(project, channel, "cli", args.question))
    if args.json:
        print(json.dumps(_answer_json(result), indent=2, ensure_ascii=False))
        return 0
    if isinstance(result, Abstention):
        print("Nothing recorded answers this.")
        return 0
    print(result.text)
    for c in result.citations:
        print(f"[{c.number}] {c.passage_id} {c.permalink}")
    return 0


def _answer_json(result: Answer | Abstention) -> dict[str, Any]:
    from bot.services.knowledge.views import Abstention

    if isinstance(result, Abstention):
        return {"answered": False, "text": None, "citations": []}
    citations = [
        {"number": c.number, "passage": c.passage_id, "permalink": c.permalink}
        for c in result.citations
    ]
    return {"answered": True, "text": result.text, "citations": citations}
