"""The `apo` command line. Thin: it parses arguments, builds the container, calls a service and
turns `BotError`s into a message and an exit code instead of a traceback.

Parsing imports nothing heavy: each command imports what it needs (settings, the container,
Chroma, the model) inside its handler, so `apo --help` answers at once.
"""

from __future__ import annotations

import argparse
import gc
import logging
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import bot
from bot.errors import BotError, ConfigError

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger("apo")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return 2
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except Exception as exc:
        message = user_error_message(exc)
        if message is None:
            raise  # a bug: its traceback is what a report needs
        print(f"apo: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def run() -> None:
    """The `apo` and `python -m bot` entry point: `main`, then end the process."""
    code = main()
    # The process ends next. Python's shutdown would have the garbage collector walk every
    # object Chroma, SQLAlchemy and the rest created (half a second of `apo search`); nothing
    # left needs it (data is committed, Chroma's writes are durable when they return, atexit
    # handlers still run), so those objects are left to the OS. Not in `main`, which tests call
    # in-process.
    gc.freeze()
    raise SystemExit(code)


def user_error_message(exc: BaseException) -> str | None:
    """One line for an error a user can fix (a setting, a file, a flag), None for a bug."""
    if isinstance(exc, BotError):
        return exc.for_operator
    # Imported only here: pydantic and PyYAML are loaded by whatever raised these anyway.
    from pydantic import ValidationError
    from yaml import YAMLError

    if isinstance(exc, ValidationError):
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'value'}: {err['msg']}"
            for err in exc.errors()
        )
        return f"{exc.title} is not valid: {problems}."
    if isinstance(exc, YAMLError):
        return f"a YAML file is not valid: {exc}"
    if isinstance(exc, (FileNotFoundError, PermissionError, IsADirectoryError)):
        return f"{exc.strerror}: {exc.filename}"
    if isinstance(exc, UnicodeDecodeError):
        return f"a file is not UTF-8 text ({exc.reason}); save it as UTF-8."
    return None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="apo",
        description="APO Bridge: meeting notes to user stories, answers, handover digests.",
    )
    parser.add_argument("--version", action="version", version=f"apo-bridge {bot.__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="run the bot (Socket Mode, or HTTP with --http) with its workers",
        description="Serve Slack and start APO_WORKERS worker processes (default 1) that run "
        "the slow work; --web-only starts no workers (run `apo worker` elsewhere).",
    )
    serve.add_argument("--http", action="store_true", help="serve POST /slack/events over HTTP")
    serve.add_argument("--host", default="0.0.0.0", help="HTTP mode: address to bind")
    serve.add_argument("--port", type=int, default=3000, help="HTTP mode: port (default 3000)")
    serve.add_argument(
        "--web-only", action="store_true", help="only the web side: queue jobs, run none"
    )
    serve.set_defaults(handler=_serve)

    worker = commands.add_parser(
        "worker", help="run queued jobs (drafting, answers, digests) without serving Slack"
    )
    worker.add_argument(
        "--threads", type=int, default=None, help="jobs run at once (APO_WORKER_THREADS, 4)"
    )
    worker.set_defaults(handler=_worker)

    migrate = commands.add_parser("migrate", help="bring the database schema up to date")
    migrate.set_defaults(handler=_migrate)

    doctor = commands.add_parser("doctor", help="check every setting and connection")
    doctor.add_argument("--json", action="store_true", help="print the checks as JSON")
    doctor.set_defaults(handler=_doctor)

    manifest = commands.add_parser(
        "manifest",
        help="print the Slack app manifest (Socket Mode, or HTTP with --http URL)",
        description="The manifest to paste at https://api.slack.com/apps (Create New App, "
        "From a manifest). deploy/ holds both, written by this command.",
    )
    manifest.add_argument(
        "--http",
        metavar="URL",
        help="HTTP mode: the bot's public base URL (https://YOUR-HOST); request URLs go there",
    )
    manifest.add_argument(
        "--oauth-redirect",
        metavar="URL",
        help="add this OAuth redirect URL (several workspaces; with APO_SLACK_OAUTH=true the "
        "default is SLACK_REDIRECT_URI, else URL/slack/oauth_redirect)",
    )
    manifest.set_defaults(handler=_manifest)

    from bot.cli_digest import add_digest_commands
    from bot.cli_init import add_init_command
    from bot.cli_knowledge import add_knowledge_commands
    from bot.cli_stats import add_stats_command
    from bot.cli_stories import add_story_commands

    add_init_command(commands)
    add_story_commands(commands)
    add_knowledge_commands(commands)
    add_digest_commands(commands)
    add_stats_command(commands)
    return parser


