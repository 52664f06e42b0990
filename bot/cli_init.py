"""`apo init`: ask for the tokens, the model and the first project, check each answer against
Slack and the model server, then write `.env` and `apo.yaml`, migrate and index the knowledge.

Re-running it edits: every question offers what the files hold now, and a file is rewritten only
after a yes. Every answer can also come from a flag, and `--yes` asks nothing (for scripts).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from bot.cli_prompts import Prompter

ENV_FILE = Path(".env")
DEFAULT_MODEL = "gpt-4.1-mini"
REJECTED = {"invalid_auth", "not_authed", "account_inactive", "token_revoked"}


def add_init_command(commands: Any) -> None:
    init = commands.add_parser("init", help="set up .env and apo.yaml, checking each answer")
    flags = {
        "--bot-token": "Slack bot token (xoxb-…)",
        "--app-token": "app-level token (xapp-…) for Socket Mode",
        "--signing-secret": "signing secret, for HTTP mode",
        "--base-url": "OpenAI-compatible server URL (default: OpenAI)",
        "--api-key": "the model server's API key",
        "--model": f"chat model (default {DEFAULT_MODEL})",
        "--project": "project key, e.g. acme",
        "--name": "project name",
        "--client-channel": "the client's channel (name or id)",
        "--client-timezone": "the client's time zone, e.g. Europe/Oslo",
        "--client-time": "the client's digest time, HH:MM",
        "--team-channel": "the developers' channel (name or id)",
        "--team-timezone": "the developers' time zone, e.g. Asia/Bangkok",
        "--team-time": "the developers' digest time, HH:MM",
        "--reviewers": "reviewers, comma-separated names or ids",
    }
    for flag, text in flags.items():
        init.add_argument(flag, help=text)
    init.add_argument("--yes", action="store_true", help="ask nothing: flags, then defaults")
    init.add_argument("--no-index", action="store_true", help="do not index knowledge/ now")
    init.set_defaults(handler=run_init)


def run_init(args: argparse.Namespace) -> int:
    from bot.cli_prompts import Prompter
    from bot.settings import is_placeholder, load_settings
    from bot.setup_files import read_env

    ask = Prompter(interactive=not args.yes)
    env = {k: v for k, v in read_env(ENV_FILE).items() if not is_placeholder(v)}
    settings = load_settings()
    api, wait = settings.slack_api_url, settings.doctor_timeout
    ask.say("APO Bridge set-up. Enter keeps the value in [brackets].\n\nSlack")
    token = ask.ask(
        "Bot token (xoxb-…, from the app's OAuth & Permissions page)",
        flag="--bot-token",
        given=args.bot_token,
        default=env.get("SLACK_BOT_TOKEN", ""),
        secret=True,
        check=lambda t: _check_bot_token(ask, api, t, wait),
    )
    app_token = ask.ask(
        "App-level token for Socket Mode (xapp-…; Enter for HTTP mode)",
        flag="--app-token",
        given=args.app_token,
        default=env.get("SLACK_APP_TOKEN", ""),
        secret=True,
        optional=True,
        check=lambda t: None if t.startswith("xapp-") else "An app-level token starts xapp-.",
    )
    secret = ""
    if not app_token:
        secret = ask.ask(
            "Signing secret (Basic Information page)",
            flag="--signing-secret",
            given=args.signing_secret,
            default=env.get("SLACK_SIGNING_SECRET", ""),
            secret=True,
        )
    values: dict[str, str | None] = {
        "SLACK_BOT_TOKEN": token,
        "SLACK_APP_TOKEN": app_token or None,
        "SLACK_SIGNING_SECRET": secret or None,
        **_ask_model(ask, args, env, wait),
    }
    from bot.cli_init_project import ask_project, finish

    answers = ask_project(ask, args, api, token, wait)
    return finish(ask, args, values, answers)


def _check_bot_token(ask: Prompter, api: str, token: str, wait: float) -> str | None:
    from bot.doctor.http import Unreachable, request

    if not token.startswith("xoxb-"):
        return "A bot token starts xoxb- (the app-level xapp- token is asked next)."
    try:
        reply = request(api + "auth.test", token=token, form={}, timeout=wait)
    except Unreachable as exc:
        ask.say(f"  Not checked: {exc}. Kept as typed; `apo doctor` checks it later.")
        return None
    if reply.body.get("ok"):
        ask.say(f"  ok: {reply.body.get('user')} in {reply.body.get('team')}")
        return None
    error = reply.body.get("error")
    if error in REJECTED:
        return f"Slack rejected this token ({error}). Copy the Bot User OAuth Token again."
    return f"auth.test answered {reply.status} {error or ''}".strip()


def _ask_model(
    ask: Prompter, args: argparse.Namespace, env: dict[str, str], wait: float
) -> dict[str, str | None]:
    ask.say("\nLanguage model")
    base_url = ask.ask(
        "OpenAI-compatible server URL (Enter for OpenAI; Ollama: http://localhost:11434/v1)",
        flag="--base-url",
        given=args.base_url,
        default=env.get("OPENAI_BASE_URL", ""),
        optional=True,
        check=lambda u: None if re.match(r"https?://", u) else "A URL starts http:// or https://.",
    )
    key = ask.ask(
        "API key" + (" (Enter if the server needs none)" if base_url else " (sk-…)"),
        flag="--api-key",
        given=args.api_key,
        default=env.get("OPENAI_API_KEY", ""),
        secret=True,
        optional=bool(base_url),
    )
    models = _models(ask, base_url, key, wait)
    model = ask.ask(
        "Chat model",
        flag="--model",
        given=args.model,
        default=env.get("APO_CHAT_MODEL", DEFAULT_MODEL if not models else models[0]),
        check=lambda m: (
            None
            if not models or m in models
            else f"The server has no {m}; it has: {', '.join(models[:10])}."
        ),
    )
    return {
        "OPENAI_BASE_URL": base_url or None,
        "OPENAI_API_KEY": key or None,
        "APO_CHAT_MODEL": model,
    }


def _models(ask: Prompter, base_url: str, key: str, wait: float) -> list[str]:
    """The server's models, or [] (with the reason said) when it cannot list them."""
    from bot.doctor.http import Unreachable, request

    url = (base_url or "https://api.openai.com/v1").rstrip("/") + "/models"
    try:
        reply = request(url, token=key or None, timeout=wait)
    except Unreachable as exc:
        ask.say(f"  Not checked: {exc}.")
        return []
    if reply.status != 200:
        ask.say(f"  {url} answered HTTP {reply.status}: check the key.")
        return []
    data = reply.body.get("data")
    models = (
        [str(m.get("id")) for m in data if isinstance(m, dict)] if isinstance(data, list) else []
    )
    ask.say(f"  ok: the server answers with {len(models)} models")
    return models


def check_zone(zone: str) -> str | None:
    try:
        ZoneInfo(zone)
    except (KeyError, ValueError):
        return f"{zone!r} is not a time zone; use an IANA name like Europe/Oslo."
    return None


def check_time(text: str) -> str | None:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    if match and int(match.group(1)) < 24 and int(match.group(2)) < 60:
        return None
    return f"{text!r} is not a time like 08:30."
