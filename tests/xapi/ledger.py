"""What a learner's run should leave in the LRS, and how what Ralph stored compares: lost,
duplicated (the same id twice, or the same statement twice under two ids), unexpected.

A statement's *key* is what makes it the statement it is, whatever its id: verb, object,
the progress it reports, and (cmi5) the session it belongs to. The expected keys are derived
from the course model and the launches, never from what the code under test sent.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from coursekit.model import Course

from .rules import SESSION, verb

PROGRESS = "https://w3id.org/xapi/cmi5/result/extensions/progress"


def key(s: dict, sessions: dict | None = None) -> tuple:
    progress = ((s.get("result") or {}).get("extensions") or {}).get(PROGRESS)
    sid = ((s.get("context") or {}).get("extensions") or {}).get(SESSION)
    return (verb(s), s["object"]["id"], progress, (sessions or {}).get(sid))


def progress_steps(course: Course) -> list[int]:
    """The progress values a full run reports: k of n items finished, k = 0..n, as the
    player rounds them (half up)."""
    n = len(course.items)
    return [math.floor(k / n * 100 + 0.5) for k in range(n + 1)]


def _content(course: Course, session) -> Counter:
    """experienced per lesson, answered per question of a full run (objects as the packages
    name them: docs/xapi.md)."""
    c = Counter()
    for lesson in course.lessons:
        c[("experienced", f"{course.id}/lesson/{lesson.id}", None, session)] += 1
        for q in lesson.questions:
            c[("answered", f"{course.id}/lesson/{lesson.id}/question/{q.id}", None, session)] += 1
    for quiz in course.quizzes:
        for q in quiz.questions:
            c[("answered", f"{course.id}/quiz/{quiz.id}/question/{q.id}", None, session)] += 1
    return c


def xapi_full_run(course: Course, *, relaunches: int = 0) -> Counter:
    """A Tin Can session that plays the whole course right, then ``relaunches`` sessions that
    only open and exit (they report the finished course's progress again and terminate)."""
    root = course.id
    c = _content(course, None)
    c[("initialized", root, None, None)] += 1 + relaunches
    for p in progress_steps(course):
        c[("progressed", root, p, None)] += 1
    c[("progressed", root, 100, None)] += relaunches
    for v in ("completed", "passed"):
        c[(v, root, None, None)] += 1
    c[("terminated", root, None, None)] += 1 + relaunches
    return c


def cmi5_full_run(course: Course, launches) -> Counter:
    """The LMS's ``launched`` per launch; the first session plays the whole course right
    (completed and passed: moveOn CompletedAndPassed met); the others only open and exit."""
    c = Counter()
    for i, launch in enumerate(launches):
        au = launch.activity_id
        c[("launched", au, None, i)] += 1
        c[("initialized", au, None, i)] += 1
        c[("terminated", au, None, i)] += 1
    first, au = 0, launches[0].activity_id
    c.update(_content(course, first))
    for p in progress_steps(course):
        c[("progressed", au, p, first)] += 1
    c[("completed", au, None, first)] += 1
    c[("passed", au, None, first)] += 1
    return c


@dataclass
class Ledger:
    expected: int
    stored: int
    lost: list = field(default_factory=list)  # expected keys not stored (one entry per missing copy)
    duplicated_ids: list = field(default_factory=list)  # ids stored more than once
    duplicated: list = field(default_factory=list)  # keys stored more often than expected (under other ids)
    unexpected: list = field(default_factory=list)  # keys nobody expected

    @property
    def clean(self) -> bool:
        return not (self.lost or self.duplicated_ids or self.duplicated or self.unexpected)

    def summary(self) -> str:
        return (f"expected {self.expected}, stored {self.stored}: lost {len(self.lost)}, "
                f"duplicated {len(self.duplicated_ids)} by id / {len(self.duplicated)} by verb+object, "
                f"unexpected {len(self.unexpected)}")

    def __str__(self) -> str:
        lines = [self.summary()]
        for name in ("lost", "duplicated_ids", "duplicated", "unexpected"):
            for item in getattr(self, name):
                lines.append(f"  {name}: {item}")
        return "\n".join(lines)


def account(stored: list[dict], expected: Counter, launches=None) -> Ledger:
    """Compare ``stored`` (everything Ralph holds for one registration, duplicates included)
    with the ``expected`` keys."""
    sessions = {launch.session: i for i, launch in enumerate(launches or [])}
    ids = Counter(s["id"] for s in stored)
    got = Counter(key(s, sessions) for s in {s["id"]: s for s in stored}.values())
    ledger = Ledger(expected=sum(expected.values()), stored=len(stored))
    ledger.duplicated_ids = sorted(i for i, n in ids.items() if n > 1)
    for k, n in expected.items():
        ledger.lost.extend([k] * max(0, n - got[k]))
        ledger.duplicated.extend([k] * max(0, got[k] - n))
    ledger.unexpected = sorted((k for k in got if k not in expected), key=repr)
    return ledger
