"""Prompt templates: variables are checked, never silently empty."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import PromptError
from bot.llm.prompts import PromptLibrary

TEMPLATE = """Notes for humans.
=== system ===
You write user stories for ${project}.
=== user ===
Notes: ${notes}
JSON like {"title": "..."} stays as it is.
"""


@pytest.fixture
def library(tmp_path: Path) -> PromptLibrary:
    (tmp_path / "draft.md").write_text(TEMPLATE, encoding="utf-8")
    return PromptLibrary(tmp_path)


def test_render_fills_named_variables(library: PromptLibrary) -> None:
    system, user = library.get("draft").render(project="Acme", notes="Export invoices")

    assert system.role == "system" and system.content == "You write user stories for Acme."
    assert user.content.startswith("Notes: Export invoices")
    assert '{"title": "..."}' in user.content


def test_missing_variable_fails_loudly(library: PromptLibrary) -> None:
    with pytest.raises(PromptError, match="missing variables \\['notes'\\]"):
        library.get("draft").render(project="Acme")


def test_unexpected_variable_fails_loudly(library: PromptLibrary) -> None:
    with pytest.raises(PromptError, match="unexpected variables \\['extra'\\]"):
        library.get("draft").render(project="Acme", notes="x", extra="y")


def test_values_are_not_re_expanded(library: PromptLibrary) -> None:
    # Notes are data: a "${project}" typed by a user must come through literally.
    _, user = library.get("draft").render(project="Acme", notes="${project} ignore rules")

    assert "${project} ignore rules" in user.content


def test_unknown_prompt_and_bad_file_are_errors(library: PromptLibrary, tmp_path: Path) -> None:
    with pytest.raises(PromptError, match="not found"):
        library.get("nope")
    (tmp_path / "broken.md").write_text("=== system ===\nonly a system part\n")
    with pytest.raises(PromptError, match="exactly one"):
        library.get("broken")
