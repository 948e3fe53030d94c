"""A learner's run under LRS faults, shared by the fault tests and benchmarks/xapi_faults.py.

The LMS (tests/xapi/lms.py) plays the faults on every LRS resource for a window of seconds
that starts after the N-th statement request; the learner goes through the whole course
while the LRS is failing, then either keeps the page open until the queue drained, or closes
it during the outage and is launched again. What Ralph stored is then accounted for against
what the run should have stored (tests/xapi/ledger.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from .ledger import Ledger, account, cmi5_full_run, xapi_full_run
from .lms import LMS, Faults
from .play import drain, exit_course, pending, play, wait_ready
from .rules import verb


@dataclass
class Outcome:
    ledger: Ledger
    stored: list
    launches: list
    #: course items (lessons viewed, quizzes submitted) the learner finished while the LRS was failing
    items_during_outage: int
    #: statements still queued in the browser at the end (0 when everything arrived)
    left_in_queue: int
    faults: dict = field(default_factory=dict)
    seconds: float = 0.0

    def order_problems(self) -> list[str]:
        """The player's order (docs/tracker.md): every answered before completed and passed."""
        first = {}
        for i, s in enumerate(self.stored):
            first.setdefault(verb(s), i)
        answered = [i for i, s in enumerate(self.stored) if verb(s) == "answered"]
        problems = []
        for v in ("completed", "passed"):
            if v in first and answered and max(answered) > first[v]:
                problems.append(f"an answered statement was stored after {v}")
        return problems


def registration_statements(ralph, registration) -> list[dict]:
    """What Ralph stored for one registration, in the order stored (duplicates included)."""
    return [s for s in ralph.stored_lines() if (s.get("context") or {}).get("registration") == registration]


def schedule(kinds, seconds: float, after: int = 2) -> Faults:
    """``seconds`` of faults after the ``after``-th statement request, split evenly between
    ``kinds`` in that order."""
    kinds = [kinds] if isinstance(kinds, str) else list(kinds)
    return Faults(after, *[(seconds / len(kinds), k) for k in kinds])


def _wait_started(faults: Faults, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while faults.started is None:
        if time.monotonic() > deadline:
            raise AssertionError(f"the outage never started: fewer than {faults.after} statement requests")
        time.sleep(0.05)


def run(chromium, lms: LMS, ralph, course, fmt: str, faults: Faults, *, close_during: bool = False,
        drain_ms: int = 45000) -> Outcome:
    """One learner, one registration: launch, the outage begins, the whole course is played
    right during it; then the page stays open until the queue drained and the learner exits
    (``close_during=False``), or the learner closes the page during the outage and the LMS
    launches the course again at once (``close_during=True``), where the queue drains.
    ``fmt``: "xapi" or "cmi5"."""
    t0 = time.monotonic()
    context = chromium.new_context()
    launches = []

    def launch(**kw):
        if fmt == "xapi":
            lc = lms.xapi_launch(activity_id=course.id, **kw)
        else:
            lc = lms.cmi5_launch("launch.html", f"{course.id}/au", mastery=course.passing_score / 100, **kw)
        launches.append(lc)
        return lc

    def leave(page):
        exit_course(page)
        if fmt == "cmi5":  # terminated, then the AU goes back to the LMS
            page.wait_for_url(lms.base + "return", timeout=20000)
        else:
            drain(page, drain_ms)

    try:
        first = launch()
        lms.faults = faults
        page = context.new_page()
        page.goto(first.url)
        wait_ready(page)
        _wait_started(faults)
        during = 0
        for item in course.items:  # the learner keeps working: the outage is on
            play(page, course, right=True, items=[item])
            during += not faults.over()
        if close_during:
            page.close()  # pagehide: the session ends, what is queued goes in a keepalive request
            again = launch(registration=first.registration, actor=first.actor)
            page = context.new_page()
            page.goto(again.url)
            wait_ready(page)
        faults.wait_over()
        drain(page, drain_ms)  # the page stays open: the queue drains by itself
        left = pending(page)
        leave(page)
    finally:
        context.close()
    time.sleep(0.3)  # the LMS thread that forwards a keepalive request may still be at Ralph
    stored = registration_statements(ralph, first.registration)
    if fmt == "xapi":
        expected = xapi_full_run(course, relaunches=len(launches) - 1)
    else:
        expected = cmi5_full_run(course, launches)
    applied: dict = {}
    for kind, method, resource in faults.applied:
        applied[f"{kind} {method} {resource}"] = applied.get(f"{kind} {method} {resource}", 0) + 1
    return Outcome(
        ledger=account(stored, expected, launches if fmt == "cmi5" else None), stored=stored, launches=launches,
        items_during_outage=during, left_in_queue=left, faults=applied, seconds=time.monotonic() - t0,
    )
