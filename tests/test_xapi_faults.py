"""The Tin Can package against a real Ralph behind a faulty network (tests/xapi/lms.py
``Faults``): 503, connections dropped without an answer, answers lost after the LRS stored
the request, connections that never answer, each alone and mixed, on statements and State
API alike, while the learner goes through the whole course. Ralph must end up with exactly
the statements of the run: none lost, none twice (by id, or by verb+object under two ids)."""

from __future__ import annotations

import pytest

from coursekit_xapi import XapiExporter

from tests.xapi.courses import tracked_course
from tests.xapi.faultruns import registration_statements, run, schedule
from tests.xapi.fixtures import browser_context, lms_for, ralph  # noqa: F401  (fixtures)
from tests.xapi.ledger import account, xapi_full_run
from tests.xapi.lms import Faults
from tests.xapi.play import drain, exit_course, play, wait_ready
from tests.xapi.rules import validate_xapi

COURSE = tracked_course()


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    return XapiExporter(COURSE).build(tmp_path_factory.mktemp("xapi") / "out")


def check(outcome):
    assert outcome.items_during_outage >= 1, "the learner did nothing during the outage: the test proves nothing"
    assert outcome.ledger.clean, str(outcome.ledger)
    assert outcome.left_in_queue == 0
    assert outcome.order_problems() == []


@pytest.mark.parametrize("kind", ["503", "drop", "lost", "hang"])
def test_each_fault_alone_while_the_learner_works_and_the_page_stays_open(kind, package, lms_for, chromium, ralph):
    lms = lms_for(package)
    outcome = run(chromium, lms, ralph, COURSE, "xapi", schedule(kind, 5))
    check(outcome)
    # the faults did hit statements and the State API
    assert any(k.endswith("statements") for k in outcome.faults), outcome.faults
    assert any(k.endswith("activities/state") for k in outcome.faults), outcome.faults


def test_three_thirds_outage_with_the_page_kept_open(package, lms_for, chromium, ralph):
    """The independent check's schedule: 503, then dropped connections, then lost answers."""
    lms = lms_for(package)
    outcome = run(chromium, lms, ralph, COURSE, "xapi", schedule(["503", "drop", "lost"], 10))
    check(outcome)
    assert validate_xapi(outcome.stored) == []


def test_page_closed_during_the_outage_then_relaunched(package, lms_for, chromium, ralph):
    lms = lms_for(package)
    outcome = run(chromium, lms, ralph, COURSE, "xapi", schedule(["503", "drop", "lost"], 10), close_during=True)
    check(outcome)


def test_a_state_api_that_never_answers_holds_back_no_statement(package, lms_for, browser_context, ralph):
    """Every State API request hangs, from the launch on: the statements still go at once."""
    lms = lms_for(package)
    lms.faults = Faults(0, (600, "hang"), only=("activities/state",))
    launch = lms.xapi_launch(activity_id=COURSE.id)
    page = browser_context.new_page()
    page.goto(launch.url)
    wait_ready(page)  # the state read gave up (timeout): the player runs from browser storage
    play(page, COURSE, right=True)
    exit_course(page)
    assert drain(page, 8000), "statements waited for the State API"
    ledger = account(registration_statements(ralph, launch.registration), xapi_full_run(COURSE))
    assert ledger.clean, str(ledger)
    assert lms.faults.applied and {r for _, _, r in lms.faults.applied} == {"activities/state"}


def test_ralph_takes_a_re_post_of_stored_ids_as_a_no_op(ralph):
    """What the queue relies on after a lost answer (docs/xapi.md "Faults"): the same ids and
    bodies again store nothing twice; only another body under a stored id is a conflict."""
    import json
    import uuid

    import requests

    def statement():
        return {"id": str(uuid.uuid4()), "actor": {"objectType": "Agent", "mbox": "mailto:ada@example.org"},
                "verb": {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en-US": "answered"}},
                "object": {"objectType": "Activity", "id": "https://example.org/q"},
                "timestamp": "2026-01-02T03:04:05.678Z", "context": {"registration": str(uuid.uuid4())}}

    url, headers = f"{ralph.endpoint}statements", {**ralph.headers(), "Content-Type": "application/json"}
    a, b = statement(), statement()

    def post(batch):
        return requests.post(url, data=json.dumps(batch), headers=headers, timeout=10)

    first = post([a])
    assert first.status_code == 200 and first.json() == [a["id"]]
    assert post([a]).status_code == 204  # all stored already
    both = post([a, b])
    assert both.status_code == 200 and both.json() == [b["id"]]  # only the new one is stored
    put = requests.put(url, params={"statementId": a["id"]}, data=json.dumps(a), headers=headers, timeout=10)
    assert put.status_code == 204
    other = dict(a, verb={"id": "http://adlnet.gov/expapi/verbs/passed", "display": {"en-US": "passed"}})
    assert post([other]).status_code == 409
    ids = [s["id"] for s in ralph.stored_lines()]
    assert ids.count(a["id"]) == 1 and ids.count(b["id"]) == 1
