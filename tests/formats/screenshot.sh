#!/usr/bin/env bash
# screenshot.sh - renders a matrix.html in headless Chromium and checks the
# picture (png_check.py): a real browser must show the page, not only an XML
# parser accept it.
#
#   tests/formats/screenshot.sh MATRIX.html OUT.png
#
# The window is 1400x1800; --screenshot captures that viewport, which holds
# the matrix and the start of the first mesh's section. As root Chromium
# needs --no-sandbox; the other flags keep it off the network (background
# fetches, component updates, sync, QUIC) and away from /dev/shm, with a
# profile of its own each time. Exit status: png_check.py's, 2 when
# Chromium is missing or writes no picture.
set -u
here=$(cd "$(dirname "$0")" && pwd)
py=${PYTHON:-/usr/bin/python3}
html=$1 png=$2
width=1400 height=1800
command -v chromium >/dev/null || { echo "error: chromium is not installed (Debian package chromium)"; exit 2; }
profile=$(mktemp -d "${TMPDIR:-/tmp}/smiw-chromium.XXXXXX")
trap 'rm -rf "$profile"' EXIT
rm -f "$png"
# The browser's D-Bus and GPU complaints go to stderr whatever happens: kept out of the test's output.
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--disable-dev-shm-usage --user-data-dir="$profile" --hide-scrollbars \
	--window-size=$width,$height --screenshot="$png" "file://$(realpath "$html")" >"$profile/log" 2>&1
if [ ! -s "$png" ]; then
	echo "error: chromium wrote no screenshot:"
	grep -v -e dbus -e 'Fontconfig' "$profile/log" | tail -5
	exit 2
fi
"$py" "$here/png_check.py" "$png" $width $height "$html"
