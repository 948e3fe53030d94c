#!/usr/bin/env bash
# Installs everything the tests need on a fresh machine, then runs them all.
#   - Chromium from Debian's packages (the browser tests never download a browser)
#   - a virtualenv in .venv with coursekit and its test extras (pytest, Playwright, Ralph)
#   - the npm packages in package-lock.json (scorm-again, axe-core, the SCORM XSDs)
# Extra arguments go to pytest: scripts/test.sh -k scorm -x
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v chromium >/dev/null 2>&1; then
  echo "== installing Chromium (Debian package)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "== installing Node.js and npm (Debian packages)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq nodejs npm >/dev/null
fi

echo "== Python environment (.venv)"
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[test]'

echo "== npm packages"
npm ci --no-audit --no-fund --loglevel=error

echo "== tests"
exec .venv/bin/python -m pytest "$@"
