"""pytest fixtures for the Moodle tests: one real Moodle 4.3 per test session, one course with a
SCORM activity per package. Import them into a test module
(``from tests.moodle.fixtures import moodle, moodle_course``).

Outside CI, a machine without ``../shared/lms`` (or PHP, PostgreSQL) skips these tests with a
message naming what is missing; with ``CI=true`` they fail (``tests.conftest.missing``)."""

from __future__ import annotations

import os
import re
import time

import pytest

from tests.conftest import missing

from .site import CACHE, STUDENT_PASSWORD, MoodleError, MoodleSite, problem


@pytest.fixture(scope="session")
def moodle():
    """A fresh Moodle (new database, new data folder) for the session, stopped and dropped after."""
    lacking = problem()
    if lacking:
        missing(f"{lacking}, needed by the Moodle tests,")
    # beside the extracted tree, not in pytest's temporary folders: the server's log and the
    # datamodel.php bodies stay there after the session for whoever reads a failure
    site = MoodleSite(CACHE.parent / "moodle-run")
    began = time.monotonic()
    try:
        site.start()
    except MoodleError as exc:
        site.close()
        pytest.fail(f"the test Moodle did not come up: {exc}", pytrace=False)
    print(f"\nMoodle 4.3 installed in {site.install_seconds:.0f} s, up in {time.monotonic() - began:.0f} s at {site.url}")
    yield site
    site.close()


class MoodleCourse:
    """One course of the test Moodle: its SCORM activities (by package name) and students."""

    def __init__(self, site: MoodleSite, setup: dict):
        self.site = site
        self.id = setup["courseid"]
        self.packages = setup["packages"]
        self._students = 0

    def student(self, label: str) -> str:
        """A new student enrolled in the course (each test plays with its own learner)."""
        self._students += 1
        # Moodle usernames: lower-case letters, digits and - _ . @ only
        name = re.sub(r"[^a-z0-9]+", "-", f"s{self._students}-{os.getpid()}-{label}".lower()).strip("-")[:90]
        self.site.php("setup.php", {"courseid": self.id, "students": [name], "password": STUDENT_PASSWORD})
        return name

    def user_id(self, username: str) -> int:
        return int(self.site.sql("SELECT id FROM mdl_user WHERE username = %s", username)[0][0])

    def tracks(self, package: str, username: str) -> dict[int, dict[str, dict[str, str]]]:
        """What Moodle stored: ``{attempt: {sco identifier: {element: value}}}``."""
        scorm = self.packages[package]["scormid"]
        rows = self.site.sql(
            "SELECT a.attempt, s.identifier, e.element, v.value FROM mdl_scorm_attempt a"
            " JOIN mdl_scorm_scoes_value v ON v.attemptid = a.id JOIN mdl_scorm_element e ON e.id = v.elementid"
            " JOIN mdl_scorm_scoes s ON s.id = v.scoid"
            " WHERE a.scormid = %s AND a.userid = %s ORDER BY a.attempt, v.id",
            scorm, self.user_id(username),
        )
        out: dict[int, dict[str, dict[str, str]]] = {}
        for attempt, sco, element, value in rows:
            out.setdefault(int(attempt), {}).setdefault(sco, {})[element] = value
        return out

    def grade(self, package: str, username: str) -> float | None:
        """The learner's grade in the gradebook for the activity's grade item (None: no grade)."""
        rows = self.site.sql(
            "SELECT finalgrade FROM mdl_grade_grades WHERE itemid = %s AND userid = %s",
            self.packages[package]["gradeitem"], self.user_id(username),
        )
        return float(rows[0][0]) if rows and rows[0][0] is not None else None
