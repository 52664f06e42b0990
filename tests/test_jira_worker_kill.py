"""A worker SIGKILLed while Jira holds its create (the issue already made, the answer not yet
sent) is replaced; the next worker finds the issue by its label instead of filing another."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from bot.domain.jobs import JobState
from bot.storage.db import Database
from bot.storage.jobs import SqlJobLedger
from bot.storage.story_store import SqlStoryStore
from tests.harness.app_server import REVIEWER, TEAM_CHANNEL
from tests.harness.fake_jira import EMAIL, TOKEN, FakeJira
from tests.harness.fake_openai import FakeOpenAI
from tests.harness.fake_slack import FakeSlack
from tests.harness.waiting import wait_until
from tests.test_jira_e2e import NOTES, drafted_pair, jira_yaml
from tests.test_worker_processes import Processes, cards, env, processes

__all__ = ["env", "processes"]  # the fixtures this module uses from the worker tests


def test_a_worker_killed_mid_push_leaves_one_issue(
    processes: Processes,
    env: dict[str, str],
    tmp_path: Path,
    fake_slack: FakeSlack,
    fake_openai: FakeOpenAI,
    fake_jira: FakeJira,
) -> None:
    (tmp_path / "apo.yaml").write_text(jira_yaml(fake_jira.url), encoding="utf-8")
    env.update(
        APO_JOB_LEASE_SECONDS="2",
        APO_JOB_SWEEP_SECONDS="0.2",
        JIRA_EMAIL=EMAIL,
        JIRA_API_TOKEN=TOKEN,
    )
    fake_openai.queue_json(drafted_pair())
    _, signer = processes.serve("--web-only")
    first_worker = processes.apo("worker", "--threads", "1")
    signer.command("/story", NOTES, channel_id=TEAM_CHANNEL)
    cards(fake_slack, 2)
    fake_jira.hold("create", apply=True)  # Jira makes the issue, then keeps the answer

    signer.block_action("story_approve", "1", user_id=REVIEWER, channel_id=TEAM_CHANNEL)
    wait_until(lambda: fake_jira.waiting == 1, timeout=120, what="Jira never got the create")
    os.kill(first_worker.pid, signal.SIGKILL)
    first_worker.wait(timeout=10)
    fake_jira.release()
    processes.apo("worker", "--threads", "1")

    db = Database(env["DATABASE_URL"])
    ledger = SqlJobLedger(db)
    wait_until(
        lambda: (ledger.state("review:story:1:approved") or (None, 0))[0] == JobState.done,
        timeout=120,
        what="the second worker never finished the push",
    )
    state = ledger.state("review:story:1:approved")
    assert state is not None and state[1] >= 2  # finished by a later attempt, not the first
    [issue] = fake_jira.stories()
    _, stored = SqlStoryStore(db).story(1)
    assert stored.tracked.issue is not None and stored.tracked.issue.key == issue.key
    assert [r.op for r in fake_jira.requests if r.op in ("create", "search")] == [
        "create",
        "search",
    ]
    db.dispose()
