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

from browser.play import answer, guarded_context, write_site
from browser.resume import (
    INLINE_SHOWN, INLINE_TYPED, SHOWN, answer_quiz, assert_inline_restored, assert_quiz_restored, course, shown,
)
from coursekit_scorm.exporter import Scorm12Exporter, Scorm2004Exporter
from coursekit_xapi import Cmi5Exporter, XapiExporter
from scorm.harness import LMS as ScormLMS, lms_site, resume_data, unpack
from tests.xapi.fixtures import lms_for, ralph  # noqa: F401  (fixtures)
from tests.xapi.play import drain, wait_ready

COURSE = course()
QUIZ, LESSON = "quiz-final.html", "lesson-where.html"


def ready(frame) -> None:
    """The player ran on the page just loaded."""
    frame.wait_for_function("() => { const p = document.querySelector('.ck-progress'); return p && !p.hidden; }")


def goto(frame, base_url: str, href: str):
    frame.goto(base_url.rsplit("/", 1)[0] + "/" + href)
    ready(frame)
    return frame


# --- one launch of each format: open(href) shows a page, leave() ends the session as a learner does


class Html:
    """Every page its own host, state in localStorage: a relaunch is a reload."""

    def __init__(self, chromium, base):
        self.context, self.guard = guarded_context(chromium)
        self.page = self.context.new_page()
        self.base = base

    def open(self, href):
        return goto(self.page, self.base + "index.html", href)

    def leave(self, submitted):
        pass

    def relaunch(self):
        self.page.reload()
        ready(self.page)
        return self

    def close(self):
        self.context.close()
        self.guard.check()


class Scorm:
    def __init__(self, chromium, base, fmt, data=None):
        self.chromium, self.base, self.fmt = chromium, base, fmt
        self.version = "1.2" if fmt == "scorm12" else "2004"
        self.context, self.guard = guarded_context(chromium)
        self.lms = ScormLMS(self.context, base)
        self.lms.launch(self.version, f"{fmt}/launch.html", data)
        self.lms.page.frame_locator("#sco").locator("#ck-frame").wait_for(state="attached")

    def frame(self):
        return self.lms.page.frame_locator("#sco").locator("#ck-frame").element_handle().content_frame()

    def open(self, href):
        f = self.frame()
        ready(f)
        return goto(f, f.url, href)

    def leave(self, submitted):
        if submitted:
            self.frame().locator(".ck-exit").click()  # the learner's exit control
        else:
            self.lms.close_sco()  # the learner leaves half-way: the LMS unloads the SCO
        self.lms.page.wait_for_function("lms.finished !== null")
        assert self.lms.failed_calls() == []

    def relaunch(self):
        stored = self.lms.finished()
        assert stored["suspend_data"].startswith("1|")
        self.close()
        again = Scorm(self.chromium, self.base, self.fmt, resume_data(self.version, stored))
        ready(again.frame())
        return again

    def close(self):
        self.context.close()
        self.guard.check()


class Tracked:
    """xAPI (Tin Can launch) or cmi5 (LMS launch sequence) in front of Ralph."""

    def __init__(self, chromium, lms, fmt, first=None, mode="Normal"):
        self.chromium, self.lms, self.fmt, self.first = chromium, lms, fmt, first
        if fmt == "xapi":
            extra = {"registration": first.registration, "actor": first.actor} if first else {}
            self.launch = lms.xapi_launch(activity_id=COURSE.id, **extra)
        else:
            extra = {"registration": first.registration, "actor": first.actor} if first else {}
            self.launch = lms.cmi5_launch("launch.html", f"{COURSE.id}/au", mastery=0.7, mode=mode, **extra)
        # a fresh browser each launch: no localStorage, the state comes from the State API
        self.context, self.guard = guarded_context(chromium)
        self.page = self.context.new_page()
        self.page.goto(self.launch.url)
        wait_ready(self.page)

    def frame(self):
        return self.page.locator("#ck-frame").element_handle().content_frame()

    def open(self, href):
        f = self.frame()
        return goto(f, self.page.url.split("?", 1)[0], href)

    def leave(self, submitted):
        if submitted:
            self.frame().locator(".ck-exit").click()
        assert drain(self.page), "statements still queued"
        if not submitted:
            self.page.close()  # pagehide: suspended, state written

    def check(self):
        # a first launch's State API read answers 404 (no document yet): Chromium logs it
        self.guard.errors[:] = [e for e in self.guard.errors if "status of 404" not in e]
        self.guard.check()

    def relaunch(self, mode="Normal"):
        self.context.close()
        self.check()
        again = Tracked(self.chromium, self.lms, self.fmt, self.launch, mode)
        ready(again.frame())
        return again

    def close(self):
        self.context.close()
        self.check()


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
            s = Tracked(chromium, lms_for(exporter(COURSE).build(tmp_path / fmt)), fmt)
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
    quiz.locator("#ck-q4-i").focus()  # the last text field still has the focus: flushed on leave
    quiz.locator("#ck-q4-i").fill("RGPD")
    session.leave(submitted=False)

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
