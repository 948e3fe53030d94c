"""A real Moodle 4.3 on 127.0.0.1 for the tests: extracted from ``../shared/lms`` into a cache
outside git, installed into a fresh PostgreSQL database, served by PHP's built-in server.

One ``MoodleSite`` per test session (the install takes minutes): ``start()`` brings it up,
``close()`` stops the server and drops the database and data folder. Only this module reads
``../shared`` (tests/conftest.py ``SHARED``); ``problem()`` says what is missing on a machine
where the Moodle tests cannot run.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tarfile
import time
import urllib.request
from pathlib import Path

from tests.conftest import REPO, SHARED

HERE = Path(__file__).resolve().parent
LMS = SHARED / "lms"
TARBALL = LMS / "moodle-4.3.tar.xz"
CHECKSUM = LMS / "moodle-4.3.tar.xz.sha256"
#: the extracted tree: outside git (.gitignore has /.cache/), reused while the checksum matches
CACHE = REPO / ".cache" / "moodle-4.3"
PHP_EXTENSIONS = ("pgsql", "xml", "mbstring", "curl", "zip", "gd", "intl", "soap")
#: PHP options Moodle's installer and pages want (memory, big forms, package uploads)
PHP_OPTIONS = ["-d", "max_input_vars=5000", "-d", "memory_limit=512M", "-d", "upload_max_filesize=64M", "-d", "post_max_size=64M"]
DB_ROLE = "coursekit_moodle"
DB_PASSWORD = "coursekit-moodle"
ADMIN_PASSWORD = "Admin-pass-1"
#: every student's password (users are created by the setup script, never through a form)
STUDENT_PASSWORD = "Student-pass-1"


class MoodleError(RuntimeError):
    pass


def problem() -> str | None:
    """What keeps the Moodle tests from running here, or None."""
    if not TARBALL.is_file() or not CHECKSUM.is_file():
        return f"Moodle 4.3 ({TARBALL} and its .sha256; CI has them in ../shared/lms)"
    php = shutil.which("php")
    if not php:
        return "PHP 8.2 (apt-get install php8.2-cli php8.2-pgsql ...; scripts/test.sh installs it)"
    loaded = subprocess.run([php, "-m"], capture_output=True, text=True).stdout.lower().split()
    lacking = [ext for ext in PHP_EXTENSIONS if ext not in loaded]
    if lacking:
        return f"PHP extensions {', '.join(lacking)} (apt-get install php8.2-{' php8.2-'.join(lacking)})"
    if not shutil.which("psql") or not shutil.which("pg_ctlcluster"):
        return "PostgreSQL 15 (apt-get install postgresql-15; scripts/test.sh installs it)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(*command: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run a command as the postgres superuser (peer authentication on the local socket)."""
    if os.geteuid() == 0:
        prefix = ["runuser", "-u", "postgres", "--"]
    else:
        prefix = ["sudo", "-n", "-u", "postgres"]
    return subprocess.run([*prefix, *command], capture_output=True, text=True, check=check)


