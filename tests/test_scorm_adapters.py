"""The SCORM adapters against a real LMS runtime (scorm-again) in headless Chromium.

The adapter runs in a launch page inside the LMS's iframe and is driven through the tracker
interface (docs/tracker.md) exactly as the player calls it, with the question table the
exporter builds for the same course; the end-to-end tests through the player's own pages
live in test_scorm_e2e.py. Every API call must succeed, and every stored value must pass
Moodle's runtime regexes.
"""

from __future__ import annotations

import json

import pytest

from coursekit_scorm import interactions
from coursekit_scorm.exporter import RUNTIME, adapter_js
from scorm.courses import sample_course
from scorm.harness import (
    LMS, M12, M2004, interaction_problems, interactions_by_id, lms_site, matches, resume_data, set_values,
)

VERSIONS = {"scorm12": "1.2", "scorm2004": "2004"}

DRIVER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>adapter driver</title>
<script type="application/json" id="ck-config">{config}</script>
<script>
  // registerAdapter as the player defines it; the test calls the tracker like the player does
  window.CoursekitPlayer = {{ adapters: {{}}, registerAdapter: function (n, f) {{ this.adapters[n] = f; }} }};
</script>
<script src="player/scorm-runtime.js"></script>
<script src="player/{adapter}.js"></script>
<script>
  var config = JSON.parse(document.getElementById("ck-config").textContent);
  window.tracker = CoursekitPlayer.adapters[config.adapter](config, {{}});
</script>
</head><body><p>driver</p></body></html>
"""


def answers(all_correct: bool) -> list[dict]:
    """One answer per question of the sample course's final quiz (every type) and an inline check."""
    rows = [
        ("q1", "single", "choice", ["a"], ["b"]),
        ("q2", "multiple", "choice", ["a", "c"], ["a"]),
        ("q3", "true-false", "true-false", False, True),
        ("q4", "fill-in", "fill-in", "rgpd", "{CNIL} [,] law"),
        ("q5", "numeric", "numeric", 14, 7.5),
        ("q6", "matching", "matching", [["1", "a"], ["2", "b"]], [["1", "b"], ["2", "a"]]),
        ("q7", "ordering", "sequencing", ["a", "b", "c"], ["c", "a", "b"]),
    ]
    out = []
    for i, (qid, kind, itype, good, bad) in enumerate(rows):
        correct = all_correct or i % 2 == 0
        out.append({
            "quizId": "final", "lessonId": None, "questionId": qid, "type": kind, "interactionType": itype,
            "graded": True, "response": good if correct else bad, "correct": correct,
            "points": 1 if correct else 0, "maxPoints": 1, "latencyMs": 5230 + i * 1001,
            "timestamp": "2026-11-26T10:01:0%d.123Z" % i,
        })
    out.append({
        "quizId": None, "lessonId": "where-to-sell", "questionId": "k1", "type": "true-false", "interactionType": "true-false",
        "graded": False, "response": True, "correct": True, "points": 0, "maxPoints": 1, "latencyMs": 800,
        "timestamp": "2026-11-26T10:00:00.000Z",
    })
    return out


@pytest.fixture
def site(tmp_path, node_modules, serve):
    course = sample_course()
    root = lms_site(tmp_path / "site", node_modules)
    for adapter, version in VERSIONS.items():
        pkg = root / adapter
        (pkg / "player").mkdir(parents=True)
        for name in (RUNTIME, adapter):
            (pkg / "player" / f"{name}.js").write_bytes(adapter_js(name))
        config = {
            "course": course.id, "adapter": adapter, "start": "index.html", "scope": None,
            "options": {
                "sco": "single",
                "interactionPrefix": interactions.interaction_prefix(course, version),
                "questions": interactions.question_table(course, version),
            },
        }
        (pkg / "driver.html").write_text(DRIVER.format(config=json.dumps(config), adapter=adapter))
    return course, serve(root)


def play(frame, steps: list[list]) -> list:
    """Run tracker calls ``[method, *args]`` in the SCO frame; returns their results."""
    return frame.evaluate("steps => steps.map(s => window.tracker[s[0]].apply(null, s.slice(1)))", steps)


