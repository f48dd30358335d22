"""Packaging: the Linux bundle and .deb are built, unpacked into a clean folder and run; the
Windows installer script names only files that exist; one version everywhere; portable mode."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import liaison_app
from liaison_app import paths
from tests.helpers import REPO

ISS = REPO / "packaging" / "windows" / "liaison-app.iss"
pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the Linux package is built on Linux")


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One real build for the module (packaging/build-linux.sh into a temporary folder)."""
    if shutil.which("dpkg-deb") is None:
        pytest.skip("dpkg-deb is not installed (Debian's dpkg package)")
    out = tmp_path_factory.mktemp("build")
    result = subprocess.run(
        ["bash", str(REPO / "packaging" / "build-linux.sh")],
        env={**os.environ, "LIAISON_BUILD_DIR": str(out)},
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    print("\n" + "\n".join(result.stdout.strip().splitlines()[-3:]))
    yield out


@pytest.fixture(scope="module")
def installed(build: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The .deb unpacked into a clean folder, as dpkg would lay it out."""
    (deb,) = build.glob("liaison-app_*.deb")
    root = tmp_path_factory.mktemp("root")
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    return root


@pytest.mark.slow
def test_deb_control_and_layout(build: Path, installed: Path) -> None:
    (deb,) = build.glob("liaison-app_*.deb")
    control = subprocess.run(["dpkg-deb", "-f", str(deb)], capture_output=True, text=True, check=True).stdout
    assert re.search(rf"^Version: {re.escape(liaison_app.__version__)}$", control, re.M)
    assert "fonts-wqy-microhei" in control and "libxcb-cursor0" in control
    launcher = installed / "usr" / "bin" / "liaison-app"
    assert launcher.read_text().strip().endswith('exec /opt/liaison-app/liaison-app "$@"')
    assert os.access(launcher, os.X_OK)
    desktop = (installed / "usr/share/applications/liaison-app.desktop").read_text(encoding="utf-8")
    assert "Name=营商环境工作联络员台账" in desktop and "Exec=/usr/bin/liaison-app" in desktop
    assert (installed / "usr/share/icons/hicolor/16x16/apps/liaison-app.png").exists()
    internal = installed / "opt" / "liaison-app" / "_internal"
    assert (internal / "resources" / "plans" / "nanan-2019.plan.json").exists()
    assert (internal / "db" / "versions" / "0001_initial.py").exists()
    assert list(internal.rglob("qtbase_zh_CN.qm")), "Qt's own Chinese texts are bundled"
    assert not list(internal.rglob("*QtQuick*")) and not list(internal.rglob("*QtPdf*"))


def run_installed(installed: Path, *args: str, data: Path) -> subprocess.CompletedProcess[str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LIAISON_APP_DATA_DIR", "VIRTUAL_ENV")
    }
    env["QT_QPA_PLATFORM"] = "offscreen"
    return subprocess.run(
        [str(installed / "opt" / "liaison-app" / "liaison-app"), "--data-dir", str(data), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=installed,
        timeout=300,
    )


@pytest.mark.slow
def test_installed_program_runs_the_cli_and_opens_the_window(installed: Path, tmp_path: Path) -> None:
    catalog = run_installed(installed, "catalog", "--json", data=tmp_path / "data")
    assert catalog.returncode == 0, catalog.stderr
    assert len(json.loads(catalog.stdout)) == 162
    check = run_installed(installed, "selftest", data=tmp_path / "data")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "自检通过" in check.stdout and "标准按钮文字:取消" in check.stdout
    assert f"{liaison_app.APP_TITLE} {liaison_app.__version__}" in check.stdout
    assert (tmp_path / "data" / "liaison.sqlite3").exists()
    assert not (installed / "opt" / "liaison-app" / "liaison.sqlite3").exists()


UNIT = "区市场监管局"
# What the spec leaves out (never loaded by the app) and what must stay (see liaison-app.spec).
TRIMMED = [
    "PySide6/Qt/plugins/platforms/libqwayland.so",
    "PySide6/Qt/plugins/platforms/libqeglfs.so",
    "PySide6/Qt/plugins/platforms/libqvnc.so",
    "PySide6/Qt/plugins/platforms/libqlinuxfb.so",
    "PySide6/Qt/plugins/platforms/libqminimal.so",
    "PySide6/Qt/plugins/wayland-shell-integration",
    "PySide6/Qt/plugins/egldeviceintegrations",
    "PySide6/Qt/plugins/xcbglintegrations",
    "PySide6/Qt/plugins/tls",
    "PySide6/Qt/plugins/networkinformation",
    "PySide6/Qt/plugins/generic",
    "PySide6/Qt/plugins/platformthemes",
    "PySide6/Qt/plugins/imageformats/libqtiff.so",
    "PySide6/Qt/plugins/imageformats/libqwebp.so",
    "PySide6/Qt/lib/libQt6WaylandClient.so.6",
    "PySide6/Qt/lib/libQt6OpenGL.so.6",
    "libQt6WaylandClient.so.6",
    "libgio-2.0.so.0",
    "libharfbuzz.so.0",
    "libpixman-1.so.0",
]
KEPT = [
    "PySide6/Qt/plugins/platforms/libqxcb.so",
    "PySide6/Qt/plugins/platforms/libqoffscreen.so",
    "PySide6/Qt/plugins/platforminputcontexts/libcomposeplatforminputcontextplugin.so",
    "PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so",
    "PySide6/Qt/plugins/iconengines/libqsvgicon.so",
    "PySide6/Qt/plugins/imageformats/libqsvg.so",
    "PySide6/Qt/plugins/imageformats/libqjpeg.so",
    "PySide6/Qt/translations/qtbase_zh_CN.qm",
]


@pytest.mark.slow
def test_the_bundle_leaves_out_what_the_app_never_loads(build: Path) -> None:
    internal = build / "dist" / "liaison-app" / "_internal"
    assert [name for name in KEPT if not (internal / name).exists()] == []
    assert [name for name in TRIMMED if (internal / name).exists() or (internal / name).is_symlink()] == []
    assert {p.name for p in internal.rglob("*.qm")} == {"qt_zh_CN.qm", "qtbase_zh_CN.qm"}


def start_installed(installed: Path, data: Path, platform: str) -> subprocess.CompletedProcess[str]:
    """Start the installed window as the desktop does and let it report when the unit's items are
    painted (LIAISON_APP_REPORT_STARTUP), then close."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LIAISON_APP_DATA_DIR", "VIRTUAL_ENV")
    }
    env.update(QT_QPA_PLATFORM=platform, LIAISON_APP_REPORT_STARTUP="1", QT_DEBUG_PLUGINS="1")
    env["LIAISON_APP_CONFIG_DIR"] = str(data.parent / "config")
    command = [str(installed / "opt" / "liaison-app" / "liaison-app"), "--data-dir", str(data)]
    if platform == "xcb":
        command = ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", *command]
    return subprocess.run(command, capture_output=True, text=True, encoding="utf-8", env=env, timeout=300)


