#!/usr/bin/env bash
# Build the Linux bundle (PyInstaller, one folder) and a .deb for Debian-based systems
# (UOS, Kylin): the program under /opt/liaison-app, a launcher in /usr/bin, a menu entry.
#   bash packaging/build-linux.sh            output in build-linux/
#   LIAISON_BUILD_DIR=/tmp/b bash packaging/build-linux.sh
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${LIAISON_BUILD_DIR:-$ROOT/build-linux}"
PY="$ROOT/.venv/bin/python"
cd "$ROOT"

[ -x "$PY" ] || python3 -m venv "$ROOT/.venv"
"$PY" -m pip install -q --disable-pip-version-check --require-hashes \
    -r requirements.lock -r requirements-build.lock
VERSION="$("$PY" -c 'import liaison_app; print(liaison_app.__version__)')"
ARCH="$(dpkg --print-architecture 2>/dev/null || echo amd64)"
START=$(date +%s)

echo "== PyInstaller bundle ($VERSION)"
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$OUT/dist" --workpath "$OUT/work" packaging/liaison-app.spec
BUNDLE="$OUT/dist/liaison-app"

echo "== .deb"
PKG="$OUT/deb/liaison-app_${VERSION}_${ARCH}"
rm -rf "$PKG"
mkdir -p "$PKG/DEBIAN" "$PKG/opt" "$PKG/usr/bin" "$PKG/usr/share/applications"
cp -a "$BUNDLE" "$PKG/opt/liaison-app"
cat > "$PKG/usr/bin/liaison-app" <<'LAUNCHER'
#!/bin/sh
exec /opt/liaison-app/liaison-app "$@"
LAUNCHER
chmod 755 "$PKG/usr/bin/liaison-app"
cp packaging/linux/liaison-app.desktop "$PKG/usr/share/applications/"
for size in 16 24 32 48 64 128 256; do
    mkdir -p "$PKG/usr/share/icons/hicolor/${size}x${size}/apps"
    cp "resources/icons/liaison-app-$size.png" "$PKG/usr/share/icons/hicolor/${size}x${size}/apps/liaison-app.png"
done
mkdir -p "$PKG/usr/share/icons/hicolor/scalable/apps"
cp resources/icons/liaison-app.svg "$PKG/usr/share/icons/hicolor/scalable/apps/liaison-app.svg"
INSTALLED_KB=$(du -sk "$PKG" | cut -f1)
cat > "$PKG/DEBIAN/control" <<CONTROL
Package: liaison-app
Version: $VERSION
Architecture: $ARCH
Maintainer: 南岸区重庆经开区优化营商环境工作领导小组办公室 <noreply@localhost>
Installed-Size: $INSTALLED_KB
Section: misc
Priority: optional
Depends: libc6, libgl1, libegl1, libfontconfig1, libfreetype6, libdbus-1-3, libglib2.0-0, libxkbcommon0, libxkbcommon-x11-0, libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1, libxcb-image0, libxcb-render-util0, libxcb-shape0, libxcb-xinerama0, fonts-wqy-microhei | fonts-noto-cjk
Description: 营商环境工作联络员台账 (business-environment liaison checklist)
 Offline desktop app for the liaisons of the Nan'an district business-environment
 plan: each unit's work items, progress, evidence files, the monthly report and
 the leading-group office's consolidation. Data stays in each user's home folder.
CONTROL
cat > "$PKG/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
set -e
command -v update-desktop-database >/dev/null && update-desktop-database -q /usr/share/applications || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q /usr/share/icons/hicolor || true
POSTINST
chmod 755 "$PKG/DEBIAN/postinst"
DEB="$OUT/liaison-app_${VERSION}_${ARCH}.deb"
dpkg-deb --build --root-owner-group -Zxz "$PKG" "$DEB" >/dev/null

END=$(date +%s)
echo "bundle: $BUNDLE ($(du -sh "$BUNDLE" | cut -f1))"
echo "deb:    $DEB ($(du -sh "$DEB" | cut -f1))"
echo "time:   $((END - START)) s"
