"""Shared fixtures: a real Chromium driven by Playwright, and a static HTTP server on 127.0.0.1.

With ``CI=true`` a missing browser is a failure, never a skip (DEVELOPERS.md: "Real, not
simulated"). Outside CI the browser tests skip with a message naming what is missing.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import socketserver
import threading
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
#: ``../shared`` beside the checkout: only the Moodle tests read it (Moodle 4.3 lives there)
SHARED = REPO.parent / "shared"
CHROMIUM = os.environ.get("COURSEKIT_CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() == "true"
#: flags that keep Chromium from calling home (the machine has no network) and let it run as root
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def missing(what: str) -> None:
    """Skip outside CI, fail in CI: a test that needs ``what`` never silently passes."""
    if IN_CI:
        pytest.fail(f"CI=true and {what} is missing; .ci/run must install it", pytrace=False)
    pytest.skip(f"{what} is missing")


@pytest.fixture(scope="session")
def chromium():
    """A headless Chromium (Debian's), shared by the session's tests."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        missing(f"Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the Python package playwright")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # the test output is no place for an access log
        pass


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


@pytest.fixture
def serve():
    """``serve(folder) -> "http://127.0.0.1:PORT/"``: a static server, stopped after the test."""
    servers = []

    def start(folder) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = _Server(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def node_modules() -> Path:
    """The npm packages the tests need (``npm ci`` at the repository root)."""
    path = REPO / "node_modules"
    if not (path / "scorm-again").is_dir():
        missing("node_modules (run `npm ci` at the repository root)")
    return path