def _psql_admin(sql: str) -> str:
    done = _as_postgres("psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql, check=False)
    if done.returncode:
        raise MoodleError(f"psql as postgres failed: {sql}\n{done.stderr.strip()}")
    return done.stdout


def _verified_tree() -> Path:
    """The Moodle tree in the cache, extracted again when the tarball's checksum changes."""
    expected = CHECKSUM.read_text().split()[0]
    marker = CACHE / ".coursekit-sha256"
    if marker.is_file() and marker.read_text().strip() == expected and (CACHE / "moodle" / "version.php").is_file():
        return CACHE / "moodle"
    digest = hashlib.sha256()
    with TARBALL.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != expected:
        raise MoodleError(f"{TARBALL}: sha256 {digest.hexdigest()} does not match {CHECKSUM} ({expected})")
    if CACHE.exists():
        shutil.rmtree(CACHE)
    CACHE.mkdir(parents=True)
    with tarfile.open(TARBALL) as archive:
        archive.extractall(CACHE, filter="data")  # the archive's prefix is moodle/
    marker.write_text(expected + "\n")
    return CACHE / "moodle"


def _ensure_cluster() -> None:
    """PostgreSQL 15 running, with the role the site connects as (password over TCP)."""
    if _as_postgres("pg_isready", "-q", check=False).returncode:
        subprocess.run(["pg_ctlcluster", "15", "main", "start"], capture_output=True, check=False)
        for _ in range(50):
            if not _as_postgres("pg_isready", "-q", check=False).returncode:
                break
            time.sleep(0.2)
        else:
            raise MoodleError("PostgreSQL 15 does not start (pg_ctlcluster 15 main start)")
    if not _psql_admin(f"SELECT 1 FROM pg_roles WHERE rolname = '{DB_ROLE}'").strip():
        _psql_admin(f"CREATE ROLE {DB_ROLE} LOGIN PASSWORD '{DB_PASSWORD}'")


def _drop_stale_databases() -> None:
    """Databases left by sessions that died without cleaning up (their pid is gone)."""
    for name in _psql_admin("SELECT datname FROM pg_database WHERE datname LIKE 'coursekit_moodle_%'").split():
        pid = name.rsplit("_", 1)[-1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            _psql_admin(f"DROP DATABASE IF EXISTS {name}")


CONFIG = """<?php  // written by coursekit's tests (tests/moodle/site.py) for one test session
unset($CFG);
global $CFG;
$CFG = new stdClass();
$CFG->dbtype    = 'pgsql';
$CFG->dblibrary = 'native';
$CFG->dbhost    = '127.0.0.1';
$CFG->dbname    = '{dbname}';
$CFG->dbuser    = '{dbuser}';
$CFG->dbpass    = '{dbpass}';
$CFG->prefix    = 'mdl_';
$CFG->dboptions = ['dbpersist' => 0, 'dbport' => 5432, 'dbsocket' => ''];
$CFG->wwwroot   = '{wwwroot}';
$CFG->dataroot  = '{dataroot}';
$CFG->admin     = 'admin';
$CFG->directorypermissions = 02777;
// Moodle's own warnings show on its pages, where the tests see them
$CFG->debug = E_ALL;
$CFG->debugdisplay = 1;
// no network: every outgoing request of Moodle goes to a dead proxy, no mail, no update check
$CFG->proxyhost = '127.0.0.1';
$CFG->proxyport = 9;
$CFG->proxybypass = 'localhost, 127.0.0.1';
$CFG->noemailever = true;
$CFG->disableupdatenotifications = true;
require_once(__DIR__ . '/lib/setup.php');
"""


class MoodleSite:
    """One installed Moodle, served on ``self.url`` until ``close()``."""

    def __init__(self, work: Path):
        self.work = Path(work)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.dbname = f"coursekit_moodle_{os.getpid()}"
        self.dataroot = self.work / "moodledata"
        self.postlog = self.work / "datamodel-posts.jsonl"
        self.server_log = self.work / "php-server.log"
        self.server: subprocess.Popen | None = None
        self._lock = None
        self.root: Path | None = None
        self.install_seconds = 0.0

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self) -> "MoodleSite":
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        # config.php lives in the shared tree: one session at a time per checkout
        self._lock = open(CACHE.parent / "moodle-4.3.lock", "w")
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        # what the last session left (its logs were kept for reading), now ours
        shutil.rmtree(self.work, ignore_errors=True)
        self.work.mkdir(parents=True)
        self.root = _verified_tree()
        _ensure_cluster()
        _drop_stale_databases()
        _psql_admin(f"DROP DATABASE IF EXISTS {self.dbname}")
        _psql_admin(f"CREATE DATABASE {self.dbname} OWNER {DB_ROLE} ENCODING 'UTF8' TEMPLATE template0")
        # a throwaway database: no need to wait for the disk at every commit (the install
        # commits thousands of times; this database only, the cluster's settings are untouched)
        _psql_admin(f"ALTER DATABASE {self.dbname} SET synchronous_commit = off")
        self.dataroot.mkdir(parents=True, exist_ok=True)
        (self.root / "config.php").write_text(CONFIG.format(
            dbname=self.dbname, dbuser=DB_ROLE, dbpass=DB_PASSWORD, wwwroot=self.url, dataroot=self.dataroot,
        ))
        began = time.monotonic()
        self._install()
        self.install_seconds = time.monotonic() - began
        self._serve()
        return self

    def _install(self) -> None:
        # Moodle's installer with the config.php written above (install.php would write its own)
        log_path = self.work / "install.log"
        with log_path.open("w") as log:  # written as it goes: a slow install can be watched
            done = subprocess.run(
                ["php", *PHP_OPTIONS, "admin/cli/install_database.php", "--agree-license", "--lang=en",
                 "--fullname=coursekit tests", "--shortname=coursekit", "--adminuser=admin",
                 f"--adminpass={ADMIN_PASSWORD}", "--adminemail=admin@example.org"],
                cwd=self.root, stdout=log, stderr=subprocess.STDOUT,
            )
        if done.returncode:
            raise MoodleError(f"Moodle's install_database.php failed (exit {done.returncode}):\n{log_path.read_text()[-3000:]}")

    def _serve(self) -> None:
        env = {**os.environ, "PHP_CLI_SERVER_WORKERS": "4", "COURSEKIT_MOODLE_POSTLOG": str(self.postlog)}
        log = self.server_log.open("w")
        self.server = subprocess.Popen(
            ["php", *PHP_OPTIONS, "-d", "opcache.enable_cli=1", "-d", "display_errors=stderr",
             "-S", f"127.0.0.1:{self.port}", "-t", str(self.root), str(HERE / "router.php")],
            cwd=self.root, env=env, stdout=log, stderr=subprocess.STDOUT,
            # its own process group: the server's workers outlive a signal to the server alone
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise MoodleError(f"php -S exited: {self.server_log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/login/index.php", timeout=10) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise MoodleError("Moodle does not answer on " + self.url)

    def close(self) -> None:
        if self.server is not None:
            # the group of the server started above (its pid is the group id): it and its workers
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(self.server.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.server.wait(timeout=10)
                    break
                except subprocess.TimeoutExpired:
                    continue
            self.server = None
        try:
            _psql_admin(f"DROP DATABASE IF EXISTS {self.dbname} WITH (FORCE)")
        except MoodleError:
            pass
        if self.root is not None:
            (self.root / "config.php").unlink(missing_ok=True)
        shutil.rmtree(self.dataroot, ignore_errors=True)
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    # --- what the tests use -------------------------------------------------------------------

    def php(self, script: str, payload: dict) -> dict:
        """Run ``tests/moodle/php/<script>`` with Moodle's config; it reads ``payload`` (JSON
        on stdin) and prints one JSON object, returned."""
        done = subprocess.run(
            ["php", *PHP_OPTIONS, str(HERE / "php" / script)],
            input=json.dumps(payload), capture_output=True, text=True,
            env={**os.environ, "COURSEKIT_MOODLE_DIR": str(self.root)},
        )
        if done.returncode:
            raise MoodleError(f"{script} failed (exit {done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
        try:
            return json.loads(last)
        except ValueError:
            raise MoodleError(f"{script} printed no JSON:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}") from None

    def sql(self, query: str, *params) -> list[tuple[str, ...]]:
        """Rows of a read-only query on the site's database, every value a string (NULL: None).
        ``params`` replace ``%s`` (integers only, or strings quoted here)."""
        values = []
        for p in params:
            values.append(str(int(p)) if isinstance(p, int) else "'" + str(p).replace("'", "''") + "'")
        text = query % tuple(values) if values else query
        done = subprocess.run(
            ["psql", "-X", "-q", "-At", "-F", "\x1f", "-R", "\x1e", "-h", "127.0.0.1", "-U", DB_ROLE, "-d", self.dbname,
             "-v", "ON_ERROR_STOP=1", "-P", "null=\x15", "-c", text],
            capture_output=True, text=True, env={**os.environ, "PGPASSWORD": DB_PASSWORD},
        )
        if done.returncode:
            raise MoodleError(f"psql failed: {text}\n{done.stderr.strip()}")
        out = done.stdout.rstrip("\n")
        if not out:
            return []
        return [tuple(None if v == "\x15" else v for v in row.split("\x1f")) for row in out.split("\x1e") if row != ""]

    def log_size(self) -> int:
        return self.server_log.stat().st_size if self.server_log.is_file() else 0

    def php_errors(self, since: int = 0) -> list[str]:
        """PHP warnings, notices and errors the server printed after byte ``since`` of its log."""
        if not self.server_log.is_file():
            return []
        with self.server_log.open("rb") as f:
            f.seek(since)
            text = f.read().decode("utf-8", "replace")
        return [line for line in text.splitlines() if re.search(r"PHP (Warning|Notice|Deprecated|Fatal error|Parse error)", line)]

    def posts(self) -> list[dict]:
        """Every body POSTed to mod/scorm/datamodel.php so far (the router's log), in order."""
        if not self.postlog.is_file():
            return []
        return [json.loads(line) for line in self.postlog.read_text().splitlines() if line.strip()]
