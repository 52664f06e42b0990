"""Prompt templates stored as files in `prompts/`.

A prompt file has a `=== system ===` section and a `=== user ===` section; variables are
written `${name}`. The set of variables is read from the file when it is loaded, and rendering
with a missing or an unexpected variable raises `PromptError` at once: a silently empty
variable would produce a plausible-looking but wrong prompt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from string import Template

from bot.errors import PromptError
from bot.llm.base import ChatMessage
from bot.resources import resource_dir

_SECTION = re.compile(r"^===\s*(system|user)\s*===\s*$", re.MULTILINE)
_NAME = re.compile(r"[a-z0-9_]+")
_CLOSING_TAG = re.compile(r"</\s*([A-Za-z_][\w-]*)\s*>")
DEFAULT_PROMPTS_DIR = resource_dir("prompts")


@dataclass(frozen=True)
class Prompt:
    name: str
    system: Template
    user: Template

    @property
    def variables(self) -> frozenset[str]:
        return frozenset(self.system.get_identifiers()) | frozenset(self.user.get_identifiers())

    def render(self, **values: str) -> list[ChatMessage]:
        missing = self.variables - values.keys()
        unexpected = values.keys() - self.variables
        if missing or unexpected:
            raise PromptError(
                f"prompt {self.name!r}: missing variables {sorted(missing)}, "
                f"unexpected variables {sorted(unexpected)}"
            )
        # Values are data inside <markers>; a value that closes a marker ("</notes>") must
        # not end the data early and smuggle the rest in as instructions.
        safe = {name: _CLOSING_TAG.sub(r"< /\1>", value) for name, value in values.items()}
        return [
            ChatMessage("system", self.system.substitute(safe)),
            ChatMessage("user", self.user.substitute(safe)),
        ]


class PromptLibrary:
    """Loads prompts by name from a folder, once each."""

    def __init__(self, folder: Path = DEFAULT_PROMPTS_DIR) -> None:
        self.folder = folder
        self._cache: dict[str, Prompt] = {}

    def get(self, name: str, *, variables: frozenset[str] | None = None) -> Prompt:
        """The prompt `name`; with `variables`, check now (at start-up, not at first use)
        that the file uses exactly those."""
        if name not in self._cache:
            self._cache[name] = parse_prompt(name, self._read(name))
        prompt = self._cache[name]
        if variables is not None and prompt.variables != variables:
            raise PromptError(
                f"prompt {name!r} uses {sorted(prompt.variables)}, the code passes "
                f"{sorted(variables)}"
            )
        return prompt

    def names(self) -> list[str]:
        return sorted(p.stem for p in self.folder.glob("*.md") if _NAME.fullmatch(p.stem))

    def _read(self, name: str) -> str:
        if not _NAME.fullmatch(name):
            raise PromptError(f"invalid prompt name {name!r}")
        path = self.folder / f"{name}.md"
        if not path.is_file():
            raise PromptError(f"prompt {name!r} not found in {self.folder}")
        return path.read_text(encoding="utf-8")


def parse_prompt(name: str, text: str) -> Prompt:
    parts = _SECTION.split(text)
    # split() gives [preamble, "system", body, "user", body]; the preamble is for humans.
    sections = dict(zip(parts[1::2], parts[2::2], strict=True))
    if set(sections) != {"system", "user"}:
        raise PromptError(f"prompt {name!r} needs exactly one '=== system ===' and '=== user ==='")
    system, user = Template(sections["system"].strip()), Template(sections["user"].strip())
    for template in (system, user):
        if not template.is_valid():
            raise PromptError(f"prompt {name!r} has a malformed ${{…}} placeholder")
    return Prompt(name, system, user)
