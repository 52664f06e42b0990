"""Pytest fixtures for the loopback fakes; registered as a plugin in tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.harness.fake_jira import FakeJira
from tests.harness.fake_openai import FakeOpenAI
from tests.harness.fake_slack import FakeSlack


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


@pytest.fixture
def fake_jira() -> Iterator[FakeJira]:
    with FakeJira() as fake:
        yield fake