@pytest.mark.slow
@pytest.mark.parametrize("platform", ["offscreen", "xcb"])
def test_the_trimmed_program_shows_the_units_items(installed: Path, tmp_path: Path, platform: str) -> None:
    if platform == "xcb" and shutil.which("xvfb-run") is None:
        pytest.skip("xvfb-run is not installed (Debian's xvfb package)")
    from liaison_app.store.service import LiaisonService

    data = tmp_path / "data"
    first = run_installed(installed, "set", "--unit", UNIT, "--item", "1.1", "--status", "done", data=data)
    assert first.returncode == 0, first.stderr  # the installed program made the database
    service = LiaisonService.open(data)
    service.set_settings({"ui.last_unit": UNIT})  # as after the liaison's first start
    service.close()
    result = start_installed(installed, data, platform)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    line = next(line for line in result.stdout.splitlines() if line.startswith("startup "))
    fields = dict(pair.split("=", 1) for pair in line.split()[1:])
    assert fields["platform"] == platform
    assert int(fields["rows"]) > 0, "the unit's items are shown"
    loaded = re.findall(r'"([^"]+)" loaded library', result.stderr)
    assert any(path.endswith(f"platforms/libq{platform}.so") for path in loaded), result.stderr[-3000:]


@pytest.mark.slow
def test_the_installed_command_line_loads_no_qt(installed: Path, tmp_path: Path) -> None:
    """A script's command does not pay for Qt (PyInstaller's own PySide6 hook loaded it at every
    start): the dynamic loader's own log lists every library the process opens."""
    data = tmp_path / "data"
    assert run_installed(installed, "units", data=data).returncode == 0  # creates the database
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LIAISON_APP_DATA_DIR")}
    env["LD_DEBUG"] = "files"
    program = installed / "opt" / "liaison-app" / "liaison-app"
    result = subprocess.run(
        [str(program), "--data-dir", str(data), "tasks", "--unit", UNIT, "--json"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout), "the unit's items"
    assert "libpython3" in result.stderr  # the loader's log is there
    assert "libQt6Core" not in result.stderr and "libpyside6" not in result.stderr


@pytest.mark.slow
def test_the_inno_script_names_only_files_that_exist(build: Path) -> None:
    text = ISS.read_text(encoding="utf-8")
    build_dir = re.search(r'#define BuildDir "(.+)"', text).group(1)
    app_exe = re.search(r'#define AppExe "(.+)"', text).group(1)
    bundle = build / "dist" / "liaison-app"
    sources = re.findall(r'^Source: "([^"]+)"', text, re.M)
    sources += re.findall(r"^(?:SetupIconFile|LicenseFile)=(.+)$", text, re.M)
    messages = re.search(r'MessagesFile: "compiler:Default.isl,([^"]+)"', text).group(1)
    assert (ISS.parent / messages).read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    assert sources
    for source in sources:
        source = source.replace("{#AppExe}", app_exe)
        if source.startswith("{#BuildDir}"):
            inside = source.removeprefix("{#BuildDir}\\").replace("\\", "/")
            # the Windows build has the same layout; its programs end in .exe
            target = bundle / inside.removesuffix(".exe").removesuffix("/*")
            assert target.exists(), source
        else:
            assert (ISS.parent / source.replace("\\", "/")).exists(), source
    assert (REPO / build_dir.replace("\\", "/").removeprefix("../../")).parts[-2:] == ("dist", "liaison-app")
    assert "PrivilegesRequired=lowest" in text and "[UninstallDelete]" not in text.split("; No [Uninstall")[0]


def test_one_version_everywhere() -> None:
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert 'version = { attr = "liaison_app.__version__" }' in pyproject
    spec = (REPO / "packaging" / "liaison-app.spec").read_text(encoding="utf-8")
    assert "from liaison_app import __version__" in spec
    build_script = (REPO / "packaging" / "build-linux.sh").read_text(encoding="utf-8")
    assert "liaison_app.__version__" in build_script


def test_portable_mode_keeps_the_data_beside_the_program(tmp_path: Path, monkeypatch) -> None:
    program = tmp_path / "U盘" / "liaison-app"
    program.mkdir(parents=True)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(program / "liaison-app"))
    monkeypatch.delenv("LIAISON_APP_DATA_DIR", raising=False)
    assert paths.data_dir() != program / "data"  # no marker: the per-user folder
    (program / "portable.txt").write_text("", encoding="utf-8")
    assert paths.data_dir() == program / "data"
    assert paths.data_dir(tmp_path / "explicit") == tmp_path / "explicit"  # --data-dir still wins
