"""End to end: the xapi package launched in headless Chromium against a real Ralph LRS."""

from __future__ import annotations

import json
import time
from collections import Counter

from coursekit_xapi import XapiExporter

from tests.xapi.courses import tracked_course
from tests.xapi.fixtures import browser_context, lms_for, ralph  # noqa: F401  (fixtures)
from tests.xapi.play import drain, exit_course, open_page, pending, play, wait_ready
from tests.xapi.rules import validate_xapi, verb

COURSE = tracked_course()


def registration_statements(ralph, registration):
    """What Ralph stored for one registration, in the order stored (duplicates included)."""
    return [s for s in ralph.stored_lines() if (s.get("context") or {}).get("registration") == registration]


def package(tmp_path):
    return XapiExporter(COURSE).build(tmp_path / "out")


def test_full_run_is_stored_valid_and_complete(tmp_path, lms_for, browser_context, ralph):
    lms = lms_for(package(tmp_path))
    launch = lms.xapi_launch(activity_id=COURSE.id)
    page = browser_context.new_page()
    page.goto(launch.url)
    wait_ready(page)
    # the credential left the address bar as soon as it was read
    assert "auth=" not in page.url and "endpoint=" in page.url
    play(page, COURSE, right=True)
    exit_course(page)
    assert drain(page), f"{pending(page)} statements still queued"

    stored = registration_statements(ralph, launch.registration)
    verbs = [verb(s) for s in stored]
    assert verbs[0] == "initialized" and verbs[-1] == "terminated", verbs
    counts = Counter(verbs)
    assert counts["experienced"] == 2 and counts["answered"] == 8  # 7 quiz questions + 1 inline check
    assert counts["completed"] == 1 and counts["passed"] == 1 and counts["failed"] == 0
    assert counts["progressed"] >= 1
    # the order the player reports (docs/tracker.md): the answers before the verdict they lead
    # to, a lesson before the progress it makes
    assert max(i for i, v in enumerate(verbs) if v == "answered") < min(verbs.index("completed"), verbs.index("passed")), verbs
    assert all(verbs[i + 1] == "progressed" for i, v in enumerate(verbs) if v == "experienced"), verbs
    assert len({s["id"] for s in stored}) == len(stored)
    assert validate_xapi(stored) == []
    assert not browser_context.errors

    by_verb = {verb(s): s for s in stored}
    passed = by_verb["passed"]
    assert passed["result"]["score"] == {"scaled": 1.0, "raw": 100, "min": 0, "max": 100} and passed["result"]["success"] is True
    assert passed["object"]["id"] == COURSE.id and passed["actor"]["mbox"] == "mailto:ada@example.org"
    for s in stored:
        assert s["context"]["registration"] == launch.registration
        assert s["timestamp"].endswith("Z")
    answered = {s["object"]["id"].rsplit("/", 1)[1]: s for s in stored if verb(s) == "answered"}
    q6 = answered["q6"]
    assert q6["object"]["definition"]["interactionType"] == "matching"
    assert q6["object"]["definition"]["correctResponsesPattern"] == ["1[.]a[,]2[.]b"]
    assert q6["result"] == {**q6["result"], "success": True, "response": "1[.]a[,]2[.]b"}
    assert q6["context"]["contextActivities"]["parent"][0]["id"] == f"{COURSE.id}/quiz/final"
    grouping = [a["id"] for a in q6["context"]["contextActivities"]["grouping"]]
    assert grouping == [COURSE.id, f"{COURSE.id}/module/shop"]
    assert answered["q7"]["result"]["response"] == "a[,]b[,]c"
    assert answered["q2"]["result"]["response"] == "a[,]b"
    assert answered["check"]["object"]["id"] == f"{COURSE.id}/lesson/where/question/check"
    assert answered["check"]["context"]["contextActivities"]["parent"][0]["id"] == f"{COURSE.id}/lesson/where"
    assert by_verb["terminated"]["result"]["duration"].startswith("PT")

    # every request carried the version header and the credential; none leaked to storage
    lrs_requests = lms.events_of("lrs")
    assert lrs_requests and all(e[4] == "1.0.3" and e[5] for e in lrs_requests)
    storage = page.evaluate("() => JSON.stringify(Object.assign({}, localStorage, sessionStorage))")
    secret = launch.auth.split(" ", 1)[1]
    assert secret not in storage and launch.auth not in storage
    assert secret not in page.url and secret not in page.evaluate("() => document.cookie")


