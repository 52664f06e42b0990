"""The doctor's Slack checks: the token, its scopes, the channels and the reviewers."""

from __future__ import annotations

from bot.doctor.check import Check
from bot.doctor.http import Deadline, Reply, Unreachable, request
from bot.errors import ConfigError
from bot.projects import ProjectsConfig
from bot.settings import SLACK_APPS_URL, Settings
from bot.slack import manifest

REJECTED_TOKEN = {"invalid_auth", "not_authed", "account_inactive", "token_revoked"}
REINSTALL = (
    f"add them on your app's OAuth & Permissions page ({SLACK_APPS_URL}) or recreate the app "
    "from deploy/slack-app-manifest.yaml, then reinstall it to the workspace"
)


def slack_checks(settings: Settings, projects: ProjectsConfig, deadline: Deadline) -> list[Check]:
    if settings.slack_oauth:
        from bot.doctor.workspace_checks import workspace_checks

        return workspace_checks(settings, projects, deadline)
    try:
        token = settings.require_bot_token()
    except ConfigError as exc:
        return [Check("slack", False, exc.user_message)]
    return token_checks(settings, token, projects, deadline)


def token_checks(
    settings: Settings, token: str, projects: ProjectsConfig, deadline: Deadline
) -> list[Check]:
    """What one bot token can do for `projects`: it works, its scopes, channels, reviewers."""
    url = settings.slack_api_url + "auth.test"
    try:
        auth = request(url, token=token, form={}, timeout=deadline.timeout())
    except Unreachable as exc:
        return [
            Check(
                "slack",
                False,
                f"Slack is unreachable: {exc}",
                fix="check the network (or SLACK_API_URL); the token was not tried",
            )
        ]
    error = auth.body.get("error") if not auth.body.get("ok") else None
    if error in REJECTED_TOKEN:
        return [
            Check(
                "slack",
                False,
                f"Slack rejected SLACK_BOT_TOKEN ({error}) at {url}",
                fix="copy the Bot User OAuth Token (xoxb-…) from your app's OAuth & Permissions "
                f"page ({SLACK_APPS_URL}) into .env",
            )
        ]
    if error or auth.status != 200:
        return [Check("slack", False, f"auth.test at {url} answered {auth.status} {error or ''}")]
    checks = [_mode(settings, auth), _scopes(auth)]
    checks.append(_channels(settings, token, projects, deadline))
    checks.append(_reviewers(settings, token, projects, deadline))
    return checks


def _mode(settings: Settings, auth: Reply) -> Check:
    who = f"auth.test ok as {auth.body.get('user')} in {auth.body.get('team')}"
    if settings.slack_oauth:
        return Check("slack", True, f"{who}; installed through the OAuth flow")
    if settings.socket_mode:
        return Check("slack", True, f"{who}; Socket Mode (SLACK_APP_TOKEN set)")
    if settings.slack_signing_secret is not None:
        return Check("slack", True, f"{who}; HTTP mode, signing secret set")
    return Check(
        "slack",
        False,
        f"{who}; neither SLACK_APP_TOKEN nor SLACK_SIGNING_SECRET is set",
        fix="set SLACK_APP_TOKEN (xapp-…, Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode)",
    )


def needed_scopes() -> frozenset[str]:
    """The bot scopes the app manifest asks for: what the features need."""
    return manifest.needed_scopes()


def _scopes(auth: Reply) -> Check:
    header = auth.headers.get("x-oauth-scopes")
    if header is None:
        return Check(
            "slack scopes", False, "Slack did not report the granted scopes", optional=True
        )
    granted = {s.strip() for s in header.split(",") if s.strip()}
    missing = sorted(needed_scopes() - granted)
    if missing:
        return Check("slack scopes", False, f"missing: {', '.join(missing)}", fix=REINSTALL)
    return Check("slack scopes", True, f"all {len(needed_scopes())} scopes the features need")


def _channels(
    settings: Settings, token: str, projects: ProjectsConfig, deadline: Deadline
) -> Check:
    missing, outside, unchecked, fine = [], [], [], 0
    for project in projects.projects:
        for channel in sorted(project.all_channels):
            if deadline.passed:
                unchecked.append(channel)
                continue
            reply = _call(settings, "conversations.info", token, {"channel": channel}, deadline)
            if reply is None:
                unchecked.append(channel)
            elif not reply.body.get("ok"):
                missing.append(f"{channel} ({project.key}: {reply.body.get('error')})")
            elif not reply.body.get("channel", {}).get("is_member"):
                name = reply.body.get("channel", {}).get("name", channel)
                outside.append(f"#{name} ({channel})")
            else:
                fine += 1
    problems = []
    fixes = []
    if missing:
        problems.append("not found: " + ", ".join(missing))
        fixes.append("correct the channel ids in the projects file (private: invite the bot)")
    if outside:
        problems.append("the bot is not in: " + ", ".join(outside))
        fixes.append("type /invite @<bot name> in each of those channels")
    if unchecked:
        problems.append("not checked (Slack did not answer in time): " + ", ".join(unchecked))
    if not problems:
        return Check("channels", True, f"the bot is in all {fine} configured channels")
    return Check("channels", False, "; ".join(problems), fix="; ".join(fixes) or "run it again")


def _reviewers(
    settings: Settings, token: str, projects: ProjectsConfig, deadline: Deadline
) -> Check:
    unknown, unchecked, fine = [], [], 0
    for project in projects.projects:
        for user in project.reviewers:
            reply = _call(settings, "users.info", token, {"user": user}, deadline)
            if reply is None:
                unchecked.append(user)
            elif reply.body.get("error") == "missing_scope":
                return Check(
                    "reviewers",
                    False,
                    "not checked: the token lacks the users:read scope",
                    fix=REINSTALL,
                )
            elif not reply.body.get("ok") or reply.body.get("user", {}).get("deleted"):
                unknown.append(
                    f"{user} ({project.key}: {reply.body.get('error') or 'deactivated'})"
                )
            else:
                fine += 1
    if unknown:
        return Check(
            "reviewers",
            False,
            "unknown: " + ", ".join(unknown),
            fix="copy each reviewer's member id (profile > ⋮ > Copy member ID) into the "
            "projects file",
        )
    if unchecked:
        return Check("reviewers", False, "not checked in time: " + ", ".join(unchecked))
    return Check("reviewers", True, f"all {fine} reviewers exist")


def _call(
    settings: Settings, method: str, token: str, form: dict[str, str], deadline: Deadline
) -> Reply | None:
    if deadline.passed:
        return None
    try:
        return request(
            settings.slack_api_url + method, token=token, form=form, timeout=deadline.timeout()
        )
    except Unreachable:
        return None
