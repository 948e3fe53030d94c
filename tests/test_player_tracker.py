"""The tracker contract (docs/tracker.md) as an adapter sees it: a launch shell hosts the
session, pages in its frame use that host, and the adapter receives the documented calls."""

from __future__ import annotations


import pytest

from browser.demo import RIGHT, demo_course
from browser.play import answer, guarded_context, write_site
from coursekit.player import Site

#: an adapter that records every call in the shell's window; `recording` comes from the options
PROBE = """
CoursekitPlayer.registerAdapter("probe", function (config, course) {
  var calls = window.calls = [];
  var log = function (name) { return function () { calls.push([name].concat([].slice.call(arguments))); }; };
  return {
    start: function () {
      calls.push(["start", config.scope, course.questions.length]);
      return Promise.resolve({state: window.name || null, bookmark: null, mode: config.options.mode || "normal", recording: config.options.recording, learnerName: "Ada"});
    },
    saveState: function (state, bookmark) { window.name = state; calls.push(["saveState", state.length, bookmark]); },
    lessonViewed: config.options.broken ? function () { throw new Error("LMS gone"); } : log("lessonViewed"),
    questionAnswered: log("questionAnswered"),
    setResult: log("setResult"), commit: log("commit"), exit: log("exit")
  };
});
"""


@pytest.fixture
def tracked(tmp_path):
    """A site with a probe adapter and two launch pages: the whole course, and the quiz alone."""
    course = demo_course()
    site = Site(course)
    write_site(course, tmp_path)
    (tmp_path / "player" / "probe.js").write_text(PROBE)
    (tmp_path / "launch.html").write_bytes(site.shell(adapter="probe", scripts=["player/probe.js"], options={"recording": False}))
    (tmp_path / "review.html").write_bytes(site.shell(adapter="probe", scripts=["player/probe.js"], start="quiz-final.html", options={"recording": True, "mode": "review"}))
    (tmp_path / "broken.html").write_bytes(site.shell(adapter="probe", scripts=["player/probe.js"], options={"recording": True, "broken": True}))
    (tmp_path / "sco-final.html").write_bytes(site.shell(adapter="probe", scripts=["player/probe.js"], scope=["final"], options={"recording": True}))
    return tmp_path


def shown(frame, title):
    """Wait until the frame shows the page titled ``title`` and its runtime has booted."""
    frame.locator("h1", has_text=title).wait_for()
    frame.locator(".ck-progress:not([hidden])").wait_for()


def calls(page, name=None):
    return [c for c in page.evaluate("window.calls") if name is None or c[0] == name]