@pytest.mark.parametrize("adapter", ["scorm12", "scorm2004"])
@pytest.mark.parametrize("passing", [True, False], ids=["pass", "fail"])
def test_adapter_session_and_resume(adapter, passing, site, chromium):
    course, base = site
    version = VERSIONS[adapter]
    lms = LMS(chromium, base)
    lms.launch(version, f"{adapter}/driver.html")
    frame = lms.sco_frame
    frame.wait_for_function("window.tracker")

    started = play(frame, [["start"]])[0]
    assert started["recording"] is True and started["state"] is None and started["bookmark"] is None
    assert started["mode"] == "normal"
    cmi = lms.cmi()
    if version == "1.2":
        assert cmi["core"]["lesson_status"] == "incomplete"
    else:
        assert cmi["completion_status"] == "incomplete"

    state = "v1;" + "1" * 40 + ";final:" + ("a" * 7)
    score = 100 if passing else 57.14
    steps = [["lessonViewed", {"id": "welcome", "title": "Welcome"}, 0.2], ["saveState", state, "lesson-welcome.html"]]
    steps += [["questionAnswered", a] for a in answers(passing)]
    steps += [["saveState", state + "!", "quiz-final.html"], ["commit"]]
    steps += [["setResult", {"completed": True, "passed": passing, "score": score, "progress": 1}], ["commit"], ["exit"], ["exit"]]
    play(frame, steps)
    assert play(frame, [["exit"]]) == [None]  # a third exit does nothing either

    calls = lms.calls()
    assert lms.failed_calls() == [], lms.failed_calls()
    finish = [c for c in calls if c["fn"] in ("LMSFinish", "Terminate")]
    assert len(finish) == 1 and calls[-1]["fn"] == finish[0]["fn"], "finish once, nothing after it"
    assert [c["fn"] for c in calls].count("LMSInitialize" if version == "1.2" else "Initialize") == 1
    # commit at milestones only: start, the two explicit commits; never per value
    commits = [c for c in calls if c["fn"] in ("LMSCommit", "Commit")]
    assert 1 <= len(commits) <= 3

    final = lms.finished()
    values = set_values(calls)
    assert interaction_problems(version, final) == []
    by_id = interactions_by_id(final)
    prefix = interactions.interaction_prefix(course, version)
    assert len(by_id) == 8
    q2 = by_id[prefix + "final.q2"]
    if version == "1.2":
        core = final["core"]
        assert core["lesson_status"] == ("passed" if passing else "failed")
        assert core["score"] == {"raw": "100" if passing else "57.14", "min": "0", "max": "100"}
        assert final["suspend_data"] == state + "!"
        assert core["lesson_location"] == "quiz-final.html"
        assert values["cmi.core.exit"][-1] == ""
        assert matches(M12, "timespan", values["cmi.core.session_time"][-1])
        assert q2["correct_responses"]["0"]["pattern"] == "a,c"
        assert q2["student_response"] == ("a,c" if passing else "a")
        assert q2["result"] == ("correct" if passing else "wrong")
        assert by_id["final.q6"]["correct_responses"]["0"]["pattern"] == "1.a,2.b"
        assert by_id["final.q3"]["correct_responses"]["0"]["pattern"] == "f"
        assert by_id["final.q4"]["correct_responses"]["1"]["pattern"] == "GDPR"
        assert by_id["final.q1"]["latency"] == "00:00:05.23"
        assert by_id["where-to-sell.k1"]["weighting"] == "0"
    else:
        assert final["completion_status"] == "completed"
        assert final["success_status"] == ("passed" if passing else "failed")
        assert final["score"]["scaled"] == ("1" if passing else "0.5714")
        assert final["score"]["raw"] == ("100" if passing else "57.14")
        assert (final["score"]["min"], final["score"]["max"]) == ("0", "100")
        assert final["suspend_data"] == state + "!"
        assert final["location"] == "quiz-final.html"
        assert values["cmi.exit"][-1] == "normal"
        assert values["adl.nav.request"][-1] == "exitAll"
        assert matches(M2004, "nav", values["adl.nav.request"][-1])
        assert matches(M2004, "timespan", values["cmi.session_time"][-1])
        assert q2["correct_responses"]["0"]["pattern"] == "a[,]c"
        assert q2["learner_response"] == ("a[,]c" if passing else "a")
        assert q2["result"] == ("correct" if passing else "incorrect")
        assert q2["description"] == "Which are marketplaces?"
        assert by_id[prefix + "final.q5"]["correct_responses"]["0"]["pattern"] == "14[:]14"
        assert by_id[prefix + "final.q6"]["correct_responses"]["0"]["pattern"] == "1[.]a[,]2[.]b"
        assert by_id[prefix + "final.q1"]["latency"] == "PT5.23S"
        assert by_id[prefix + "final.q1"]["timestamp"] == "2026-11-26T10:01:00.12Z"
        if not passing:
            assert by_id[prefix + "final.q4"]["learner_response"] == "CNIL} , law"
    lms.close()


