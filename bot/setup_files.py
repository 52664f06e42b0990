"""Writing `.env` and `apo.yaml` for `apo init` without clobbering what is there.

`.env`: the lines for the settings being set are replaced in place (or appended); every other
line, comment and setting stays as it was. `apo.yaml`: the project with the same key is replaced,
others are kept; the result is validated before it is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.errors import ConfigError
from bot.projects import ProjectsConfig


def read_env(path: Path) -> dict[str, str]:
    """The settings a `.env` file sets (empty when there is none)."""
    if not path.exists():
        return {}
    from dotenv import dotenv_values

    return {k: v for k, v in dotenv_values(path).items() if v is not None}


def merge_env(text: str, values: dict[str, str | None]) -> str:
    """`text` with each name set to its value (None removes the line), other lines untouched."""
    lines = text.splitlines()
    left = dict(values)
    out = []
    for line in lines:
        match = re.match(r"\s*(?:export\s+)?([A-Z_][A-Z0-9_]*)\s*=", line)
        name = match.group(1) if match else None
        if name is not None and name in left:
            value = left.pop(name)
            if value is not None:
                out.append(f"{name}={value}")
            continue
        out.append(line)
    out += [f"{name}={value}" for name, value in left.items() if value is not None]
    return "\n".join(out) + "\n"


@dataclass(frozen=True)
class SideAnswers:
    timezone: str
    channel: str
    digest_time: str


@dataclass(frozen=True)
class ProjectAnswers:
    key: str
    name: str
    reviewers: tuple[str, ...]
    client: SideAnswers
    team: SideAnswers
    channels: tuple[str, ...] = ()


def project_entry(answers: ProjectAnswers) -> dict[str, Any]:
    def side(s: SideAnswers) -> dict[str, Any]:
        return {"timezone": s.timezone, "channel": s.channel, "digest_time": s.digest_time}

    entry: dict[str, Any] = {"key": answers.key, "name": answers.name}
    if answers.channels:
        entry["channels"] = list(answers.channels)
    entry["reviewers"] = list(answers.reviewers)
    entry["client"] = side(answers.client)
    entry["team"] = side(answers.team)
    return entry


def merge_projects(existing: str | None, answers: ProjectAnswers) -> tuple[str, bool]:
    """The projects file with this project added or replaced, and whether it replaced one."""
    raw = yaml.safe_load(existing) if existing else None
    data: dict[str, Any] = raw if isinstance(raw, dict) else {}
    projects = [p for p in data.get("projects") or [] if isinstance(p, dict)]
    replaced = any(p.get("key") == answers.key for p in projects)
    entry = project_entry(answers)
    projects = [entry if p.get("key") == answers.key else p for p in projects]
    if not replaced:
        projects.append(entry)
    data["projects"] = projects
    try:
        ProjectsConfig.model_validate(data)
    except ValueError as exc:
        raise ConfigError(f"the projects file would not be valid: {exc}") from exc
    header = "# APO Bridge projects file, written by `apo init` (apo.example.yaml explains it).\n"
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)
    # Quoted, so that whoever edits the time next keeps the quotes (unquoted 8:30 is 510).
    body = re.sub(r"(digest_time: )(\d{1,2}:\d{2})$", r'\1"\2"', body, flags=re.M)
    return header + body, replaced
