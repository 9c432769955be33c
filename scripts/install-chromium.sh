#!/usr/bin/env bash
# Installs Debian's Chromium when no browser is on the machine. The suite
# drives it headless through the DevTools protocol; no driver is needed.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
echo "Chromium is missing; installing Debian's chromium package." >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# --no-install-recommends keeps it to the browser (without it apt pulls 100+ packages).
$sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
command -v chromium >/dev/null
