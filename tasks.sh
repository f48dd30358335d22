#!/usr/bin/env bash
# One entry point for a fresh Debian/Ubuntu machine (see README):
#   bash tasks.sh app [ARGS…]   set up the virtual environment (pinned) and start the app
#   bash tasks.sh test [ARGS…]  set up everything the tests need and run the whole suite
#   bash tasks.sh test-fast [ARGS…]  the same set-up and checks, then the suite without the slow
#                               and LibreOffice tests (the loop to run while you work; < 1 min)
set -euo pipefail
cd "$(dirname "$0")"

VENV=.venv
PY="$VENV/bin/python"
# Shared libraries Qt needs even offscreen, and a font with Chinese glyphs.
QT_DEBS=(libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0 fonts-wqy-microhei)
# Everything Qt's xcb platform plugin (a real X display) links or loads, found with `ldd` on
# PySide6/Qt/plugins/platforms/libqxcb.so and Qt/lib/libQt6XcbQpa.so.6. Qt's own message when
# one is missing names libxcb-cursor0 whatever is missing; tests/test_real_display.py starts the
# real app on Xvfb so a gap here fails the suite.
XCB_DEBS=(libxcb1 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
    libxcb-randr0 libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1
    libxcb-util1 libxcb-xfixes0 libxcb-xinerama0 libxcb-xkb1 libxkbcommon-x11-0)
# A real spreadsheet client for the tests that open our workbooks; an X server without a screen
# (and xdotool to find the window on it) for the test that starts the real app.
TEST_DEBS=(libreoffice-calc poppler-utils xvfb xauth xdotool)

missing_debs() {
    local pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
    done
}

ensure_debs() {
    command -v dpkg-query >/dev/null || return 0
    local missing
    missing=$(missing_debs "$@")
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "== installing system packages: $missing"
        apt-get update -qq
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
    else
        echo "!! missing system packages: $missing  (sudo apt-get install $missing)" >&2
    fi
}

ensure_venv() {
    local stamp="$VENV/.installed-$1"
    local locks=(requirements.lock)
    [ "$1" = test ] && locks+=(requirements-test.lock)
    if [ ! -x "$PY" ]; then
        python3 -m venv "$VENV"
    fi
    if [ ! -f "$stamp" ] || [ -n "$(find "${locks[@]}" -newer "$stamp" 2>/dev/null)" ]; then
        echo "== installing pinned Python packages (${locks[*]})"
        "$PY" -m pip install -q --disable-pip-version-check --require-hashes "${locks[@]/#/-r}"
        touch "$stamp"
    fi
}

prepare_tests() {
    # Keep Python's bytecode caches (__pycache__/, ignored by git). Some shells and containers set
    # PYTHONDONTWRITEBYTECODE: then each test worker rewrites and compiles every test module and
    # our package again (~2 s of its start), and each process a test starts compiles what it imports.
    unset PYTHONDONTWRITEBYTECODE
    ensure_debs "${QT_DEBS[@]}" "${XCB_DEBS[@]}" "${TEST_DEBS[@]}"
    ensure_venv test
    echo "== ruff"
    "$VENV/bin/ruff" check liaison_app tests benchmarks
    "$VENV/bin/ruff" format --check --quiet liaison_app tests benchmarks
    echo "== mypy"
    "$VENV/bin/mypy"
}

case "${1:-}" in
    app)
        shift
        ensure_debs "${QT_DEBS[@]}" "${XCB_DEBS[@]}"
        ensure_venv app
        exec "$PY" -m liaison_app "$@"
        ;;
    test)
        shift
        prepare_tests
        echo "== pytest"
        exec "$PY" -m pytest "$@"
        ;;
    test-fast)
        shift
        prepare_tests
        # The tests write and fsync thousands of small files (a database, its backups, returns per
        # test): in a RAM-backed temporary folder the same calls never wait for the disk (~15-25%
        # of the run here). Durability is not what the fast set proves; `test` keeps the disk.
        if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
            TMPDIR="/dev/shm/liaison-app-tests-$(pwd | cksum | cut -d' ' -f1)"
            export TMPDIR
            mkdir -p "$TMPDIR"
        fi
        echo "== pytest (not slow, not libreoffice; two workers)"
        # --dist loadscope: a module's tests on one worker, so a module-scoped fixture (the world
        # of returns, a module's data folder) is built once, not on both (~10% of the run).
        # A run leaves ~0.7 GB of folders: keep only the failed tests' ones, of the last run.
        exec "$PY" -m pytest -q -n 2 --dist loadscope -m "not slow and not libreoffice" \
            -o tmp_path_retention_count=1 -o tmp_path_retention_policy=failed "$@"
        ;;
    *)
        echo "usage: bash tasks.sh app|test|test-fast [ARGS…]" >&2
        exit 2
        ;;
esac
