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

# The Moodle tests (tests/test_moodle_scorm.py) need PHP 8.2 and PostgreSQL 15, only where
# Moodle 4.3 itself is available beside the checkout (../shared/lms, as in CI)
if [ -d ../shared/lms ]; then
  moodle_packages="php8.2-cli php8.2-pgsql php8.2-xml php8.2-mbstring php8.2-curl php8.2-zip
    php8.2-gd php8.2-intl php8.2-soap php8.2-opcache postgresql-15"
  # shellcheck disable=SC2086
  if ! dpkg -s $moodle_packages >/dev/null 2>&1; then
    echo "== installing PHP 8.2 and PostgreSQL 15 for the Moodle tests (Debian packages)"
    as_root apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq $moodle_packages >/dev/null
  fi
  pg_lsclusters -h 2>/dev/null | grep -q '^15 \+main .*online' || as_root pg_ctlcluster 15 main start
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