@pytest.mark.parametrize("adapter", ["scorm12", "scorm2004"])
def test_adapter_suspend_and_resume(adapter, site, chromium):
    """Leave half-way (pagehide from the LMS removing the frame), relaunch with what the LMS
    stored: the adapter hands the player its state and bookmark back, exit was suspend."""
    course, base = site
    version = VERSIONS[adapter]
    lms = LMS(chromium, base)
    lms.launch(version, f"{adapter}/driver.html")
    frame = lms.sco_frame
    frame.wait_for_function("window.tracker")
    play(frame, [["start"], ["lessonViewed", {"id": "welcome", "title": "Welcome"}, 0.25],
                 ["saveState", "v1;10000", "lesson-where-to-sell.html"],
                 ["questionAnswered", answers(True)[0]],
                 ["setResult", {"completed": False, "passed": None, "score": None, "progress": 0.25}]])
    lms.close_sco()  # the LMS unloads the SCO: pagehide must finish the session
    lms.page.wait_for_function("lms.finished !== null")
    calls = lms.calls()
    assert lms.failed_calls() == []
    values = set_values(calls)
    exit_key = "cmi.core.exit" if version == "1.2" else "cmi.exit"
    assert values[exit_key][-1] == "suspend"
    if version == "2004":
        assert values["adl.nav.request"][-1] == "suspendAll"
        assert "cmi.score.raw" not in values, "no score before it is final"
    else:
        assert "cmi.core.score.raw" not in values
    stored = lms.finished()
    lms.close()

    again = LMS(chromium, base)
    again.launch(version, f"{adapter}/driver.html", resume_data(version, stored))
    frame = again.sco_frame
    frame.wait_for_function("window.tracker")
    started = play(frame, [["start"]])[0]
    assert started == {"state": "v1;10000", "bookmark": "lesson-where-to-sell.html", "mode": "normal", "recording": True, "learnerName": None}
    # answering again after resume: 1.2 journals at the next index, 2004 updates its record
    play(frame, [["questionAnswered", answers(True)[1]], ["questionAnswered", answers(True)[0]], ["commit"], ["exit"]])
    assert again.failed_calls() == []
    final = again.finished()
    indexes = sorted(k for k in final["interactions"] if k.isdigit())
    assert len(indexes) == (3 if version == "1.2" else 2)
    cstatus = final["core"]["lesson_status"] if version == "1.2" else final["completion_status"]
    assert cstatus == "incomplete"
    again.close()


@pytest.mark.parametrize("adapter", ["scorm12", "scorm2004"])
def test_adapter_without_lms(adapter, site, chromium):
    """No API anywhere: the course still runs and the player is told nothing is recorded."""
    course, base = site
    page = chromium.new_page()
    page.goto(base + f"{adapter}/driver.html")
    page.wait_for_function("window.tracker")
    result = page.evaluate("""() => [tracker.start(), tracker.saveState('x', 'index.html'),
        tracker.questionAnswered({quizId: 'final', questionId: 'q1', type: 'single', interactionType: 'choice', response: ['a'], correct: true}),
        tracker.setResult({completed: true, passed: true, score: 100, progress: 1}), tracker.commit(), tracker.exit()]""")
    assert result[0] == {"state": None, "bookmark": None, "mode": "normal", "recording": False, "learnerName": None}
    page.close()


@pytest.mark.parametrize("adapter", ["scorm12", "scorm2004"])
def test_suspend_data_over_the_limit_is_not_sent(adapter, site, chromium):
    """An overflowing state would be truncated by the LMS and break resume: the adapter keeps
    the last good one and records why."""
    course, base = site
    version = VERSIONS[adapter]
    limit = 4096 if version == "1.2" else 64000
    lms = LMS(chromium, base)
    lms.launch(version, f"{adapter}/driver.html")
    frame = lms.sco_frame
    frame.wait_for_function("window.tracker")
    play(frame, [["start"], ["saveState", "x" * limit, "a.html"], ["saveState", "y" * (limit + 1), "b.html"], ["exit"]])
    assert lms.finished()["suspend_data"] == "x" * limit
    errors = frame.evaluate("tracker.errors")
    assert errors and errors[0]["element"] == "cmi.suspend_data"
    assert lms.failed_calls() == []
    lms.close()
