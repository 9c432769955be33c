#!/usr/bin/env bash
# Installs Debian's Chromium headless shell when it is missing. The suite
# drives it through the DevTools protocol (no driver is needed) and prefers it
# to the full browser, which opens tabs about three times slower. A machine
# that already has Chromium or Chrome keeps working with it when the shell
# cannot be installed.
set -euo pipefail
if command -v chromium-headless-shell >/dev/null 2>&1; then
  exit 0
fi
have_browser=""
for b in chromium chromium-browser google-chrome google-chrome-stable chrome; do
  if command -v "$b" >/dev/null 2>&1; then
    have_browser=$b
    break
  fi
done
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
install() {
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq &&
    # --no-install-recommends keeps it to the browser (without it apt pulls 100+ packages).
    $sudo apt-get install -y -qq --no-install-recommends chromium-headless-shell >/dev/null
}
echo "Chromium's headless shell is missing; installing Debian's chromium-headless-shell package." >&2
if ! install || ! command -v chromium-headless-shell >/dev/null 2>&1; then
  if [ -n "$have_browser" ]; then
    echo "chromium-headless-shell could not be installed; the suite will use $have_browser (slower)." >&2
    exit 0
  fi
  echo "no browser could be installed: install chromium-headless-shell or chromium, or give the suite --browser" >&2
  exit 1
fi
