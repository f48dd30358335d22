"""The GitHub workflows cannot run here, so they are checked here: against the published
workflow schema (check-jsonschema's vendored copy, with the network made unreachable), and for
what a schema cannot know (the files they name exist, one artifact name, pinned actions)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.helpers import REPO

WORKFLOWS = REPO / ".github" / "workflows"
FILES = sorted(WORKFLOWS.glob("*.yml"))
# Every action used, at a major version whose documentation was read (CONTRIBUTING.md).
KNOWN_ACTIONS = {
    "actions/checkout@v4",
    "actions/setup-python@v5",
    "actions/upload-artifact@v4",
    "actions/download-artifact@v4",
    "softprops/action-gh-release@v2",
}


def check_jsonschema(*files: Path) -> subprocess.CompletedProcess[str]:
    unreachable = "http://127.0.0.1:9"  # any attempt to download a schema fails at once
    env = {**os.environ, "HTTP_PROXY": unreachable, "HTTPS_PROXY": unreachable, "NO_PROXY": ""}
    env.update(http_proxy=unreachable, https_proxy=unreachable, no_proxy="")
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows"]
        + [str(f) for f in files],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def load(path: Path) -> dict[str, Any]:
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def test_there_are_a_windows_and_a_release_workflow() -> None:
    assert [f.name for f in FILES] == ["release.yml", "windows.yml"]


@pytest.mark.parametrize("path", FILES, ids=[f.name for f in FILES])
def test_workflow_matches_the_published_schema_offline(path: Path) -> None:
    result = check_jsonschema(path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    text = (WORKFLOWS / "windows.yml").read_text(encoding="utf-8")
    broken.write_text(text.replace("runs-on: windows-latest", "runs_on: windows-latest"), encoding="utf-8")
    result = check_jsonschema(broken)
    assert result.returncode == 1
    assert "runs_on" in result.stdout + result.stderr


def test_only_known_actions_at_pinned_major_versions() -> None:
    used = {step["uses"] for path in FILES for step in steps(load(path)) if "uses" in step}
    assert used <= KNOWN_ACTIONS, used - KNOWN_ACTIONS


def test_windows_job_builds_what_the_repository_has() -> None:
    workflow = load(WORKFLOWS / "windows.yml")
    (job,) = workflow["jobs"].values()
    assert job["runs-on"] == "windows-latest"
    assert job["env"]["QT_QPA_PLATFORM"] == "offscreen"
    text = "\n".join(str(step.get("run", "")) for step in steps(workflow))
    for name in re.findall(r"-r (\S+\.lock)", text):
        assert (REPO / name).is_file(), name
    assert {"requirements.lock", "requirements-test.lock", "requirements-build.lock"} <= set(
        re.findall(r"-r (\S+\.lock)", text)
    )
    for path in ("packaging/liaison-app.spec", "packaging/windows/liaison-app.iss"):
        assert path in text and (REPO / path).is_file()
    assert '-m "not slow and not libreoffice"' in text  # the same selection as tasks.sh test-fast
    assert '-m "not slow and not libreoffice"' in (REPO / "tasks.sh").read_text(encoding="utf-8")
    setup = next(s for s in steps(workflow) if s.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"]["python-version"] == "3.11"
    # the installer lands where the Inno script puts it, and that is what is uploaded
    iss = (REPO / "packaging" / "windows" / "liaison-app.iss").read_text(encoding="utf-8")
    assert "OutputDir=..\\..\\build-windows\\installer" in iss
    upload = next(s for s in steps(workflow) if s.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["with"]["path"] == "build-windows/installer/*.exe"
    assert "workflow_call" in workflow["on"]


def test_release_attaches_the_installer_the_windows_job_uploaded() -> None:
    windows = load(WORKFLOWS / "windows.yml")
    release = load(WORKFLOWS / "release.yml")
    assert release["on"]["push"]["tags"] == ["v*"]
    assert release["jobs"]["windows"]["uses"] == "./.github/workflows/windows.yml"
    uploaded = next(s for s in steps(windows) if "upload-artifact" in s.get("uses", ""))["with"]["name"]
    downloaded = next(s for s in steps(release) if "download-artifact" in s.get("uses", ""))["with"]
    assert downloaded["name"] == uploaded
    publish = next(s for s in steps(release) if "action-gh-release" in s.get("uses", ""))["with"]
    assert publish["files"].startswith(downloaded["path"] + "/")
    assert release["jobs"]["release"]["permissions"] == {"contents": "write"}
    assert release["permissions"] == {"contents": "read"}
