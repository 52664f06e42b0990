"""A plain (non-editable) install works away from the source tree: the wheel carries the
prompts, the shared sample knowledge and the migrations, and the `apo` it installs migrates,
indexes, passes `apo doctor` and drafts stories from a file, run from another directory.

The same steps as `deploy/Dockerfile`: build the wheel with pip, install it with `--no-deps`
into an environment that already has the locked dependencies. Here that environment is a fresh
venv that sees this venv's site-packages through a path file, so nothing is downloaded again
and the only `bot` it can import is the installed wheel's.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from bot.doctor.slack_checks import needed_scopes
from tests.harness.fake_openai import FakeOpenAI
from tests.harness.fake_slack import FakeSlack
from tests.story_e2e import batch, story
from tests.test_doctor import PROJECT_YAML

ROOT = Path(__file__).resolve().parent.parent
QUOTE = "The accountant wants to export the monthly report to PDF."


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _source_copy(target: Path) -> Path:
    """The files git knows (tracked, or new and not ignored): what a fresh clone builds."""
    listed = _run("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT)
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with the wheel installed; returns its bin folder."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs the git checkout to know which files a build sees")
    root = tmp_path_factory.mktemp("wheel")
    source = _source_copy(root / "src")
    _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "-q",
        "-w",
        root / "dist",
        source,
        cwd=root,
    )
    [wheel] = (root / "dist").glob("apo_bridge-*.whl")
    venv = root / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=root)
    python = venv / "bin" / "python"
    site = Path(
        _run(
            python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=root
        ).strip()
    )
    # A plain path line: this venv's packages become importable, but its .pth files (the
    # editable install of the source tree) are not run.
    (site / "locked-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--no-deps",
        "--no-index",
        "-q",
        wheel,
        cwd=root,
    )
    return venv / "bin"


def test_the_installed_package_is_the_wheel(installed: Path, tmp_path: Path) -> None:
    where = _run(
        installed / "python",
        "-c",
        "import bot.resources as r; print(r.__file__); print(r.resource_dir('prompts'))",
        cwd=tmp_path,
    ).split()

    assert all(str(installed.parent) in line for line in where), where
    assert _run(installed / "apo", "--help", cwd=tmp_path).startswith("usage: apo")


def test_installed_apo_migrates_indexes_passes_doctor_and_drafts(
    installed: Path, tmp_path: Path, fake_slack: FakeSlack, fake_openai: FakeOpenAI
) -> None:
    (tmp_path / "apo.yaml").write_text(PROJECT_YAML, encoding="utf-8")
    notes = tmp_path / "notes.md"
    notes.write_text(f"# Monthly call\n\n{QUOTE}\n", encoding="utf-8")
    fake_slack.grant_scopes(tuple(sorted(needed_scopes())))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_", "APO_"))}
    env.update(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_APP_TOKEN="xapp-test",
        SLACK_API_URL=fake_slack.url,
        OPENAI_API_KEY="sk-test",
        OPENAI_BASE_URL=fake_openai.url,
        APO_CHAT_MODEL="gpt-test",
        APO_EMBEDDINGS="openai:embed-test",
        APO_DOCTOR_TIMEOUT="30",
        DATABASE_URL=f"sqlite:///{tmp_path / 'data' / 'apo.db'}",
        CHROMA_PATH=str(tmp_path / "data" / "chroma"),
    )
    apo = installed / "apo"

    assert "database is at revision" in _run(apo, "migrate", cwd=tmp_path, env=env)
    knowledge = Path(
        _run(
            installed / "python",
            "-c",
            "from bot.resources import resource_dir; print(resource_dir('knowledge'))",
            cwd=tmp_path,
        ).strip()
    )
    _run(apo, "index", knowledge, "--project", "acme", cwd=tmp_path, env=env)
    report = json.loads(_run(apo, "doctor", "--json", cwd=tmp_path, env=env))
    assert [c["name"] for c in report if c["failed"]] == [], report

    fake_openai.queue_json(
        batch(story("Export report", "to export the monthly report to PDF", [QUOTE]))
    )
    drafted = json.loads(_run(apo, "story", notes, "--json", cwd=tmp_path, env=env))

    assert "Export report" in json.dumps(drafted)
    [request] = fake_openai.requests
    prompt = json.dumps(request["messages"])
    guide = (ROOT / "knowledge" / "shared" / "story-writing-guide.md").read_text("utf-8")
    shipped_prompt = (ROOT / "prompts" / "story_draft.md").read_text("utf-8")
    # The shipped drafting prompt and the shared guidelines went to the model.
    assert json.dumps(shipped_prompt.split("=== system ===")[1].split("\n")[1])[1:-1] in prompt
    assert json.dumps(guide.splitlines()[-1])[1:-1] in prompt
