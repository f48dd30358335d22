"""The app installed from a built wheel finds its plan and migrations outside the source tree."""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.helpers import REPO


@pytest.mark.slow
def test_wheel_installs_and_runs_outside_the_source_tree(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
            str(REPO),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = wheels.glob("liaison_app-*.whl")
    env_dir = tmp_path / "clean-venv"
    venv.create(env_dir, with_pip=False)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    target = next((env_dir / "lib").glob("python*/site-packages"))
    # The dependencies come from the test environment; the app itself only from the wheel.
    deps = [p for p in site.getsitepackages() if "site-packages" in p]
    (target / "deps.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    launcher = bin_dir / "liaison-app"
    launcher.write_text(
        f"#!{bin_dir / 'python'}\nimport sys\nfrom liaison_app.cli import main\nsys.exit(main())\n",
        encoding="utf-8",
    )
    launcher.chmod(0o755)
    result = subprocess.run(
        [str(launcher), "--data-dir", str(tmp_path / "data"), "catalog", "--json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        env={k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LIAISON_APP_DATA_DIR")},
    )
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 162
    where = subprocess.run(
        [str(bin_dir / "python"), "-c", "import liaison_app.paths as p; print(p.resources_dir())"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert str(target) in where and str(REPO) not in where