def configure_logging(settings: Settings) -> None:
    from bot.ops.logs import configure_logging as configure

    configure(settings.log_level, settings.log_format, secrets=settings.secrets())


def _serve(args: argparse.Namespace) -> int:
    from bot.serve import serve
    from bot.settings import load_settings

    settings = load_settings()
    check_serve_settings(settings, http=args.http)
    configure_logging(settings)
    serve(settings, http=args.http, host=args.host, port=args.port, web_only=args.web_only)
    return 0


def _worker(args: argparse.Namespace) -> int:
    from bot.jobs.worker import run_worker
    from bot.settings import load_settings

    settings = load_settings()
    if settings.slack_oauth:
        settings.require_oauth()
    else:
        settings.require_bot_token()
    configure_logging(settings)
    run_worker(settings, threads=args.threads or settings.worker_threads)
    return 0


def check_serve_settings(settings: Settings, *, http: bool) -> None:
    """Name every missing credential at once, with where to find it."""
    if settings.slack_oauth:
        # Each workspace's token comes from its installation; no SLACK_BOT_TOKEN.
        checks: list[Callable[[], object]] = [settings.require_oauth]
        if not http:
            raise ConfigError(
                "cannot start the bot: APO_SLACK_OAUTH=true needs HTTP mode "
                "(`apo serve --http`), for the install pages and Slack's events."
            )
    else:
        checks = [settings.require_bot_token]
    if http:
        checks.append(settings.require_signing_secret)
    else:
        checks.append(settings.require_app_token)
    problems = []
    for check in checks:
        try:
            check()
        except ConfigError as exc:
            problems.append(exc.for_operator)
    if problems:
        hint = (
            ""
            if http
            else "\nOr serve over HTTP instead: `apo serve --http --port 3000` "
            "with SLACK_SIGNING_SECRET set."
        )
        raise ConfigError("cannot start the bot.\n  " + "\n  ".join(problems) + hint)


def _migrate(_args: argparse.Namespace) -> int:
    from bot.settings import load_settings
    from bot.storage.migrate import current_revision, upgrade

    settings = load_settings()
    upgrade(settings.database_url)
    print(f"database is at revision {current_revision(settings.database_url)}")
    return 0


def _manifest(args: argparse.Namespace) -> int:
    from bot.slack.manifest import OAUTH_REDIRECT_PATH, manifest_yaml

    redirect = args.oauth_redirect
    if redirect is None:
        from bot.settings import load_settings

        # Several workspaces (APO_SLACK_OAUTH): the install flow's redirect URL goes in too.
        settings = load_settings()
        if settings.slack_oauth:
            redirect = settings.slack_redirect_url or (
                f"{args.http.rstrip('/')}{OAUTH_REDIRECT_PATH}" if args.http else None
            )
    if args.http:
        text = manifest_yaml("http", base_url=args.http, oauth_redirect_url=redirect)
    else:
        text = manifest_yaml("socket", oauth_redirect_url=redirect)
    print(text, end="")
    return 0


def _doctor(args: argparse.Namespace) -> int:
    from bot.doctor import run_doctor
    from bot.settings import load_settings

    return run_doctor(load_settings(), out=sys.stdout, as_json=args.json)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
