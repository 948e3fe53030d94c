"""The cmi5 package against a real Ralph behind a faulty network (tests/xapi/lms.py
``Faults``), on statements and State API alike, while the learner goes through the whole
course right: every statement of the run arrives once, the cmi5 rules hold (terminated
last, nothing after it) and moveOn (CompletedAndPassed) is met."""

from __future__ import annotations

import pytest

from coursekit_xapi import Cmi5Exporter

from tests.xapi.courses import tracked_course
from tests.xapi.faultruns import run, schedule
from tests.xapi.fixtures import lms_for, ralph  # noqa: F401  (fixtures)
from tests.xapi.rules import cmi5_problems, validate_xapi, verb

COURSE = tracked_course()


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    return Cmi5Exporter(COURSE).build(tmp_path_factory.mktemp("cmi5") / "out")


def check(outcome):
    assert outcome.items_during_outage >= 1, "the learner did nothing during the outage: the test proves nothing"
    assert outcome.ledger.clean, str(outcome.ledger)
    assert outcome.left_in_queue == 0
    assert outcome.order_problems() == []
    assert cmi5_problems(outcome.stored, outcome.launches) == []
    verbs = [verb(s) for s in outcome.stored]
    assert "completed" in verbs and "passed" in verbs  # moveOn CompletedAndPassed is met


@pytest.mark.parametrize("kind", ["drop", "hang"])
def test_each_fault_alone_while_the_learner_works_and_the_page_stays_open(kind, package, lms_for, chromium, ralph):
    lms = lms_for(package)
    check(run(chromium, lms, ralph, COURSE, "cmi5", schedule(kind, 5)))


def test_three_thirds_outage_with_the_page_kept_open(package, lms_for, chromium, ralph):
    lms = lms_for(package)
    outcome = run(chromium, lms, ralph, COURSE, "cmi5", schedule(["503", "drop", "lost"], 10))
    check(outcome)
    assert validate_xapi(outcome.stored) == []


def test_page_closed_during_the_outage_then_relaunched(package, lms_for, chromium, ralph):
    """The second launch reads LMS.LaunchData while the LRS may still fail: it waits for it
    (bounded), and the first session's statements leave with it."""
    lms = lms_for(package)
    check(run(chromium, lms, ralph, COURSE, "cmi5", schedule(["503", "drop", "lost"], 10), close_during=True))
