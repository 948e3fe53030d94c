"""Start a real Ralph LRS (PyPI ``ralph-malph``) on 127.0.0.1, following the recipe in
``../shared/reference/xapi-cmi5.md``: fs backend in APPEND mode (stock INDEX mode fails on
every POST after the first), credentials written to ``$RALPH_APP_DIR/auth.json``.

Ralph runs in its own process (not a thread) so a test can stop it mid-run to simulate an
outage and start it again on the same port with the same data.
"""

from __future__ import annotations

import base64
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

USER, PASSWORD = "coursekit", "secret"
XAPI_VERSION = "1.0.3"

_SERVE = (
    "from ralph.backends.data.base import BaseOperationType as Op;"
    "from ralph.backends.lrs.fs import FSLRSBackend;"
    "FSLRSBackend.default_operation_type = Op.APPEND;"
    "import sys, uvicorn;"
    "uvicorn.run('ralph.api:app', host='127.0.0.1', port=int(sys.argv[1]), log_level='warning')"
)


class RalphError(RuntimeError):
    """Ralph could not be set up or did not answer its heartbeat."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Ralph:
    """One Ralph LRS in a temporary home. ``start()``/``stop()`` may be called repeatedly."""

    def __init__(self, home: Path | None = None, port: int | None = None):
        self.home = Path(home or tempfile.mkdtemp(prefix="ck-ralph-"))
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self._log = None
        (self.home / "data").mkdir(parents=True, exist_ok=True)
        self.env = dict(
            os.environ,
            RALPH_APP_DIR=str(self.home / ".ralph"),
            RALPH_RUNSERVER_BACKEND="fs",
            RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH=str(self.home / "data"),
        )
        self._write_credentials()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def endpoint(self) -> str:
        """The xAPI endpoint, ending with ``/`` as the Tin Can launch convention wants."""
        return f"{self.base_url}xAPI/"

    @property
    def auth_header(self) -> str:
        return "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()

    def _write_credentials(self) -> None:
        """``$RALPH_APP_DIR/auth.json`` as ``ralph auth --write-to-disk`` writes it (a list of
        users with a bcrypt hash, scopes and agent), written here because the CLI takes
        15-20 s to import on a loaded machine. 4 bcrypt rounds: a test password, checked fast."""
        import json

        import bcrypt

        users = [{
            "agent": {"mbox": "mailto:coursekit@example.com", "objectType": "Agent"},
            "scopes": ["statements/read", "statements/write"],
            "hash": bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode(),
            "username": USER,
        }]
        app_dir = self.home / ".ralph"
        app_dir.mkdir(parents=True, exist_ok=True)
        (app_dir / "auth.json").write_text(json.dumps(users, indent=2))

    def start(self, timeout: float = 60) -> None:
        if self.process and self.process.poll() is None:
            return
        self._log = open(self.home / "lrs.log", "ab")
        # cwd = home: Ralph reads ./.env, and must not pick up one from the checkout
        self.process = subprocess.Popen(
            [sys.executable, "-c", _SERVE, str(self.port)],
            cwd=self.home, env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RalphError(f"Ralph exited ({self.process.returncode}): {self.log()[-3000:]}")
            try:
                if requests.get(f"{self.base_url}__heartbeat__", timeout=1).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        raise RalphError(f"Ralph did not answer its heartbeat within {timeout}s: {self.log()[-3000:]}")

    def stop(self) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(10)
            self.process = None
        if self._log:
            self._log.close()
            self._log = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.home, ignore_errors=True)

    def log(self) -> str:
        path = self.home / "lrs.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # --- reading what was stored ----------------------------------------------------------

    def headers(self) -> dict:
        return {"Authorization": self.auth_header, "X-Experience-API-Version": XAPI_VERSION}

    def stored_lines(self) -> list[dict]:
        """Every statement in Ralph's data file, in the order stored (duplicates included:
        this is how the tests prove nothing was stored twice)."""
        import json

        path = self.home / "data" / "fs_lrs.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def statements(self, **params) -> list[dict]:
        """Statements through the xAPI GET API (follows ``more``)."""
        url = f"{self.endpoint}statements"
        params = {"limit": 500, **params}
        found: list[dict] = []
        while url:
            response = requests.get(url, params=params, headers=self.headers(), timeout=10)
            response.raise_for_status()
            body = response.json()
            found.extend(body["statements"])
            more = body.get("more")
            url, params = (self.base_url.rstrip("/") + more, None) if more else (None, None)
        return found
