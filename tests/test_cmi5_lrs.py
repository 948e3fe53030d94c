"""End to end: the cmi5 package launched by a small LMS (fetch URL, LMS.LaunchData, learner
preferences, statements forwarded to a real Ralph) in headless Chromium; the cmi5 rules are
checked on what Ralph stored."""

from __future__ import annotations

from collections import Counter

import pytest

from coursekit_xapi import Cmi5Exporter

from tests.xapi.courses import tracked_course
from tests.xapi.fixtures import browser_context, lms_for, ralph  # noqa: F401  (fixtures)
from tests.xapi.play import drain, exit_course, open_page, pending, play, retake, wait_ready
from tests.xapi.rules import cmi5_problems, validate_xapi, verb

COURSE = tracked_course()
AU_ID = f"{COURSE.id}/au"


def registration_statements(ralph, registration):
    return [s for s in ralph.stored_lines() if (s.get("context") or {}).get("registration") == registration]


def run(page, lms, launch, *, right=True, items=None, play_it=True):
    page.goto(launch.url)
    wait_ready(page)
    assert "fetch=" not in page.url  # the one-time token URL left the address bar
    if play_it:
        play(page, COURSE, right=right, items=items)
    exit_course(page)
    # terminated, then the AU goes back to the LMS's returnURL
    page.wait_for_url(lms.base + "return", timeout=20000)


def launch_sequence_ok(lms, launch) -> None:
    """cmi5 §8: fetch (POST, once), LMS.LaunchData, learner preferences, then statements."""
    events = [e for e in lms.events if e[0] in ("fetch", "lrs")]
    kinds = []
    for e in events:
        if e[0] == "fetch":
            kinds.append(f"fetch:{e[1]}")
        elif e[2] == "activities/state" and e[3] == "LMS.LaunchData":
            kinds.append(f"launchdata:{e[1]}")
        elif e[2] == "agents/profile":
            kinds.append(f"prefs:{e[1]}")
        elif e[2] == "statements":
            kinds.append(f"statements:{e[1]}")
    first = kinds.index("fetch:POST")
    assert kinds.count("fetch:POST") == 1 and "fetch:GET" not in kinds
    assert first < kinds.index("launchdata:GET") < kinds.index("prefs:GET") < kinds.index("statements:POST"), kinds
    assert lms.launch_data_writes == 0


def test_passing_run_follows_the_cmi5_rules(tmp_path, lms_for, browser_context, ralph):
    lms = lms_for(Cmi5Exporter(COURSE).build(tmp_path / "out"))
    launch = lms.cmi5_launch("launch.html", AU_ID, mastery=0.7, preferences={"languagePreference": "en-US", "audioPreference": "on"})
    page = browser_context.new_page()
    run(page, lms, launch, right=True)
    stored = registration_statements(ralph, launch.registration)
    assert validate_xapi(stored) == []
    assert cmi5_problems(stored, [launch]) == []
    verbs = [verb(s) for s in stored]
    assert verbs[0] == "launched" and verbs[1] == "initialized" and verbs[-1] == "terminated"
    counts = Counter(verbs)
    assert counts["completed"] == 1 and counts["passed"] == 1 and counts["failed"] == 0
    assert counts["answered"] == 8 and counts["experienced"] == 2
    passed = next(s for s in stored if verb(s) == "passed")
    assert passed["result"]["score"]["scaled"] == 1.0
    assert passed["context"]["extensions"]["https://w3id.org/xapi/cmi5/context/extensions/masteryscore"] == 0.7
    # answers before the verdict, as a reader of the LRS expects
    assert max(i for i, v in enumerate(verbs) if v == "answered") < min(verbs.index("completed"), verbs.index("passed")), verbs
    assert all(verbs[i + 1] == "progressed" for i, v in enumerate(verbs) if v == "experienced"), verbs
    launch_sequence_ok(lms, launch)
    assert not browser_context.errors


def test_failing_run_then_a_passing_retake_in_a_second_session(tmp_path, lms_for, chromium, ralph):
    lms = lms_for(Cmi5Exporter(COURSE).build(tmp_path / "out"))
    first = lms.cmi5_launch("launch.html", AU_ID, mastery=0.7)
    context = chromium.new_context()
    run(context.new_page(), lms, first, right=False)
    stored = registration_statements(ralph, first.registration)
    counts = Counter(verb(s) for s in stored)
    assert counts["failed"] == 1 and counts["passed"] == 0 and counts["completed"] == 1
    failed = next(s for s in stored if verb(s) == "failed")
    assert failed["result"]["success"] is False and failed["result"]["score"]["scaled"] < 0.7

    # the LMS launches the AU again in the same registration: the learner retakes and passes
    second = lms.cmi5_launch("launch.html", AU_ID, mastery=0.7, registration=first.registration, actor=first.actor)
    page = context.new_page()
    page.goto(second.url)
    wait_ready(page)
    retake(page, COURSE.quizzes[0], COURSE, right=True)
    exit_course(page)
    page.wait_for_url(lms.base + "return", timeout=20000)
    context.close()

    stored = registration_statements(ralph, first.registration)
    assert validate_xapi(stored) == []
    assert cmi5_problems(stored, [first, second]) == []
    counts = Counter(verb(s) for s in stored)
    # completed once per registration; passed in the second session, no failed after it
    assert counts["completed"] == 1 and counts["passed"] == 1 and counts["failed"] == 1
    assert counts["initialized"] == 2 and counts["terminated"] == 2


