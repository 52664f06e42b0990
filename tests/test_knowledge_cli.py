"""`apo index`, `apo decide` and `apo search` as a person uses them to load and inspect."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.harness.app_server import PROJECTS_YAML

ROOT = Path(__file__).resolve().parents[1]


def apo(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "apo.yaml").write_text(PROJECTS_YAML, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_"))}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'apo.db'}",
        CHROMA_PATH=str(tmp_path / "chroma"),
        APO_CONFIG=str(tmp_path / "apo.yaml"),
    )
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_index_is_stable_and_search_explains_what_the_bot_sees(tmp_path: Path) -> None:
    first = apo(tmp_path, "index", str(ROOT / "knowledge"), "--project", "acme")
    assert first.returncode == 0, first.stderr
    # READMEs and the example notes are about the knowledge, not knowledge: left out, and said
    skipped = [line for line in first.stderr.splitlines() if line.startswith("skipped ")]
    assert any(line.endswith("knowledge/examples/meeting-notes-en.md") for line in skipped)
    assert any(line.endswith("knowledge/projects/acme/decisions/README.md") for line in skipped)
    again = apo(tmp_path, "index", str(ROOT / "knowledge"), "--project", "acme")
    assert again.stdout == first.stdout  # the same sections, updated rather than added

    result = apo(
        tmp_path, "search", "How many days until an invoice is due?", "--project", "acme", "--json"
    )
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["passages"]
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)) and len(ids) == 5
    assert not any("README" in i or "examples" in i for i in ids)
    assert all(0 <= r["similarity"] <= 1 for r in rows)
    assert any("0005-due-date-defaults-to-14-days" in r["id"] for r in rows)
    # a decision record marked "Status: superseded by 0005" is history, not an answer
    assert not any("0002-due-date-defaults-to-30-days" in r["id"] for r in rows)


def test_search_json_shows_the_evidence_and_the_decision(tmp_path: Path) -> None:
    assert apo(tmp_path, "index", str(ROOT / "knowledge"), "--project", "acme").returncode == 0

    result = apo(tmp_path, "search", "hva er forfallsdato", "--project", "acme", "--json")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert set(found) == {"passages", "decision", "reason", "confidence"}
    assert found["decision"] == "answer", found["reason"]
    assert "glossary" in found["passages"][0]["id"]
    assert "forfallsdato" in found["passages"][0]["text"].lower()
    evidence = {
        "id", "kind", "source", "text", "similarity", "keyword_score", "vector_rank",
        "keyword_rank", "term_overlap", "exact_matches", "translations",
    }  # fmt: skip
    assert all(set(p) == evidence for p in found["passages"])
    assert found["passages"][0]["term_overlap"] == 1.0
    assert "confidence" in found["reason"]

    text = apo(tmp_path, "search", "hva er forfallsdato", "--project", "acme")
    assert "would answer" in text.stderr and "confidence" in text.stderr
    nothing = apo(
        tmp_path, "search", "Which pizza place do we order from on Fridays?", "--project", "acme"
    )
    assert "would abstain" in nothing.stderr


def test_decide_then_search_finds_it_and_respects_private_channels(tmp_path: Path) -> None:
    public = apo(
        tmp_path,
        "decide",
        "KID numbers use MOD10 for every invoice.",
        "--project",
        "acme",
        "--channel",
        "C0TEAM",
    )
    private = apo(
        tmp_path,
        "decide",
        "The acquisition budget is 4.2 million NOK.",
        "--project",
        "acme",
        "--channel",
        "C0SECRET",
        "--private",
    )
    assert public.returncode == 0 and private.returncode == 0, public.stderr + private.stderr
    assert "recorded decision #1 in acme" in public.stdout

    from_team = apo(
        tmp_path,
        "search",
        "acquisition budget",
        "--project",
        "acme",
        "--channel",
        "C0TEAM",
        "--json",
    )
    from_secret = apo(
        tmp_path,
        "search",
        "acquisition budget",
        "--project",
        "acme",
        "--channel",
        "C0SECRET",
        "--json",
    )
    assert "4.2 million" not in from_team.stdout
    assert "4.2 million" in from_secret.stdout
    text = apo(tmp_path, "search", "KID MOD10", "--project", "acme", "--channel", "C0TEAM")
    assert "decision:1" in text.stdout and "would answer" in text.stderr


def test_unknown_project_is_a_clear_error(tmp_path: Path) -> None:
    result = apo(tmp_path, "search", "anything", "--project", "nope")

    assert result.returncode == 2
    assert "There is no project 'nope'" in result.stderr and "Traceback" not in result.stderr


def test_two_projects_index_the_same_files_without_overwriting(tmp_path: Path) -> None:
    for project in ("acme", "globex", "acme"):
        result = apo(tmp_path, "index", str(ROOT / "knowledge" / "shared"), "--project", project)
        assert result.returncode == 0, result.stderr
    # the same file through its parent folder must update, not add
    for project in ("acme", "globex"):
        whole = apo(tmp_path, "index", str(ROOT / "knowledge"), "--project", project)
        assert whole.returncode == 0, whole.stderr
    # one client's folder never goes into another project's index
    refused = apo(
        tmp_path, "index", str(ROOT / "knowledge" / "projects" / "acme"), "--project", "globex"
    )
    assert refused.returncode == 2 and "acme's knowledge" in refused.stderr

    for project in ("acme", "globex"):
        found = apo(tmp_path, "search", "due date for invoices", "--project", project, "--json")
        rows = json.loads(found.stdout)["passages"]
        assert rows, f"{project} lost its knowledge"
        assert all(r["id"].startswith(f"knowledge:{project}:") for r in rows)
        if project == "globex":
            assert not any("projects/acme" in r["id"] for r in rows)
        ids = [r["id"] for r in rows]
        assert len(ids) == len(set(ids))