def test_pages_in_the_shell_use_its_single_session(chromium, serve, tracked):
    base = serve(tracked)
    context, guard = guarded_context(chromium)
    shell = context.new_page()
    shell.goto(base + "launch.html")
    frame = shell.frame_locator("#ck-frame")
    frame.locator(".ck-progress:not([hidden])").wait_for()
    # no LMS answered: the learner is told, plainly, and offered an explicit exit
    assert "progress is not recorded" in frame.locator(".ck-banner").inner_text()
    assert frame.locator(".ck-exit").is_visible()
    frame.locator(".ck-next").click()           # index -> lesson-welcome
    shown(frame, "Welcome")
    frame.locator(".ck-next").click()           # -> lesson-where
    shown(frame, "Where to sell")
    frame.locator("#ck-q0-b").check()
    frame.locator("#ck-q0 .ck-check").click()
    frame.locator(".ck-next").click()           # -> quiz
    shown(frame, "Final quiz")
    for key, qtype in enumerate(["single", "multiple", "true-false", "fill-in", "numeric", "matching", "ordering"], start=1):
        answer(frame, key, qtype, RIGHT[f"q{key}"])
    frame.locator(".ck-submit").click()
    frame.locator(".ck-quiz-result .ck-status").wait_for()

    assert len(calls(shell, "start")) == 1, "one session for the whole launch, whatever the pages"
    assert calls(shell)[0] == ["start", None, 8]
    assert [c[1]["id"] for c in calls(shell, "lessonViewed")] == ["welcome", "where"]
    assert [round(c[2], 2) for c in calls(shell, "lessonViewed")] == [0.33, 0.67]
    inline, *graded = [c[1] for c in calls(shell, "questionAnswered")]
    assert inline["quizId"] is None and inline["lessonId"] == "where" and inline["graded"] is False and inline["correct"] is True
    assert [a["questionId"] for a in graded] == ["q1", "q2", "q3", "q4", "q5", "q6", "q7"]
    by_id = {a["questionId"]: a for a in graded}
    assert by_id["q2"] | {"latencyMs": 0, "timestamp": ""} == {
        "quizId": "final", "lessonId": None, "questionId": "q2", "type": "multiple", "interactionType": "choice",
        "graded": True, "response": ["a", "b"], "correct": True, "points": 2, "maxPoints": 2, "latencyMs": 0, "timestamp": "",
    }
    assert by_id["q3"]["response"] is True and by_id["q4"]["response"] == "rgpd" and by_id["q5"]["response"] == 20.5
    assert by_id["q6"]["response"] == [["1", "a"], ["2", "b"], ["3", "c"]] and by_id["q7"]["interactionType"] == "sequencing"
    assert by_id["q1"]["timestamp"].endswith("Z") and by_id["q1"]["latencyMs"] >= 0
    results = [c[1] for c in calls(shell, "setResult")]
    assert results[0] == {"completed": False, "passed": None, "score": 0, "progress": 0}
    assert results[-1] == {"completed": True, "passed": True, "score": 100, "progress": 1}
    assert all(a != b for a, b in zip(results, results[1:])), "setResult only when something changed"
    assert calls(shell, "commit"), "milestones commit"
    assert calls(shell, "saveState")[-1][2] == "quiz-final.html", "the bookmark is the page shown"

    frame.locator(".ck-exit").click()
    assert "You can close this window" in frame.locator(".ck-banner[role=status]").inner_text()
    shell.evaluate("window.dispatchEvent(new PageTransitionEvent('pagehide'))")
    assert len(calls(shell, "exit")) == 1, "pagehide after the explicit exit ends nothing twice"
    context.close()
    guard.check()


def test_exit_on_pagehide_once_and_state_comes_back(chromium, serve, tracked):
    base = serve(tracked)
    context, guard = guarded_context(chromium)
    shell = context.new_page()
    shell.goto(base + "launch.html")
    frame = shell.frame_locator("#ck-frame")
    frame.locator(".ck-start").click()
    frame.locator("h1", has_text="Welcome").wait_for()
    shell.wait_for_function("window.calls.some(c => c[0] === 'lessonViewed')")  # the lesson page has booted
    shell.evaluate("window.dispatchEvent(new PageTransitionEvent('pagehide')); window.dispatchEvent(new PageTransitionEvent('pagehide'))")
    assert len(calls(shell, "exit")) == 1
    # the adapter kept the state in window.name: a new launch in this tab starts from it
    shell.goto(base + "launch.html")
    shell.frame_locator("#ck-frame").locator(".ck-st[data-item=welcome]", has_text="Viewed").wait_for()
    context.close()
    guard.check()


def test_scoped_launch_reports_on_its_items_only(chromium, serve, tracked):
    base = serve(tracked)
    context, guard = guarded_context(chromium)
    shell = context.new_page()
    shell.goto(base + "sco-final.html")
    frame = shell.frame_locator("#ck-frame")
    shown(frame, "Final quiz")                  # starts at the scope's page
    assert not frame.locator(".ck-banner").count(), "recording: no warning"
    assert not frame.locator(".ck-pager a").first.is_visible(), "no way out of the scope"
    answer(frame, 1, "single", "a")
    for key, qtype in enumerate(["multiple", "true-false", "fill-in", "numeric", "matching", "ordering"], start=2):
        answer(frame, key, qtype, RIGHT[f"q{key}"])
    frame.locator(".ck-submit").click()
    frame.locator(".ck-quiz-result .ck-status").wait_for()
    assert calls(shell)[0][1] == ["final"]
    assert calls(shell, "setResult")[-1][1] == {"completed": True, "passed": True, "score": 100, "progress": 1}
    context.close()
    guard.check()


