"""`apo digest`: build (and optionally post) a handover digest for a given moment, or list
every moment a digest will go out, computed by the scheduling code the server runs."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.errors import BotError, ConfigError

# A posted digest's window ends at --now, and the next digest starts there: posting for another
# moment would skip (or repeat) whatever happened in between. Small clock skew is fine.
if TYPE_CHECKING:
    from bot.services.digests.timing import ScheduleRow

MAX_POST_SKEW = timedelta(minutes=15)


def add_digest_commands(commands: Any) -> None:
    digest = commands.add_parser(
        "digest", help="build or post a handover digest; --schedule lists them"
    )
    digest.add_argument("--project", help="project key (default: the only project)")
    digest.add_argument("--side", choices=("client", "team"), help="whose morning digest")
    digest.add_argument("--now", help="the moment to build it for (ISO 8601; default: now)")
    digest.add_argument("--dry-run", action="store_true", help="print it instead of posting")
    digest.add_argument("--schedule", action="store_true", help="list when digests go out")
    digest.add_argument("--from", dest="start", help="--schedule: first date (YYYY-MM-DD)")
    digest.add_argument("--to", dest="end", help="--schedule: last date (YYYY-MM-DD)")
    digest.add_argument("--json", action="store_true", help="--schedule: print JSON")
    digest.set_defaults(handler=run_digest)


def run_digest(args: argparse.Namespace) -> int:
    if args.schedule:
        return _schedule(args)
    if not args.side:
        raise ConfigError("Say whose digest: --side client|team (or list them with --schedule).")
    from bot.cli_knowledge import project_key
    from bot.container import build_container
    from bot.services.digests.timing import side_of
    from bot.settings import load_settings
    from bot.slack.blocks.common import blocks_to_text

    now = _moment(args.now)
    real_now = datetime.now(UTC)
    # A window ending in the future would leave out what happens until then from both this
    # digest and the next, so only a moment in the recent past is accepted.
    if not args.dry_run and not (
        real_now - MAX_POST_SKEW <= now <= real_now + timedelta(minutes=1)
    ):
        raise BotError(
            f"--now {args.now} is in the future or more than {MAX_POST_SKEW.seconds // 60} "
            "minutes ago: posting that digest would move where the next real digest starts. "
            "Add --dry-run to see a digest for another moment."
        )
    settings = load_settings()
    container = build_container(settings)
    project = container.projects.get(project_key(container, args.project))
    local_date = now.astimezone(side_of(project, args.side).zone).date()
    digests = container.services.digests
    if args.dry_run:
        from bot.slack.blocks.digest import digest_message

        content = digests.build(project.key, args.side, local_date, until=now)
        _, blocks = digest_message(content, lambda channel, ts: None)
        print(blocks_to_text(blocks))
        return 0
    from bot.slack.client import make_web_client
    from bot.slack.links import SlackLinks
    from bot.slack.publishers.digests import SlackDigestPublisher

    client = make_web_client(settings)
    publisher = SlackDigestPublisher(client, SlackLinks(client))
    if digests.post(project.key, args.side, local_date, publisher, until=now):
        print(f"posted the {args.side} digest for {local_date}")
    else:
        print(f"nothing posted: the {args.side} digest for {local_date} was sent or skipped")
    return 0


def _schedule(args: argparse.Namespace) -> int:
    from bot.projects import load_projects
    from bot.services.digests.timing import schedule_rows
    from bot.settings import load_settings

    settings = load_settings()
    start, end = _day(args.start, "--from"), _day(args.end, "--to")
    if end < start:
        raise BotError("--to is before --from.")
    rows = schedule_rows(load_projects(settings.config_path), start, end, project=args.project)
    if args.json:
        print(json.dumps([_row_json(row) for row in rows], indent=2))
        return 0
    for row in rows:
        print(
            f"{row.project:<12} {row.side:<6} {row.local:%a %Y-%m-%d %H:%M} {row.zone:<16} "
            f"{row.utc:%Y-%m-%d %H:%M} UTC"
        )
    print(f"{len(rows)} digests", flush=True)
    return 0


def _row_json(row: ScheduleRow) -> dict[str, str]:
    return {
        "project": row.project,
        "side": row.side,
        "local": row.local.isoformat(),
        "zone": row.zone,
        "utc": row.utc.isoformat(),
    }


def _moment(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BotError(f"--now {text!r} is not an ISO time like 2026-03-24T09:00+07:00.") from None
    if moment.tzinfo is None:
        # Whose 08:30? Guessing UTC would build the digest hours off for both sides.
        raise BotError(
            f"--now {text!r} has no time zone; add one, e.g. --now 2026-03-03T08:30+01:00 "
            "(or Z for UTC)."
        )
    return moment


def _day(text: str | None, flag: str) -> date:
    if not text:
        raise BotError(f"--schedule needs {flag} YYYY-MM-DD.")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BotError(f"{flag} {text!r} is not a date like 2026-03-24.") from None
