"""The projects file (`apo.yaml` by default): which Slack channels belong to which project,
who reviews, and when each side of the team wants its morning digest.

It is validated on load so that a typo in a time zone or a channel id is reported with the
file, the project and the field, instead of surfacing later as a digest that never arrives.
"""

from __future__ import annotations

import re
from datetime import date, time
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.domain.languages import LANGUAGES
from bot.errors import ConfigError

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ChannelId = Annotated[str, Field(pattern=r"^[CGD][A-Z0-9]{2,}$")]
UserId = Annotated[str, Field(pattern=r"^[UW][A-Z0-9]{2,}$")]
# A Slack workspace id, as auth.test and the install flow report it.
TeamId = Annotated[str, Field(pattern=r"^T[A-Z0-9]{2,}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Holidays(_Strict):
    """Days without a digest: explicit dates and/or a country calendar (`holidays` package)."""

    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    dates: tuple[date, ...] = ()

    @field_validator("country", mode="before")
    @classmethod
    def _not_a_yaml_boolean(cls, value: object) -> object:
        # YAML 1.1 reads an unquoted NO (Norway) as false, and ON, YES, Y, N likewise.
        if isinstance(value, bool):
            raise ValueError(
                f"YAML read an unquoted country code as {str(value).lower()}; "
                'quote it: "NO" (or whichever code you meant)'
            )
        return value


class Side(_Strict):
    """One side of the split team (client or developers) and its digest schedule."""

    timezone: str
    channel: ChannelId
    digest_time: time = time(8, 30)
    working_days: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")
    holidays: Holidays = Holidays()

    @field_validator("digest_time", mode="before")
    @classmethod
    def _not_a_yaml_number(cls, value: object) -> object:
        # YAML 1.1 reads an unquoted 8:30 as the base-60 number 510, which would otherwise be
        # taken as 510 seconds after midnight (00:08:30).
        if isinstance(value, int) and not isinstance(value, bool):
            hours, minutes = divmod(value, 60)
            written = f"{hours}:{minutes:02d}"
            raise ValueError(
                f"YAML read an unquoted {written} as the number {value}; "
                f'quote it: "{hours:02d}:{minutes:02d}"'
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown time zone {value!r}; use an IANA name like Europe/Oslo"
            ) from exc
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class JiraConfig(_Strict):
    """Where a project's approved stories go in Jira Cloud (README → Jira). The account and
    API token come from the environment (JIRA_EMAIL, JIRA_API_TOKEN), never from this file."""

    site: str = Field(pattern=r"^https?://[^/\s]+/?$")
    project: str = Field(pattern=r"^[A-Z][A-Z0-9_]{0,19}$")
    issue_type: str = Field(default="Story", min_length=1)
    parent: str | None = Field(default=None, pattern=r"^[A-Z][A-Z0-9_]{0,19}-[1-9][0-9]*$")
    story_points_field: str | None = Field(default=None, pattern=r"^customfield_[0-9]+$")
    push: Literal["on_approval", "button"] = "on_approval"
    labels: tuple[Annotated[str, Field(pattern=r"^[^\s]{1,100}$")], ...] = ()

    @property
    def base_url(self) -> str:
        return self.site.rstrip("/")


class Project(_Strict):
    key: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")
    name: str
    # The workspace the project lives in: required with APO_SLACK_OAUTH (several workspaces),
    # optional with one SLACK_BOT_TOKEN. Its listeners act only on that workspace's events.
    team_id: TeamId | None = None
    language: str = "English"
    # Other languages people write the project's records and questions in (English or
    # Norwegian): a record in one of these languages is also indexed translated into the others
    # and into `language`, so a question in any of them finds it.
    languages: tuple[str, ...] = ()
    channels: tuple[ChannelId, ...] = ()
    reviewers: tuple[UserId, ...] = ()
    client: Side
    team: Side
    quiet_digest: Literal["skip", "one_line"] = "one_line"
    decision_emoji: str = "pushpin"
    jira: JiraConfig | None = None

    @property
    def tracker_name(self) -> str | None:
        return "Jira" if self.jira else None

    @property
    def push_mode(self) -> Literal["on_approval", "button"] | None:
        """How approved stories reach the tracker: at approval, by a button, or not at all."""
        return self.jira.push if self.jira else None

    @field_validator("languages")
    @classmethod
    def _translatable(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        known = {name.casefold() for name in LANGUAGES}
        unknown = [name for name in value if name.strip().casefold() not in known]
        if unknown:
            raise ValueError(
                f"the bot translates records only between {' and '.join(LANGUAGES)}, "
                f"not {', '.join(unknown)}"
            )
        return value

    @property
    def all_channels(self) -> frozenset[str]:
        """Every channel that belongs to the project: listed ones plus both digest channels."""
        return frozenset((*self.channels, self.client.channel, self.team.channel))

    def is_reviewer(self, user_id: str) -> bool:
        return user_id in self.reviewers


class ProjectsConfig(_Strict):
    projects: tuple[Project, ...] = ()

    @model_validator(mode="after")
    def _unique(self) -> ProjectsConfig:
        seen_keys: set[str] = set()
        owner: dict[str, str] = {}
        for project in self.projects:
            if project.key in seen_keys:
                raise ValueError(f"project key {project.key!r} is used twice")
            seen_keys.add(project.key)
            for channel in project.all_channels:
                if channel in owner and owner[channel] != project.key:
                    raise ValueError(
                        f"channel {channel} belongs to both {owner[channel]!r} and "
                        f"{project.key!r}; a channel can serve only one project"
                    )
                owner[channel] = project.key
        return self

    def for_channel(self, channel_id: str | None) -> Project | None:
        """The project a channel belongs to, or None when the channel is not mapped."""
        if not channel_id:
            return None
        return next((p for p in self.projects if channel_id in p.all_channels), None)

    def for_team(self, team_id: str | None) -> ProjectsConfig:
        """The projects a workspace may act on: those naming it, and those naming none (one
        workspace, where every project is the token's). A request whose workspace is unknown
        (None) sees only the latter."""
        return ProjectsConfig(
            projects=tuple(p for p in self.projects if p.team_id is None or p.team_id == team_id)
        )

    @property
    def team_ids(self) -> frozenset[str]:
        return frozenset(p.team_id for p in self.projects if p.team_id)

    def get(self, key: str) -> Project:
        for project in self.projects:
            if project.key == key:
                return project
        known = ", ".join(p.key for p in self.projects) or "none"
        raise ConfigError(f"There is no project {key!r} in the projects file (known: {known}).")


def load_projects(path: str | Path, *, require_team: bool = False) -> ProjectsConfig:
    """Load and validate the projects file; a missing file means no projects yet.
    `require_team` (several workspaces) makes each project name its workspace."""
    file = Path(path)
    if not file.exists():
        return ProjectsConfig()
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file} cannot be read: {exc}") from exc
    try:
        raw = yaml.safe_load(text) or {}
        tree = yaml.compose(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{file} is not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{file} must start with `projects:` (see apo.example.yaml).")
    try:
        config = ProjectsConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{file} has problems: {_describe(exc, raw, tree)}") from exc
    if require_team:
        _require_team_ids(file, config, tree)
    return config


def _require_team_ids(file: Path, config: ProjectsConfig, tree: yaml.Node | None) -> None:
    missing = []
    for index, project in enumerate(config.projects):
        if project.team_id is None:
            line = _line_of(tree, ["projects", index])
            where = f"line {line}: " if line else ""
            missing.append(f"{where}projects[{project.key}]: team_id is missing")
    if missing:
        raise ConfigError(
            f"{file} has problems: {'; '.join(missing)}. With APO_SLACK_OAUTH=true every "
            "project names its Slack workspace (`team_id: T…`; `apo doctor` lists the "
            "installed workspaces and their ids)."
        )


def _describe(exc: ValidationError, raw: object, tree: yaml.Node | None) -> str:
    """Name the project by key rather than by list index, which is what a person can find,
    and the line the value is on."""
    parts = []
    for err in exc.errors():
        loc = list(err["loc"])
        line = _line_of(tree, loc)
        if len(loc) >= 2 and loc[0] == "projects" and isinstance(loc[1], int):
            key = _project_key(raw, loc[1])
            loc[1] = f"[{key}]" if key else f"[#{loc[1] + 1}]"
        where = re.sub(r"\.\[", "[", ".".join(str(p) for p in loc))
        message = str(err["msg"]).removeprefix("Value error, ")
        parts.append(f"line {line}: {where}: {message}" if line else f"{where}: {message}")
    return "; ".join(parts)


def _line_of(node: yaml.Node | None, loc: list[int | str]) -> int | None:
    """The 1-based line of the YAML node at `loc`, or of its nearest parent that exists."""
    line = node.start_mark.line + 1 if node is not None else None
    for step in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == str(step):
                    child = value
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value)
        ):
            child = node.value[step]
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return line


def _project_key(raw: object, index: int) -> str | None:
    if isinstance(raw, dict):
        projects = raw.get("projects")
        if isinstance(projects, list) and index < len(projects):
            item = projects[index]
            key = item.get("key") if isinstance(item, dict) else None
            if isinstance(key, str):
                return key
    return None
