"""`apo stats`: model calls, tokens and an estimated cost per project and month, from the
`llm_call` rows every model call leaves (bot.storage.usage)."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from typing import Any


def add_stats_command(commands: Any) -> None:
    stats = commands.add_parser(
        "stats", help="model usage and estimated cost per project and month"
    )
    stats.add_argument("--project", help="only this project")
    stats.add_argument("--since", help="from this month on (YYYY-MM)")
    stats.add_argument("--json", action="store_true", help="print JSON")
    stats.set_defaults(handler=run_stats)


def run_stats(args: argparse.Namespace) -> int:
    from bot.errors import ConfigError
    from bot.ops.costs import price_table
    from bot.settings import load_settings
    from bot.storage.db import Database
    from bot.storage.migrate import upgrade
    from bot.storage.usage import monthly_usage

    since = None
    if args.since:
        try:
            since = datetime.strptime(args.since, "%Y-%m").replace(tzinfo=UTC)
        except ValueError:
            raise ConfigError(f"--since {args.since!r} is not a month like 2026-03.") from None
    settings = load_settings()
    prices = price_table(settings.model_prices)
    upgrade(settings.database_url)
    db = Database(settings.database_url)
    with db.session() as session:
        rows = monthly_usage(session, project=args.project, since=since)
    table = []
    for row in rows:
        price = prices.get(row.model)
        cost = price.cost(row.prompt_tokens, row.completion_tokens) if price else None
        table.append(
            {
                "project": row.project,
                "month": row.month,
                "model": row.model,
                "calls": row.calls,
                "failed": row.failed,
                "prompt_tokens": row.prompt_tokens,
                "completion_tokens": row.completion_tokens,
                "cost_usd": None if cost is None else round(cost, 4),
            }
        )
    if args.json:
        print(json.dumps(table, indent=2))
        return 0
    if not table:
        print("No model calls recorded yet.")
        return 0
    _print_table(table)
    if any(r["cost_usd"] is None for r in table):
        print(
            "\n? = no price for that model: set APO_MODEL_PRICES=model=PROMPT/COMPLETION "
            "(dollars per million tokens)."
        )
    print("Costs are estimates at list prices (see README, `apo stats`).")
    return 0


def _print_table(table: list[dict[str, Any]]) -> None:
    headers = ["project", "month", "model", "calls", "failed", "prompt", "completion", "cost"]
    lines = [
        [
            r["project"] or "(none)",
            r["month"],
            r["model"],
            f"{r['calls']:,}",
            f"{r['failed']:,}",
            f"{r['prompt_tokens']:,}",
            f"{r['completion_tokens']:,}",
            "?" if r["cost_usd"] is None else f"${r['cost_usd']:,.2f}",
        ]
        for r in table
    ]
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(headers)]
    numeric = {3, 4, 5, 6, 7}
    for line in [headers, *lines]:
        print(
            "  ".join(
                cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
                for i, cell in enumerate(line)
            ).rstrip()
        )
