"""Which template a story follows, and whether a batch sticks to one (QUS "uniform").

A backlog that mixes "As a …, I want …, so that …" stories with bare tasks ("Implement SSO") is
harder to scan, estimate and export; the reviewer should see the odd one out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from .text import words
from .types import Check, Finding, StoryDraft
from .vocab import TASK_PHRASES, TASK_VERBS

Template = Literal["role_goal_benefit", "role_goal", "task"]

_DESCRIPTION: dict[Template, str] = {
    "role_goal_benefit": '"As a …, I want …, so that …"',
    "role_goal": '"As a …, I want …" without a "so that" benefit',
    "task": "a task with no user role",
}
_RANK: tuple[Template, ...] = ("role_goal_benefit", "role_goal", "task")
_LEADING_WANT = re.compile(r"^\s*(?:i\s+want\s+|jeg\s+vil\s+)?(?:to|å)\s+", re.IGNORECASE)
_LEADING_SO_THAT = re.compile(r"^\s*(?:so\s+that|slik\s+at|sånn\s+at)\s+", re.IGNORECASE)


def goal_text(story: StoryDraft) -> str:
    """The means without a leading "I want to" / "to" / "å", as a reviewer would quote it."""
    return _LEADING_WANT.sub("", story.goal.strip(), count=1)


def benefit_text(story: StoryDraft) -> str:
    """The end without a leading "so that" / "slik at" the model may have included."""
    return _LEADING_SO_THAT.sub("", story.benefit.strip(), count=1)


def is_task(story: StoryDraft) -> bool:
    """Whether the goal describes developer work ("Implement SSO") rather than a user's want."""
    tokens = words(goal_text(story))
    if not tokens:
        return False
    opening = " ".join(tokens[:3])
    return tokens[0] in TASK_VERBS or any(
        opening == p or opening.startswith(p + " ") for p in TASK_PHRASES
    )


def template_of(story: StoryDraft) -> Template:
    """The template a story is written in, judged from which parts are filled in."""
    if not story.role.strip() or is_task(story):
        return "task"
    return "role_goal_benefit" if story.benefit.strip() else "role_goal"


def uniform(stories: Sequence[StoryDraft]) -> list[list[Finding]]:
    """Per story, a finding when it falls short of the template the rest of the batch uses.

    The batch's template is the fullest one any of its stories uses, so the odd one out is the
    story that lacks something its neighbours have (a role, a benefit), never the story that
    has more. A batch made only of tasks gets no uniform findings: it is uniform, and
    `well_formed` already flags every task.
    """
    templates = [template_of(story) for story in stories]
    present = [t for t in _RANK if t in templates]
    if len(stories) < 2 or present[0] == "task":
        return [[] for _ in stories]
    target = present[0]
    return [
        []
        if template == target
        else [
            Finding(
                Check.UNIFORM,
                "warning",
                f"This story is written as {_DESCRIPTION[template]}; "
                f"other stories in this batch use {_DESCRIPTION[target]}: rewrite it to match.",
            )
        ]
        for template in templates
    ]
