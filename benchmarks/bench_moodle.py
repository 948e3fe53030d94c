"""Time the Moodle part of the test suite: a fresh Moodle 4.3 (database, install, server) and
every test of tests/test_moodle_scorm.py, as CI runs them.

    python benchmarks/bench_moodle.py            # needs ../shared/lms, PHP 8.2, PostgreSQL 15

Prints the install time (what the session fixture reports), the wall time of the whole pytest
run and its pass/fail line. Target: install + all Moodle tests well inside CI's 90 minutes
(aim: under 15 on 2 cores). Figures are for reports, never for test assertions.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/test_moodle_scorm.py", "-q", "-s", "-p", "no:cacheprovider"],
        cwd=REPO, capture_output=True, text=True, env={**os.environ, "CI": "true"},
    )
    wall = time.monotonic() - began
    out = done.stdout + done.stderr
    install = re.search(r"Moodle 4\.3 installed in (\d+) s, up in (\d+) s", out)
    summary = [line for line in out.splitlines() if re.search(r"\d+ (passed|failed|error)", line)]
    if install:
        print(f"Moodle install: {install.group(1)} s (site up after {install.group(2)} s)")
    print(f"tests/test_moodle_scorm.py wall time: {wall:.0f} s ({wall / 60:.1f} min)")
    print(summary[-1] if summary else out[-2000:])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
