"""`JiraTracker`: the tracker port on Jira Cloud's REST API v3, with an API token.

- create `POST /rest/api/3/issue`, update `PUT /rest/api/3/issue/{key}` (the description in
  ADF, `bot.trackers.adf`), find by label `POST /rest/api/3/search/jql`, link
  `POST /rest/api/3/issueLink` (type "Blocks": the outward issue blocks the inward one), close
  by the first transition into the "done" status category;
- 429 is waited out as its `Retry-After` says (up to `max_wait` seconds, then it counts as
  transient); 5xx, timeouts and dropped connections are transient (`TrackerError.transient`):
  the outcome of such a create is unknown, and the caller searches before creating again;
- 401, 403, 404 and 400 name the setting to fix.

Jira's search is eventually consistent: an issue created a moment ago may not be found yet.
The search before a second create runs on a retry, seconds after the uncertain attempt (the
job's backoff), which is what makes the gap small; README → Jira says so.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import httpx

from bot.domain.tracker import IssueDraft, IssueRef
from bot.errors import TrackerError
from bot.projects import JiraConfig
from bot.trackers.adf import description

log = logging.getLogger(__name__)

CREDENTIALS = "JIRA_EMAIL and JIRA_API_TOKEN"
_RATE_LIMIT_TRIES = 4
_DEFAULT_WAIT = 5.0  # seconds, when a 429 carries no usable Retry-After


class JiraTracker:
    name = "Jira"

    def __init__(
        self,
        config: JiraConfig,
        *,
        email: str,
        token: str,
        timeout: float = 15.0,
        max_wait: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config
        self._client = httpx.Client(
            base_url=config.base_url,
            auth=(email, token),
            timeout=timeout,
            headers={"Accept": "application/json"},
        )
        self._max_wait = max_wait
        self._sleep = sleep

    # -- the port ------------------------------------------------------------------------

    def find(self, marker: str) -> IssueRef | None:
        jql = f'project = "{self.config.project}" AND labels = "{marker}" ORDER BY created ASC'
        body = {"jql": jql, "fields": ["key"], "maxResults": 1}
        found = self._json(self._call("POST", "/rest/api/3/search/jql", "search", json=body))
        issues = found.get("issues") or []
        return self._ref(str(issues[0]["key"])) if issues else None

    def create(self, issue: IssueDraft) -> IssueRef:
        fields = {
            "project": {"key": self.config.project},
            "issuetype": {"name": self.config.issue_type},
            **self._fields(issue),
        }
        if self.config.parent:
            fields["parent"] = {"key": self.config.parent}
        answer = self._call("POST", "/rest/api/3/issue", "create issues", json={"fields": fields})
        return self._ref(str(self._json(answer)["key"]))

    def update(self, key: str, issue: IssueDraft) -> None:
        """Summary, description, points and priority as the story says now; labels are only
        added, so labels the team put on the issue in Jira stay."""
        fields = self._fields(issue)
        labels = [{"add": label} for label in fields.pop("labels")]
        body = {"fields": fields, "update": {"labels": labels}}
        self._call("PUT", f"/rest/api/3/issue/{key}", "edit issues", json=body)

    def link_blocks(self, blocker: str, blocked: str) -> None:
        answer = self._call(
            "GET", f"/rest/api/3/issue/{blocked}", "browse issues", params={"fields": "issuelinks"}
        )
        links = (self._json(answer).get("fields") or {}).get("issuelinks") or []
        for link in links:
            if (link.get("type") or {}).get("name") == "Blocks" and (
                (link.get("inwardIssue") or {}).get("key") == blocker
            ):
                return  # the blocked issue already shows "is blocked by" the blocker
        body = {
            "type": {"name": "Blocks"},
            "outwardIssue": {"key": blocker},
            "inwardIssue": {"key": blocked},
        }
        self._call("POST", "/rest/api/3/issueLink", "link issues", json=body)

    def close(self, key: str) -> None:
        path = f"/rest/api/3/issue/{key}/transitions"
        offered = self._json(self._call("GET", path, "transition issues")).get("transitions") or []
        done = [
            t
            for t in offered
            if ((t.get("to") or {}).get("statusCategory") or {}).get("key") == "done"
        ]
        if not done:
            raise TrackerError(
                f"Jira offers no way from {key}'s status to a done status.",
                setting=f"the workflow of Jira project {self.config.project}",
            )
        self._call("POST", path, "transition issues", json={"transition": {"id": done[0]["id"]}})

    # -- for `apo doctor` ------------------------------------------------------------------

    def problems(self) -> list[tuple[str, str]]:
        """What is wrong with the connection, each with its fix; empty when all is well."""
        try:
            self._call("GET", "/rest/api/3/myself", "sign in")
            self._call("GET", f"/rest/api/3/project/{self.config.project}", "browse the project")
            fields = self._create_fields()
            if self.config.parent:
                self._call("GET", f"/rest/api/3/issue/{self.config.parent}", "browse issues")
        except TrackerError as exc:
            return [(exc.user_message, exc.setting or "")]
        wanted = {"summary", "description", "labels"}
        if self.config.parent:
            wanted.add("parent")
        if self.config.story_points_field:
            wanted.add(self.config.story_points_field)
        missing = sorted(wanted - fields)
        if not missing:
            return []
        setting = (
            "jira.story_points_field in apo.yaml (or add the field to the create screen)"
            if self.config.story_points_field in missing
            else f"the create screen of {self.config.issue_type} in Jira project "
            f"{self.config.project}"
        )
        return [(f"Jira's create screen lacks: {', '.join(missing)}.", setting)]

    def _create_fields(self) -> set[str]:
        base = f"/rest/api/3/issue/createmeta/{self.config.project}/issuetypes"
        types = self._json(self._call("GET", base, "create issues"))
        listed = types.get("issueTypes") or types.get("values") or []
        match = [
            t for t in listed if str(t.get("name", "")).lower() == self.config.issue_type.lower()
        ]
        if not match:
            names = ", ".join(str(t.get("name")) for t in listed) or "none"
            raise TrackerError(
                f"Jira project {self.config.project} has no issue type "
                f"{self.config.issue_type!r} (it has: {names}).",
                setting="jira.issue_type in apo.yaml",
            )
        meta = self._json(self._call("GET", f"{base}/{match[0]['id']}", "create issues"))
        listed_fields = meta.get("fields") or meta.get("values") or []
        return {str(f.get("fieldId") or f.get("key")) for f in listed_fields}

    # -- HTTP ------------------------------------------------------------------------------

    def _fields(self, issue: IssueDraft) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "summary": issue.summary,
            "description": description(issue),
            "labels": list(issue.labels),
        }
        if issue.points is not None and self.config.story_points_field:
            fields[self.config.story_points_field] = issue.points
        if issue.priority:
            fields["priority"] = {"name": issue.priority}
        return fields

    def _ref(self, key: str) -> IssueRef:
        return IssueRef(key, f"{self.config.base_url}/browse/{key}")

    def _call(
        self,
        method: str,
        path: str,
        what: str,
        *,
        json: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> httpx.Response:
        for attempt in range(1, _RATE_LIMIT_TRIES + 1):
            try:
                response = self._client.request(method, path, json=json, params=params)
            except httpx.TimeoutException as exc:
                raise TrackerError(
                    f"Jira at {self.config.base_url} did not answer in time.",
                    setting="APO_JIRA_TIMEOUT",
                    transient=True,
                    detail=f"{method} {path}: {exc!r}",
                ) from exc
            except httpx.HTTPError as exc:
                raise TrackerError(
                    f"Jira at {self.config.base_url} cannot be reached.",
                    setting="jira.site in apo.yaml",
                    transient=True,
                    detail=f"{method} {path}: {exc!r}",
                ) from exc
            if response.status_code != 429:
                self._raise_for(response, method, path, what)
                return response
            wait = _retry_after(response)
            if attempt == _RATE_LIMIT_TRIES or wait > self._max_wait:
                break
            log.info("Jira rate limit on %s %s: waiting %.1f s", method, path, wait)
            self._sleep(wait)
        raise TrackerError(
            "Jira keeps answering 429 (too many requests).", transient=True, detail=path
        )

    def _raise_for(self, response: httpx.Response, method: str, path: str, what: str) -> None:
        status = response.status_code
        if status < 400:
            return
        detail = f"{method} {path} → {status}: {response.text[:500]}"
        project = self.config.project
        if status >= 500:
            raise TrackerError(
                f"Jira is having trouble (it answered {status}).", transient=True, detail=detail
            )
        if status == 401:
            raise TrackerError(
                "Jira refused the bot's account and API token (401).",
                setting=CREDENTIALS,
                detail=detail,
            )
        if status == 403:
            raise TrackerError(
                f"Jira does not let the bot's account {what} in project {project} (403).",
                setting=f"the permissions of JIRA_EMAIL's account in Jira project {project}",
                detail=detail,
            )
        if status == 404:
            raise TrackerError(
                f"Jira found nothing at {path} (404): the project, issue or site may be wrong.",
                setting="jira.site and jira.project in apo.yaml",
                detail=detail,
            )
        raise _bad_request(self._json(response), detail)

    def _json(self, response: httpx.Response) -> dict[str, Any]:
        if not response.content:
            return {}
        try:
            data = response.json()
        except ValueError as exc:
            raise TrackerError(
                "Jira answered with something that is not JSON: is jira.site a Jira site?",
                setting="jira.site in apo.yaml",
                detail=response.text[:300],
            ) from exc
        return data if isinstance(data, dict) else {}


_FIELD_SETTINGS = {
    "project": "jira.project in apo.yaml",
    "issuetype": "jira.issue_type in apo.yaml",
    "parent": "jira.parent in apo.yaml",
    "priority": "the story's priority (Jira's priority names)",
    "labels": "jira.labels in apo.yaml",
}


def _bad_request(body: dict[str, Any], detail: str) -> TrackerError:
    """400: Jira names the fields it refused; say which setting each comes from."""
    raw = body.get("errors")
    errors: dict[str, Any] = raw if isinstance(raw, dict) else {}
    messages = [str(m) for m in body.get("errorMessages") or []]
    fields = sorted(str(f) for f in errors)
    settings = [
        _FIELD_SETTINGS.get(f)
        or ("jira.story_points_field in apo.yaml" if f.startswith("customfield_") else f)
        for f in fields
    ]
    said = "; ".join([*(f"{f}: {errors[f]}" for f in fields), *messages]) or "no reason given"
    return TrackerError(
        f"Jira refused the issue (400): {said[:600]}",
        setting=", ".join(settings) or None,
        detail=detail,
    )


def _retry_after(response: httpx.Response) -> float:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return _DEFAULT_WAIT
