"""HomeService on in-memory lists: who sees which projects, reviews and decisions, the private
rules, and the next digest times; one store call per section however many projects."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from datetime import UTC, datetime

from bot.domain import MessageRef
from bot.domain.home import HomeView, OpenQuestion, RecentDecision, WaitingStory
from bot.projects import Project, ProjectsConfig
from bot.services.home.service import PRIVATE_QUESTION, HomeService
from tests.fakes import FixedClock

TEAM, CLIENT, PRIVATE = "C0TEAM", "C0CLIENT", "C0SECRET"
REVIEWER, DEVELOPER = "U0APO", "U0DEV"
PROJECTS = ProjectsConfig.model_validate(
    {
        "projects": [
            {
                "key": "acme",
                "name": "Acme Invoicing",
                "channels": [TEAM, CLIENT, PRIVATE],
                "reviewers": [REVIEWER],
                "client": {"timezone": "Europe/Oslo", "channel": CLIENT, "digest_time": "08:30"},
                "team": {"timezone": "Asia/Bangkok", "channel": TEAM, "digest_time": "09:00"},
            },
            {
                "key": "globex",
                "name": "Globex Portal",
                "reviewers": ["U0G"],
                "client": {"timezone": "Europe/Oslo", "channel": "C0GLOBEXCL"},
                "team": {"timezone": "Asia/Bangkok", "channel": "C0GLOBEXTM"},
            },
        ]
    }
)
AT = datetime(2026, 3, 3, 6, 0, tzinfo=UTC)  # a Tuesday


def story(story_id: int, project: str, *, private: bool = False) -> WaitingStory:
    channel = PRIVATE if private else TEAM
    return WaitingStory(
        story_id, project, f"Story {story_id}", "As a user…", channel, private, None
    )


def question(qid: int, project: str, asker: str, *, private: bool = False) -> OpenQuestion:
    channel = PRIVATE if private else TEAM
    where = MessageRef(CLIENT, f"{qid}.0")
    return OpenQuestion(qid, project, f"Question {qid}?", asker, channel, private, AT, where)


def decision(
    did: int, project: str, *, channel: str = TEAM, private: bool = False
) -> RecentDecision:
    return RecentDecision(did, project, f"Decision {did}", REVIEWER, AT, None, channel, private)


class ListStore:
    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.stories = [story(1, "acme"), story(2, "acme", private=True), story(3, "globex")]
        self.questions = [
            question(10, "acme", DEVELOPER, private=True),
            question(11, "globex", "U9"),
        ]
        self.decisions = [
            decision(20, "acme"),
            decision(21, "acme", channel=PRIVATE, private=True),
            decision(22, "globex"),
        ]

    def waiting_stories(self, projects: Collection[str], limit: int) -> list[WaitingStory]:
        self.calls["waiting"] += 1
        return [s for s in self.stories if s.project in projects][:limit]

    def escalated_questions(self, projects: Collection[str], limit: int) -> list[OpenQuestion]:
        self.calls["escalated"] += 1
        return [q for q in self.questions if q.project in projects][:limit]

    def open_questions_of(self, asker_id: str, limit: int) -> list[OpenQuestion]:
        self.calls["mine"] += 1
        return [q for q in self.questions if q.asker_id == asker_id][:limit]

    def recent_decisions(self, projects: Collection[str], limit: int) -> list[RecentDecision]:
        self.calls["decisions"] += 1
        return [d for d in self.decisions if d.project in projects][:limit]


class Members:
    def __init__(self, channels: dict[str, set[str]]) -> None:
        self.channels = channels

    def belongs_to(self, user_id: str, project: Project) -> bool:
        return project.is_reviewer(user_id) or any(
            user_id in self.channels.get(c, set()) for c in project.all_channels
        )

    def is_member(self, user_id: str, channel_id: str) -> bool:
        return user_id in self.channels.get(channel_id, set())


class Published:
    def __init__(self) -> None:
        self.views: list[HomeView] = []

    def publish(self, view: HomeView) -> None:
        self.views.append(view)


def home(user: str, members: dict[str, set[str]], store: ListStore | None = None) -> HomeView:
    service = HomeService(store or ListStore(), PROJECTS, FixedClock(AT))
    return service.view_for(user, Members(members))


def test_a_developer_sees_only_their_projects_public_decisions_and_no_reviews() -> None:
    view = home(DEVELOPER, {TEAM: {DEVELOPER}, PRIVATE: {REVIEWER}})

    [acme] = view.projects
    assert acme.key == "acme" and not acme.reviewer
    assert acme.waiting == () and acme.escalated == ()
    assert [d.id for d in acme.decisions] == [20]  # decision 21 is private to C0SECRET
    assert [q.text for q in acme.mine] == ["Question 10?"]  # their own, in full


def test_a_reviewer_outside_the_private_channel_sees_no_private_text() -> None:
    view = home(REVIEWER, {TEAM: {REVIEWER}})

    [acme] = view.projects
    assert [s.id for s in acme.waiting] == [1]
    [escalated] = acme.escalated
    assert escalated.text == PRIVATE_QUESTION and escalated.redacted
    assert [d.id for d in acme.decisions] == [20]


def test_a_member_of_the_private_channel_sees_what_came_from_it() -> None:
    view = home(REVIEWER, {TEAM: {REVIEWER}, PRIVATE: {REVIEWER}})

    [acme] = view.projects
    assert [s.id for s in acme.waiting] == [1, 2]
    assert acme.escalated[0].text == "Question 10?"
    assert {d.id for d in acme.decisions} == {20, 21}


def test_one_store_call_per_section_for_several_projects() -> None:
    store = ListStore()
    view = home("U0G", {TEAM: {"U0G"}}, store)

    assert [p.key for p in view.projects] == ["acme", "globex"]
    assert store.calls == Counter(waiting=1, escalated=1, mine=1, decisions=1)
    globex = view.projects[1]
    assert [s.id for s in globex.waiting] == [3] and globex.reviewer


def test_next_digests_are_each_sides_next_local_time() -> None:
    [acme] = home(REVIEWER, {}).projects

    by_side = {d.side: d for d in acme.digests}
    # 06:00 UTC Tuesday: 13:00 in Bangkok (today's 09:00 passed), 07:00 in Oslo (08:30 to come)
    assert by_side["client"].local.isoformat().startswith("2026-03-03T08:30")
    assert by_side["team"].local.isoformat().startswith("2026-03-04T09:00")


def test_refresh_publishes_each_person_once() -> None:
    published = Published()
    service = HomeService(ListStore(), PROJECTS, FixedClock(AT))

    service.refresh([REVIEWER, DEVELOPER, REVIEWER], Members({TEAM: {DEVELOPER}}), published)

    assert [v.user_id for v in published.views] == [REVIEWER, DEVELOPER]
