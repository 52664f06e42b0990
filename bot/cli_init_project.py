"""`apo init`, second half: the first project (channels and reviewers offered by name from the
workspace), then writing the files, migrating and indexing."""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Callable
from pathlib import Path

from bot.cli_init import ENV_FILE, check_time, check_zone
from bot.cli_prompts import Prompter
from bot.doctor.http import Unreachable, request
from bot.setup_files import ProjectAnswers, SideAnswers, merge_env, merge_projects


def ask_project(
    ask: Prompter, args: argparse.Namespace, api: str, token: str, wait: float
) -> ProjectAnswers:
    from bot.projects import Project, load_projects
    from bot.settings import load_settings

    config = Path(load_settings().config_path)
    try:
        known = load_projects(config).projects
    except Exception:  # a broken file is rewritten from the answers
        known = ()
    old: Project | None = known[0] if known else None
    channels = _listed(ask, (api, token, wait), "conversations.list", "channels", _channel)
    users = _listed(ask, (api, token, wait), "users.list", "members", _user)
    ask.say("\nProject")
    key = ask.ask(
        "Project key (lowercase, used on the command line)",
        flag="--project",
        given=args.project,
        default=old.key if old else "",
        check=lambda k: (
            None
            if re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,39}", k)
            else "Use lowercase letters, digits, - and _ (e.g. acme)."
        ),
    )
    name = ask.ask(
        "Project name", flag="--name", given=args.name, default=old.name if old else key.title()
    )
    sides = {}
    for side, who, zone in (("client", "client", "Europe/Oslo"), ("team", "developers", "")):
        was = getattr(old, side) if old else None
        ask.say(f"\nThe {who}' side" if who.endswith("s") else f"\nThe {who}'s side")
        [channel] = ask.choose(
            f"Channel for the {who}' morning digest",
            channels,
            flag=f"--{side}-channel",
            given=getattr(args, f"{side}_channel"),
            default=was.channel if was else "",
        )
        sides[side] = SideAnswers(
            timezone=ask.ask(
                "Time zone (IANA name, e.g. Europe/Oslo or Asia/Bangkok)",
                flag=f"--{side}-timezone",
                given=getattr(args, f"{side}_timezone"),
                default=was.timezone if was else zone,
                check=check_zone,
            ),
            channel=channel,
            digest_time=ask.ask(
                "Digest time (HH:MM, local)",
                flag=f"--{side}-time",
                given=getattr(args, f"{side}_time"),
                default=f"{was.digest_time:%H:%M}" if was else "08:30",
                check=check_time,
            ).zfill(5),
        )
    ask.say("\nReviewers approve, edit or reject the drafted stories")
    reviewers = ask.choose(
        "Reviewers (numbers, names or ids, comma-separated)",
        users,
        flag="--reviewers",
        given=args.reviewers,
        default=",".join(old.reviewers) if old else "",
        many=True,
    )
    return ProjectAnswers(key, name, tuple(reviewers), sides["client"], sides["team"])


def finish(
    ask: Prompter,
    args: argparse.Namespace,
    values: dict[str, str | None],
    answers: ProjectAnswers,
) -> int:
    from bot.settings import load_settings

    config = Path(load_settings().config_path)
    ask.say("")
    env_text = ENV_FILE.read_text(encoding="utf-8") if ENV_FILE.exists() else ""
    new_env = merge_env(env_text, values)
    if new_env != env_text and (
        not env_text
        or ask.confirm(f"{ENV_FILE} exists: update these settings in it?", default=True)
    ):
        ENV_FILE.write_text(new_env, encoding="utf-8")
        os.chmod(ENV_FILE, 0o600)  # it holds the tokens
        ask.say(f"wrote {ENV_FILE}")
    old_yaml = config.read_text(encoding="utf-8") if config.exists() else None
    new_yaml, replaced = merge_projects(old_yaml, answers)
    if new_yaml != old_yaml:
        question = (
            f"Replace project {answers.key} in {config}?"
            if replaced
            else f"Add project {answers.key} to {config}?"
        )
        if old_yaml is None or ask.confirm(question, default=True):
            config.write_text(new_yaml, encoding="utf-8")
            ask.say(f"wrote {config}")
    _migrate_and_index(ask, args, answers.key)
    ask.say("\nDone. Next: `apo doctor` checks everything, then `make run` starts the bot.")
    return 0


def _migrate_and_index(ask: Prompter, args: argparse.Namespace, project: str) -> None:
    from bot.settings import load_settings
    from bot.storage.migrate import upgrade

    settings = load_settings()
    upgrade(settings.database_url)
    ask.say("database migrated")
    knowledge = Path(settings.knowledge_dir)
    if args.no_index or not knowledge.is_dir():
        return
    if not ask.confirm(
        f"Index {knowledge} for {project} now (samples until you replace them)?", default=True
    ):
        return
    from bot.container import build_container

    ask.say("indexing… (the first time loads the embedding model)")
    report = build_container(settings).services.indexer.index_path(knowledge, project=project)
    ask.say(f"indexed {report.sections} sections from {report.files} files")


def _listed(
    ask: Prompter,
    slack: tuple[str, str, float],
    method: str,
    key: str,
    row: Callable[[dict[str, object]], tuple[str, str] | None],
) -> list[tuple[str, str]]:
    """(id, name) of what the bot can see, or [] (ids are then typed) when Slack cannot say."""
    form = {"limit": "1000", "exclude_archived": "true"}
    if method == "conversations.list":
        form["types"] = "public_channel,private_channel"
    try:
        api, token, wait = slack
        reply = request(api + method, token=token, form=form, timeout=wait)
    except Unreachable:
        return []
    items = reply.body.get(key)
    if not reply.body.get("ok") or not isinstance(items, list):
        ask.say(f"  ({method} answered {reply.body.get('error')}: type ids instead of names)")
        return []
    picked = [row(item) for item in items if isinstance(item, dict)]
    return sorted((p for p in picked if p is not None), key=lambda p: p[1].lower())


def _channel(item: dict[str, object]) -> tuple[str, str] | None:
    return (str(item["id"]), f"#{item.get('name')}") if item.get("id") else None


def _user(item: dict[str, object]) -> tuple[str, str] | None:
    if not item.get("id") or item.get("is_bot") or item.get("deleted"):
        return None
    if item.get("id") == "USLACKBOT":
        return None
    return str(item["id"]), str(item.get("real_name") or item.get("name"))