@pytest.mark.parametrize("mode", ["Browse", "Review"])
def test_browse_and_review_send_only_initialized_and_terminated(mode, tmp_path, lms_for, browser_context, ralph):
    lms = lms_for(Cmi5Exporter(COURSE).build(tmp_path / "out"))
    launch = lms.cmi5_launch("launch.html", AU_ID, mode=mode, mastery=0.7)
    page = browser_context.new_page()
    if mode == "Browse":  # the learner does everything, nothing of it is reported
        run(page, lms, launch, right=True)
    else:  # review: quizzes are locked; the learner reads a lesson and leaves
        page.goto(launch.url)
        wait_ready(page)
        assert page.evaluate("() => CoursekitPlayer.host.mode") == "review"
        open_page(page, COURSE.lessons[1].href)
        exit_course(page)
        page.wait_for_url(lms.base + "return", timeout=20000)
    stored = registration_statements(ralph, launch.registration)
    assert [verb(s) for s in stored] == ["launched", "initialized", "terminated"]
    assert cmi5_problems(stored, [launch]) == []
    assert validate_xapi(stored) == []


def test_multi_au_quiz_launch(tmp_path, lms_for, browser_context, ralph):
    lms = lms_for(Cmi5Exporter(COURSE, {"au": "multi"}).build(tmp_path / "out"))
    quiz = COURSE.quizzes[0]
    launch = lms.cmi5_launch(f"au-{quiz.id}.html", f"{COURSE.id}/au/{quiz.id}", mastery=0.7, move_on="CompletedAndPassed")
    page = browser_context.new_page()
    page.goto(launch.url)
    wait_ready(page)
    # the launch covers the quiz alone: it starts there and is complete when it is submitted
    assert page.evaluate("() => CoursekitPlayer.host.scope") == [quiz.id]
    play(page, COURSE, right=True, items=[quiz])
    exit_course(page)
    page.wait_for_url(lms.base + "return", timeout=20000)
    stored = registration_statements(ralph, launch.registration)
    assert cmi5_problems(stored, [launch]) == []
    counts = Counter(verb(s) for s in stored)
    assert counts["completed"] == 1 and counts["passed"] == 1 and counts["answered"] == 7


def test_outage_during_a_cmi5_session_loses_nothing(tmp_path, lms_for, browser_context, ralph):
    lms = lms_for(Cmi5Exporter(COURSE).build(tmp_path / "out"))
    launch = lms.cmi5_launch("launch.html", AU_ID, mastery=0.7)
    page = browser_context.new_page()
    page.goto(launch.url)
    wait_ready(page)
    lms.outage = True
    play(page, COURSE, right=True)
    assert pending(page) > 0
    lms.outage = False
    assert drain(page, 30000)
    exit_course(page)
    page.wait_for_url(lms.base + "return", timeout=20000)
    stored = registration_statements(ralph, launch.registration)
    assert len({s["id"] for s in stored}) == len(stored)
    assert cmi5_problems(stored, [launch]) == []
    counts = Counter(verb(s) for s in stored)
    assert counts["answered"] == 8 and counts["completed"] == 1 and counts["passed"] == 1


def test_example_course_failing_run(tmp_path, lms_for, browser_context, ralph):
    """The repository's example course, loaded from its folder, every answer wrong."""
    from coursekit.loader import load_course

    from tests.conftest import REPO

    course = load_course(REPO / "courses" / "vendre-en-ligne")
    lms = lms_for(Cmi5Exporter(course).build(tmp_path / "out"))
    launch = lms.cmi5_launch("launch.html", f"{course.id}/au", mastery=course.passing_score / 100)
    page = browser_context.new_page()
    page.goto(launch.url)
    wait_ready(page)
    play(page, course, right=False)
    exit_course(page)
    page.wait_for_url(lms.base + "return", timeout=20000)
    stored = registration_statements(ralph, launch.registration)
    assert validate_xapi(stored) == []
    assert cmi5_problems(stored, [launch]) == []
    counts = Counter(verb(s) for s in stored)
    assert counts["failed"] == 1 and counts["passed"] == 0 and counts["completed"] == 1


def test_course_without_quizzes_is_only_completed(tmp_path, lms_for, browser_context, ralph):
    import dataclasses

    from coursekit.model import Module

    lessons_only = dataclasses.replace(
        COURSE, id="urn:coursekit:lessons-only",
        structure=(COURSE.structure[0], Module(id="shop", title="Build your shop", items=(COURSE.lessons[1],))),
    )
    lms = lms_for(Cmi5Exporter(lessons_only).build(tmp_path / "out"))
    launch = lms.cmi5_launch("launch.html", "urn:coursekit:lessons-only/au", move_on="Completed")
    page = browser_context.new_page()
    page.goto(launch.url)
    wait_ready(page)
    play(page, lessons_only, right=True)
    exit_course(page)
    page.wait_for_url(lms.base + "return", timeout=20000)
    stored = registration_statements(ralph, launch.registration)
    assert validate_xapi(stored) == []
    assert cmi5_problems(stored, [launch]) == []
    counts = Counter(verb(s) for s in stored)
    assert counts["completed"] == 1 and counts["passed"] == 0 and counts["failed"] == 0 and counts["answered"] == 1