def test_review_mode_is_read_only_and_sends_nothing(chromium, serve, tracked):
    context, guard = guarded_context(chromium)
    shell = context.new_page()
    shell.goto(serve(tracked) + "review.html")
    frame = shell.frame_locator("#ck-frame")
    shown(frame, "Final quiz")
    assert frame.locator("#ck-q1-a").is_disabled()
    assert not frame.locator(".ck-submit").is_visible()
    assert not calls(shell, "saveState") and not calls(shell, "setResult")
    context.close()
    guard.check()


def test_a_failing_adapter_never_breaks_the_page(chromium, serve, tracked):
    context, guard = guarded_context(chromium)
    warnings = []
    shell = context.new_page()
    shell.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    shell.goto(serve(tracked) + "broken.html")
    frame = shell.frame_locator("#ck-frame")
    frame.locator(".ck-start").click()
    shown(frame, "Welcome")                     # lessonViewed threw: the page still works
    frame.locator(".ck-next").click()
    shown(frame, "Where to sell")
    frame.locator("#ck-q0-b").check()
    frame.locator("#ck-q0 .ck-check").click()
    assert frame.locator("#ck-q0 .ck-verdict").inner_text() == "Correct."
    assert calls(shell, "questionAnswered") and calls(shell, "commit")
    assert any("LMS gone" in w for w in warnings), "the failure is reported, as a warning"
    context.close()
    guard.check()


def order(recorded):
    """The names of the calls, without saveState: a learner's change (a field left) may save any time."""
    return [c[0] for c in recorded if c[0] != "saveState"]


def test_what_the_learner_did_reaches_the_adapter_before_the_result_it_changes(chromium, serve, tracked):
    """docs/tracker.md: a quiz's answers come before its setResult, a lesson's lessonViewed
    before the setResult it causes; commit closes each milestone. Adapters rely on it to send
    answered before passed/failed without holding the verdict back."""
    context, guard = guarded_context(chromium)
    shell = context.new_page()
    shell.goto(serve(tracked) + "launch.html")
    frame = shell.frame_locator("#ck-frame")
    frame.locator(".ck-progress:not([hidden])").wait_for()
    before = len(calls(shell))
    frame.locator(".ck-start").click()
    shown(frame, "Welcome")
    shell.wait_for_function(f"window.calls.length > {before} && window.calls[window.calls.length - 1][0] === 'commit'")
    assert order(calls(shell)[before:]) == ["lessonViewed", "setResult", "commit"]
    frame.locator(".ck-next").click()
    shown(frame, "Where to sell")
    frame.locator(".ck-next").click()
    shown(frame, "Final quiz")
    for key, qtype in enumerate(["single", "multiple", "true-false", "fill-in", "numeric", "matching", "ordering"], start=1):
        answer(frame, key, qtype, RIGHT[f"q{key}"])
    before = len(calls(shell))
    frame.locator(".ck-submit").click()
    frame.locator(".ck-quiz-result .ck-status").wait_for()
    submitted = calls(shell)[before:]
    assert order(submitted) == ["questionAnswered"] * 7 + ["setResult", "commit"]
    names = [c[0] for c in submitted]
    assert names[names.index("setResult") - 1] == "saveState", "the state that counts the answers is saved first"
    assert [c[1]["questionId"] for c in submitted if c[0] == "questionAnswered"] == ["q1", "q2", "q3", "q4", "q5", "q6", "q7"]
    assert calls(shell, "setResult")[-1][1] == {"completed": True, "passed": True, "score": 100, "progress": 1}
    context.close()
    guard.check()
