"""Play a launched course in Chromium: the LMS opens the shell, the learner goes through
the pages in its frame, answers every question (right or wrong) and exits."""

from __future__ import annotations

import zipfile
from pathlib import Path

from coursekit.model import Course, Lesson, Quiz
from coursekit.player.data import question_keys

from browser.play import answer

from .courses import right_response, wrong_response


def extract(package: Path, folder: Path) -> Path:
    with zipfile.ZipFile(package) as z:
        z.extractall(folder)
    return folder


def wait_ready(page) -> None:
    page.wait_for_function("() => window.CoursekitPlayer && CoursekitPlayer.host && CoursekitPlayer.host.mode !== undefined")
    page.evaluate("() => CoursekitPlayer.host.ready.then(() => true)")


def frame(page):
    return page.locator("#ck-frame").element_handle().content_frame()


def open_page(page, href: str):
    """Show ``href`` in the shell's frame and wait until the player ran on it."""
    f = frame(page)
    f.goto(_sibling(page.url, href))
    f.wait_for_selector(".ck-nav", state="attached")
    f.wait_for_function("() => document.querySelector('.ck-exit') !== null")
    return f


def _sibling(url: str, href: str) -> str:
    base = url.split("?", 1)[0]
    return base.rsplit("/", 1)[0] + "/" + href


def play(page, course: Course, *, right: bool = True, items=None) -> None:
    """View every lesson (answering its inline checks) and submit every quiz of ``items``
    (default: the whole course), answers all right or all wrong."""
    keys = question_keys(course)
    pick = right_response if right else wrong_response
    for item in items or course.items:
        f = open_page(page, item.href)
        if isinstance(item, Lesson):
            for q in item.questions:
                key = keys[(item.id, q.id)]
                answer(f, key, q.type, pick(q))
                f.locator(f"#ck-q{key} .ck-check").click()
        elif isinstance(item, Quiz):
            for q in item.questions:
                answer(f, keys[(item.id, q.id)], q.type, pick(q))
            f.locator(".ck-submit").click()
            f.wait_for_selector(".ck-quiz-result .ck-score")


def retake(page, quiz: Quiz, course: Course, *, right: bool = True) -> None:
    keys = question_keys(course)
    f = open_page(page, quiz.href)
    if f.locator(".ck-retake").is_visible():
        f.locator(".ck-retake").click()
    pick = right_response if right else wrong_response
    for q in quiz.questions:
        answer(f, keys[(quiz.id, q.id)], q.type, pick(q))
    f.locator(".ck-submit").click()
    f.wait_for_selector(".ck-quiz-result .ck-score")


def exit_course(page) -> None:
    """The learner's explicit exit control (in the page shown in the frame)."""
    frame(page).locator(".ck-exit").click()


def pending(page) -> int:
    return page.evaluate("() => CoursekitPlayer.host.adapter.pending()")


def drain(page, ms: int = 20000) -> bool:
    return page.evaluate(f"() => CoursekitPlayer.host.adapter.drain({ms})")