def test_resume_from_the_state_api_in_a_fresh_browser(tmp_path, lms_for, chromium, ralph):
    lms = lms_for(package(tmp_path))
    first = lms.xapi_launch(activity_id=COURSE.id)
    context = chromium.new_context()
    page = context.new_page()
    page.goto(first.url)
    wait_ready(page)
    open_page(page, COURSE.items[1].href)
    assert drain(page)
    context.close()  # the learner leaves: pagehide -> suspended

    # another browser (no localStorage): the state can only come from the State API
    again = lms.xapi_launch(activity_id=COURSE.id, registration=first.registration, actor=first.actor)
    context = chromium.new_context()
    page = context.new_page()
    page.goto(again.url)
    wait_ready(page)
    assert page.evaluate("() => CoursekitPlayer.host.bookmark") == COURSE.items[1].href
    assert page.evaluate("() => CoursekitPlayer.host.state.viewed")  # the viewed lesson came back
    assert drain(page)
    context.close()
    time.sleep(0.5)
    verbs = [verb(s) for s in registration_statements(ralph, first.registration)]
    assert verbs.count("initialized") == 2 and verbs.count("suspended") >= 1, verbs


def test_lrs_outage_loses_nothing_and_stores_nothing_twice(tmp_path, lms_for, chromium, ralph):
    """The LRS answers 503, then is stopped for real, across a relaunch; when it is back,
    every statement arrives exactly once."""
    lms = lms_for(package(tmp_path))
    launch = lms.xapi_launch(activity_id=COURSE.id)
    context = chromium.new_context()
    page = context.new_page()
    page.goto(launch.url)
    wait_ready(page)
    open_page(page, COURSE.items[0].href)
    assert drain(page)

    lms.outage = True  # the LRS answers 503
    play(page, COURSE, right=True, items=COURSE.items[1:])
    time.sleep(1)
    assert pending(page) > 0
    # the learner closes the window and the LMS relaunches, still during the outage
    page.close()
    page = context.new_page()
    relaunch = lms.xapi_launch(activity_id=COURSE.id, registration=launch.registration, actor=launch.actor)
    ralph.stop()  # now the LRS is really gone (the LMS answers 502)
    lms.outage = False
    page.goto(relaunch.url)
    wait_ready(page)
    queued = pending(page)
    assert queued >= 12, queued  # the first session's statements waited in localStorage
    time.sleep(1.5)
    assert pending(page) >= queued
    ralph.start()
    assert drain(page, 30000), f"{pending(page)} statements still queued"
    exit_course(page)
    assert drain(page, 30000)
    context.close()

    stored = registration_statements(ralph, launch.registration)
    ids = Counter(s["id"] for s in stored)
    assert [i for i, n in ids.items() if n > 1] == [], "a statement was stored twice"
    counts = Counter(verb(s) for s in stored)
    assert counts["initialized"] == 2 and counts["experienced"] == 2 and counts["answered"] == 8
    assert counts["completed"] == 1 and counts["passed"] == 1
    # both sessions ended on a finished course: terminated, never suspended
    assert counts["terminated"] == 2 and counts["suspended"] == 0
    assert validate_xapi(stored) == []
    # the same statement went out more than once (retries), but under the same id
    attempts = Counter(i for e in lms.events_of("statements") for i in e[2])
    assert set(attempts) >= set(ids)


