"""A relaunch shows every answered question with the learner's own response, in every format.

Found at the LMS: after a relaunch a quiz submitted in the first session showed its feedback
over empty, disabled controls (0 of 8 answers shown) and an ordering question in another order
than the learner gave. Each format is relaunched the way its LMS does it: html reloads (the
state is in localStorage); SCORM 1.2 and 2004 relaunch under scorm-again with the cmi data the
LMS stored; xAPI and cmi5 relaunch in a fresh browser (no localStorage) against the Ralph LRS
harness, so the state can only come from the State API. The course shuffles choices, pairs and
items, so a restored response cannot come from the default layout.
"""

from __future__ import annotations

import pytest

from browser.launches import Html, Scorm, Tracked
from browser.play import answer, write_site
from browser.resume import (
    INLINE_SHOWN, INLINE_TYPED, SHOWN, answer_quiz, assert_inline_restored, assert_quiz_restored, course, shown,
)
from coursekit_scorm.exporter import Scorm12Exporter, Scorm2004Exporter
from coursekit_xapi import Cmi5Exporter, XapiExporter
from scorm.harness import lms_site, unpack
from tests.xapi.fixtures import lms_for, ralph  # noqa: F401  (fixtures)

COURSE = course()
QUIZ, LESSON = "quiz-final.html", "lesson-where.html"


@pytest.fixture(scope="module")
def scorm_base(tmp_path_factory, node_modules):
    root = lms_site(tmp_path_factory.mktemp("lms"), node_modules)
    out = tmp_path_factory.mktemp("exports")
    for fmt, cls in {"scorm12": Scorm12Exporter, "scorm2004": Scorm2004Exporter}.items():
        unpack(cls(COURSE, {"sco": "single"}).build(out / fmt), root / fmt)
    return root


@pytest.fixture
def launcher(request, chromium, serve, tmp_path, scorm_base):
    """``launcher(fmt)`` -> a first launch of that format."""
    started = []

    def make(fmt):
        if fmt == "html":
            s = Html(chromium, serve(write_site(COURSE, tmp_path / "site")))
        elif fmt.startswith("scorm"):
            s = Scorm(chromium, serve(scorm_base), fmt)
        else:
            lms_for = request.getfixturevalue("lms_for")
            exporter = XapiExporter if fmt == "xapi" else Cmi5Exporter
            s = Tracked(chromium, lms_for(exporter(COURSE).build(tmp_path / fmt)), fmt, COURSE)
        started.append(s)
        return s

    return make


FORMATS = ["html", "scorm12", "scorm2004", "xapi", "cmi5"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_submitted_quiz_and_inline_check_show_the_learners_responses(fmt, launcher):
    session = launcher(fmt)
    lesson = session.open(LESSON)
    answer(lesson, 0, "single", INLINE_TYPED)
    lesson.locator("#ck-q0 .ck-check").click()
    lesson.locator("#ck-q0 .ck-verdict", has_text="Incorrect.").wait_for()
    quiz = session.open(QUIZ)
    order = answer_quiz(quiz, answer)
    quiz.locator(".ck-submit").click()
    quiz.locator(".ck-quiz-result .ck-score").wait_for()
    assert_quiz_restored(quiz, order, submitted=True, restored=False)  # right after the submission
    session.leave(submitted=True)

    again = session.relaunch()
    assert_quiz_restored(again.open(QUIZ), order, submitted=True)
    assert_inline_restored(again.open(LESSON))
    # a revisit within the session shows them too
    assert_quiz_restored(again.open(QUIZ), order, submitted=True)
    again.close()


@pytest.mark.parametrize("fmt", FORMATS)
def test_unsubmitted_quiz_comes_back_editable_with_the_drafts(fmt, launcher):
    session = launcher(fmt)
    quiz = session.open(QUIZ)
    order = answer_quiz(quiz, answer)
    # q5 still has the focus: only leaving saves what was typed in it (the host asks the page
    # before the adapter ends the session)
    assert quiz.evaluate("() => document.activeElement.id") == "ck-q5-i"
    session.leave(submitted=False, saved_text="20.5")

    again = session.relaunch()
    quiz = again.open(QUIZ)
    assert_quiz_restored(quiz, order, submitted=False)
    # and the restored drafts are a working answer: submitting them grades them
    quiz.locator(".ck-submit").click()
    quiz.locator(".ck-quiz-result .ck-score").wait_for()
    assert_quiz_restored(quiz, order, submitted=True)
    again.close()


def test_review_launch_shows_every_response_read_only(launcher):
    """cmi5 Review mode: the same responses, nothing editable, no retake, no check button."""
    session = launcher("cmi5")
    lesson = session.open(LESSON)
    answer(lesson, 0, "single", INLINE_TYPED)
    lesson.locator("#ck-q0 .ck-check").click()
    quiz = session.open(QUIZ)
    order = answer_quiz(quiz, answer)
    quiz.locator(".ck-submit").click()
    quiz.locator(".ck-quiz-result .ck-score").wait_for()
    session.leave(submitted=True)

    review = session.relaunch(mode="Review")
    assert review.page.evaluate("() => CoursekitPlayer.host.mode") == "review"
    quiz = review.open(QUIZ)
    for key in range(1, 8):
        got = shown(quiz, key)
        assert got["value"] == (order if key == 7 else SHOWN[key]) and all(got["disabled"]), (key, got)
    assert not quiz.locator(".ck-retake").is_visible() and not quiz.locator(".ck-submit").is_visible()
    lesson = review.open(LESSON)
    got = shown(lesson, 0)
    assert got["value"] == INLINE_SHOWN and all(got["disabled"]), got
    assert not lesson.locator("#ck-q0 .ck-check").is_visible()
    review.close()
