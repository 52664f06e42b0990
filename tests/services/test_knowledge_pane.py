"""PaneService: which project a question in the agent pane is about, never guessed across
projects, and what to suggest when the pane opens."""

from __future__ import annotations

from bot.domain import MessageRef
from bot.domain.knowledge import PaneThread
from bot.projects import Project
from bot.services.knowledge.pane import DraftRequest, PaneService, Reply
from bot.services.knowledge.views import AskInput
from tests.services.knowledge_setup import PRIVATE, PROJECTS, TEAM

PANE = MessageRef("D0DEV", "1.0")
USER = "U0DEV"


class MemoryThreads:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], PaneThread] = {}

    def get(self, channel: str, thread_ts: str) -> PaneThread | None:
        return self.rows.get((channel, thread_ts))

    def save(self, thread: PaneThread) -> None:
        self.rows[(thread.channel, thread.thread_ts)] = thread


class InProjects:
    def __init__(self, *keys: str) -> None:
        self.keys = set(keys)

    def belongs_to(self, user_id: str, project: Project) -> bool:
        return project.key in self.keys

    def is_member(self, user_id: str, channel_id: str) -> bool:
        return False


def test_the_channel_in_view_decides_the_project_and_the_question_is_private() -> None:
    pane = PaneService(MemoryThreads(), PROJECTS)
    pane.started(PANE, USER, TEAM, InProjects("acme", "globex"))

    routed = pane.route(PANE, USER, "When are invoices due?", "2.0", InProjects("acme", "globex"))

    assert isinstance(routed, AskInput)
    assert (routed.project, routed.channel, routed.thread_ts) == ("acme", "D0DEV", "1.0")
    assert routed.private  # searched as a DM: private channels' records stay there


def test_ambiguous_asks_once_then_answers_the_kept_question_with_the_key() -> None:
    pane = PaneService(MemoryThreads(), PROJECTS)
    both = InProjects("acme", "globex")
    pane.started(PANE, USER, None, both)

    which = pane.route(PANE, USER, "When are invoices due?", "2.0", both)
    assert isinstance(which, Reply) and "`acme`" in which.text and "`globex`" in which.text

    routed = pane.route(PANE, USER, "acme", "3.0", both)
    assert isinstance(routed, AskInput)
    assert (routed.project, routed.text) == ("acme", "When are invoices due?")
    later = pane.route(PANE, USER, "And credit notes?", "4.0", both)
    assert isinstance(later, AskInput) and later.project == "acme"  # chosen for the thread


def test_a_key_prefix_wins_and_a_non_member_is_refused() -> None:
    pane = PaneService(MemoryThreads(), PROJECTS)
    pane.started(PANE, USER, TEAM, InProjects("acme"))

    refused = pane.route(PANE, USER, "globex: what is open?", "2.0", InProjects("acme"))

    assert isinstance(refused, Reply) and "not a member of Globex Portal" in refused.text


def test_only_one_project_needs_no_question_and_moving_channels_follows_the_view() -> None:
    threads = MemoryThreads()
    pane = PaneService(threads, PROJECTS)
    pane.started(PANE, USER, None, InProjects("acme"))
    routed = pane.route(PANE, USER, "When are invoices due?", "2.0", InProjects("acme"))
    assert isinstance(routed, AskInput) and routed.project == "acme"

    pane.context_changed(PANE, USER, PRIVATE)
    assert threads.rows[("D0DEV", "1.0")].viewing_channel == PRIVATE


def test_prompts_follow_the_channel_in_view() -> None:
    pane = PaneService(MemoryThreads(), PROJECTS)

    beside = pane.started(PANE, USER, TEAM, InProjects("acme"))
    elsewhere = pane.started(MessageRef("D0DEV", "9.0"), USER, None, InProjects("acme", "globex"))

    assert "What is still open for this sprint?" in [p.message for p in beside.prompts]
    assert "Draft stories from these notes" in [p.message for p in beside.prompts]
    assert [p.message.split(":")[0] for p in elsewhere.prompts] == ["acme", "globex"]


def test_drafting_in_the_pane_points_to_story_in_the_project_channel() -> None:
    pane = PaneService(MemoryThreads(), PROJECTS)
    pane.started(PANE, USER, TEAM, InProjects("acme"))

    hint = pane.route(PANE, USER, "Draft stories from these notes", "2.0", InProjects("acme"))

    assert isinstance(hint, Reply) and "/story" in hint.text and f"<#{TEAM}>" in hint.text


def test_notes_pasted_after_the_draft_prompt_are_drafted_into_the_team_channel() -> None:
    pane = PaneService(MemoryThreads(), PROJECTS)
    pane.started(PANE, USER, TEAM, InProjects("acme"))

    request = pane.route(
        PANE,
        USER,
        "Draft stories from these notes:\nThe accountant wants to credit a sent invoice.",
        "2.0",
        InProjects("acme"),
    )

    assert request == DraftRequest("acme", "The accountant wants to credit a sent invoice.", TEAM)