def test_example_course_full_run(tmp_path, lms_for, browser_context, ralph):
    """The repository's example course, loaded from its folder, played through."""
    from coursekit.loader import load_course

    from tests.conftest import REPO

    course = load_course(REPO / "courses" / "vendre-en-ligne")
    lms = lms_for(XapiExporter(course).build(tmp_path / "out"))
    launch = lms.xapi_launch(activity_id=course.id)
    page = browser_context.new_page()
    page.goto(launch.url)
    wait_ready(page)
    play(page, course, right=True)
    exit_course(page)
    assert drain(page)
    stored = registration_statements(ralph, launch.registration)
    assert validate_xapi(stored) == []
    counts = Counter(verb(s) for s in stored)
    inline = sum(len(lesson.questions) for lesson in course.lessons)
    graded = sum(len(quiz.questions) for quiz in course.quizzes)
    assert counts["experienced"] == len(course.lessons) and counts["answered"] == inline + graded
    assert counts["completed"] == 1 and counts["passed"] == 1 and counts["terminated"] == 1
    for s in stored:
        if verb(s) == "answered":
            assert s["result"]["success"] is True, s["object"]["id"]
    assert not browser_context.errors


def test_resume_from_browser_storage_when_the_lrs_has_no_state_api(tmp_path, lms_for, browser_context, ralph):
    lms = lms_for(package(tmp_path))
    lms.documents_api = False  # like Ralph: 404 on activities/state
    first = lms.xapi_launch(activity_id=COURSE.id)
    page = browser_context.new_page()
    page.goto(first.url)
    wait_ready(page)
    open_page(page, COURSE.items[1].href)
    assert drain(page)
    page.close()
    again = lms.xapi_launch(activity_id=COURSE.id, registration=first.registration, actor=first.actor)
    page = browser_context.new_page()
    page.goto(again.url)
    wait_ready(page)
    assert page.evaluate("() => CoursekitPlayer.host.bookmark") == COURSE.items[1].href


def test_a_reload_without_credentials_keeps_statements_for_the_next_launch(tmp_path, lms_for, browser_context, ralph):
    lms = lms_for(package(tmp_path))
    launch = lms.xapi_launch(activity_id=COURSE.id)
    page = browser_context.new_page()
    page.goto(launch.url)
    wait_ready(page)
    assert drain(page)
    page.reload()  # the address bar no longer holds auth: nothing can be sent...
    wait_ready(page)
    open_page(page, COURSE.lessons[1].href)
    assert pending(page) > 0
    page.close()
    # ... until the LMS launches again with credentials
    again = lms.xapi_launch(activity_id=COURSE.id, registration=launch.registration, actor=launch.actor)
    page = browser_context.new_page()
    page.goto(again.url)
    wait_ready(page)
    assert drain(page)
    stored = registration_statements(ralph, launch.registration)
    verbs = [verb(s) for s in stored]
    starts = [i for i, v in enumerate(verbs) if v == "initialized"]
    assert len(starts) == 3
    # the lesson seen in the session without credentials arrived, in its place
    between = stored[starts[1]:starts[2]]
    assert [s["object"]["id"] for s in between if verb(s) == "experienced"] == [f"{COURSE.id}/lesson/{COURSE.lessons[1].id}"]
    assert len({s["id"] for s in stored}) == len(stored)


def test_a_statement_the_lrs_refuses_does_not_block_the_others(tmp_path, lms_for, browser_context, ralph):
    lms = lms_for(package(tmp_path))
    lms.reject_verb = "progressed"
    launch = lms.xapi_launch(activity_id=COURSE.id)
    page = browser_context.new_page()
    page.goto(launch.url)
    wait_ready(page)
    play(page, COURSE, right=True)
    exit_course(page)
    assert drain(page)
    stored = registration_statements(ralph, launch.registration)
    counts = Counter(verb(s) for s in stored)
    assert counts["progressed"] == 0 and counts["answered"] == 8 and counts["passed"] == 1 and counts["terminated"] == 1
    rejected = page.evaluate("""() => Object.keys(localStorage).filter(k => k.startsWith('coursekit.xapi.rejected.'))
        .flatMap(k => JSON.parse(localStorage.getItem(k)))""")
    assert rejected and {r["status"] for r in rejected} == {400}
    assert {r["statement"]["verb"]["id"].rsplit("/", 1)[1] for r in rejected} == {"progressed"}
