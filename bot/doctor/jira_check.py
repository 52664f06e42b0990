"""`apo doctor`'s Jira checks: for each project with a `jira:` block, the account signs in,
the project and issue type exist, the epic exists, and the create screen has every field the
bot fills (story points included)."""

from __future__ import annotations

from bot.doctor.check import Check
from bot.projects import ProjectsConfig
from bot.settings import Settings, is_placeholder
from bot.trackers.jira import CREDENTIALS, JiraTracker


def jira_checks(settings: Settings, projects: ProjectsConfig, timeout: float) -> list[Check]:
    configured = [p for p in projects.projects if p.jira is not None]
    if not configured:
        return [Check("jira", True, "not used (no project in the projects file has a jira: block)")]
    email, token = settings.jira_email, settings.jira_api_token
    if not email or token is None or is_placeholder(token):
        keys = ", ".join(p.key for p in configured)
        return [
            Check(
                "jira",
                False,
                f"{keys} file stories in Jira, but {CREDENTIALS} are not set",
                fix="create an API token at https://id.atlassian.com/manage-profile/security/"
                "api-tokens and set JIRA_EMAIL (its account) and JIRA_API_TOKEN in .env",
            )
        ]
    checks = []
    for project in configured:
        assert project.jira is not None
        tracker = JiraTracker(
            project.jira, email=email, token=token.get_secret_value(), timeout=timeout, max_wait=0
        )
        name = f"jira ({project.key})"
        problems = tracker.problems()
        if not problems:
            where = f"{project.jira.base_url} project {project.jira.project}"
            under = f" under {project.jira.parent}" if project.jira.parent else ""
            detail = f"{where}: {project.jira.issue_type} issues{under}, {project.jira.push}"
            checks.append(Check(name, True, detail))
        for problem, fix in problems:
            checks.append(Check(name, False, problem, fix=f"check {fix}" if fix else ""))
    return checks
