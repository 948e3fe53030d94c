"""The learner's experience in a real Chromium: every question type right and wrong, scores,
pass and fail, reload and resume, a keyboard-only quiz, axe-core on every page type, no
console error and no request leaving 127.0.0.1. The course is built by hand (browser/demo.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from browser.demo import RIGHT, WRONG, demo_course
from browser.play import answer, axe_violations, guarded_context, write_site

TYPES = ["single", "multiple", "true-false", "fill-in", "numeric", "matching", "ordering"]
PAGES = ["index.html", "lesson-welcome.html", "lesson-where.html", "quiz-final.html", "results.html"]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return write_site(demo_course(), tmp_path_factory.mktemp("demo"))


@pytest.fixture
def learner(chromium):
    """A fresh browser profile (empty storage); its guard is checked when the test ends."""
    context, guard = guarded_context(chromium)
    yield context, guard
    context.close()
    guard.check()


def open_page(context, url):
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector(".ck-progress:not([hidden])")  # the runtime has booted
    return page


def answer_all(page, responses):
    for key, qtype in enumerate(TYPES, start=1):
        answer(page, key, qtype, responses[f"q{key}"])


def test_every_page_type_is_accessible_local_and_fits_360px(chromium, serve, site, node_modules):
    base = serve(site)
    context, guard = guarded_context(chromium, viewport={"width": 360, "height": 740})
    page = context.new_page()
    for name in PAGES:
        page.goto(base + name)
        page.wait_for_selector(".ck-progress:not([hidden])")
        assert axe_violations(page, node_modules) == [], name
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, f"{name} scrolls sideways at 360 px"
        levels = [int(h[1]) for h in page.eval_on_selector_all("main h1, main h2, main h3, main h4", "els => els.map(e => e.tagName)")]
        assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:])), f"{name} skips heading levels: {levels}"
    # quiz page after submission too: feedback and result blocks are part of the page type
    page.goto(base + "quiz-final.html")
    page.wait_for_selector(".ck-progress:not([hidden])")
    answer_all(page, WRONG)
    page.click(".ck-submit")
    assert axe_violations(page, node_modules) == []
    context.close()
    guard.check()


def test_right_answers_pass_with_feedback_and_results(learner, serve, site):
    context, _ = learner
    base = serve(site)
    page = open_page(context, base + "quiz-final.html")
    answer_all(page, RIGHT)
    page.click(".ck-submit")
    result = page.locator(".ck-quiz-result")
    assert result.inner_text().splitlines()[0] == "Your score: 100% (8 of 8 points)."
    assert "Passed" in result.inner_text()
    assert page.evaluate("document.activeElement.className") == "ck-quiz-result", "the result is announced and focused"
    for key in range(1, 8):
        assert page.locator(f"#ck-q{key} .ck-verdict").inner_text() == "Correct."
    assert page.locator("#ck-q1 li[data-id=a] .ck-cfb").is_visible()  # feedback of the picked choice
    assert page.locator("#ck-q1 .ck-explain").is_visible()
    assert page.locator("#ck-q3 .ck-fb-ok").is_visible() and not page.locator("#ck-q3 .ck-fb-ko").is_visible()
    assert page.locator("#ck-q1 input").first.is_disabled()
    page.goto(base + "results.html")
    # passed is decided once every scored quiz is submitted, lessons or not; completion needs the lessons too
    assert page.locator(".ck-r-status").inner_text() == "Passed"
    assert page.locator(".ck-r-score").inner_text() == "100%"
    row = page.locator("tr[data-item=final]")
    assert row.locator(".ck-r-qscore").inner_text() == "100%"
    assert re.match(r"Passed · Submitted on \w{3} \d+, \d{4}", row.locator(".ck-r-qstatus").inner_text())


def test_wrong_answers_fail_then_retake(learner, serve, site):
    context, _ = learner
    base = serve(site)
    page = open_page(context, base + "quiz-final.html")
    answer_all(page, WRONG)
    page.click(".ck-submit")
    assert "Your score: 0% (0 of 8 points)." in page.locator(".ck-quiz-result").inner_text()
    assert "Failed" in page.locator(".ck-quiz-result").inner_text()
    for key in range(1, 8):
        assert page.locator(f"#ck-q{key} .ck-verdict").inner_text() == "Incorrect."
    assert page.locator("#ck-q1 li[data-id=b] .ck-cfb").inner_text() == "Far fewer."
    assert page.locator("#ck-q1 li[data-id=b] .ck-mark").inner_text() == "✗ Wrong choice"
    assert page.locator("#ck-q2 li[data-id=a] .ck-mark").inner_text() == "✓ Right choice"
    assert page.locator("#ck-q3 .ck-fb-ko").inner_text() == "It is 14 days."
    assert page.locator("#ck-q6 li[data-id='3'] .ck-mark").inner_text() == "✓ Right choice"
    # fail is final for this attempt until the learner retakes
    page.goto(base + "results.html")
    page.wait_for_selector(".ck-progress:not([hidden])")
    assert page.locator(".ck-r-status").inner_text() == "Failed"
    assert page.locator(".ck-r-score").inner_text() == "0%"
    page.goto(base + "quiz-final.html")
    page.wait_for_selector(".ck-progress:not([hidden])")
    page.click(".ck-retake")
    assert page.locator(".ck-submit").is_visible() and not page.locator(".ck-quiz-result").inner_text()
    assert not page.locator("#ck-q1 input:checked").count()
    answer_all(page, {**RIGHT, "q2": WRONG["q2"]})  # 6 of 8 points: 75 % >= 70 %
    page.click(".ck-submit")
    assert "Your score: 75% (6 of 8 points)." in page.locator(".ck-quiz-result").inner_text()
    assert "Passed" in page.locator(".ck-quiz-result").inner_text()


def test_unanswered_and_invalid_numbers_block_submission(learner, serve, site):
    context, _ = learner
    page = open_page(context, serve(site) + "quiz-final.html")
    answer(page, 1, "single", "a")
    answer(page, 5, "numeric", "3,5,1")
    page.click(".ck-submit")
    assert page.locator(".ck-quiz-result").inner_text() == "Answer every question before submitting: 5 left."
    assert page.evaluate("document.activeElement.id") == "ck-q2-a"
    assert page.locator("#ck-q5 .ck-verdict").inner_text() == "Enter a number, for example 3.5."


def test_a_number_too_big_to_store_is_refused_like_a_typo(learner, serve, site):
    """``1e999`` reads as Infinity, which no saved state can hold: the learner is asked for a
    number instead of the submission failing."""
    context, _ = learner
    page = open_page(context, serve(site) + "quiz-final.html")
    answer_all(page, {**RIGHT, "q5": "1e999"})
    page.click(".ck-submit")
    assert page.locator(".ck-quiz-result").inner_text() == "Answer every question before submitting: 1 left."
    assert page.locator("#ck-q5 .ck-verdict").inner_text() == "Enter a number, for example 3.5."
    answer(page, 5, "numeric", "20,5")
    page.click(".ck-submit")
    assert "100%" in page.locator(".ck-quiz-result").inner_text()


def test_inline_check_reload_and_resume(learner, serve, site):
    context, _ = learner
    base = serve(site)
    page = open_page(context, base + "index.html")
    assert page.locator(".ck-start").inner_text() == "Start the course"
    page.goto(base + "lesson-where.html")
    page.wait_for_selector(".ck-progress:not([hidden])")
    check = page.locator("#ck-q0 .ck-check")
    check.click()
    assert page.locator("#ck-q0 .ck-verdict").inner_text() == "Answer the question first."
    page.check("#ck-q0-a")
    check.click()
    assert page.locator("#ck-q0 .ck-verdict").inner_text() == "Incorrect."
    assert page.locator("#ck-q0 li[data-id=a] .ck-cfb").inner_text() == "No: it takes a commission."
    assert page.locator("#ck-q0 .ck-explain").is_visible()
    page.reload()
    page.wait_for_selector(".ck-progress:not([hidden])")
    assert page.locator("#ck-q0-a").is_checked(), "the answer survives a reload"
    assert page.locator("#ck-q0 .ck-verdict").inner_text() == "Incorrect."
    assert page.locator(".ck-progress-v").inner_text() == "33%"  # one of three items
    # a new page in the same profile is the "browser restart": storage persists
    other = open_page(context, base + "index.html")
    start = other.locator(".ck-start")
    assert start.inner_text() == "Resume where I left off" and start.get_attribute("href") == "lesson-where.html"
    assert "Viewed" in other.locator(".ck-st[data-item=where]").inner_text()
    assert not other.locator(".ck-banner").count(), "the html format records progress: no warning"


def test_drafts_and_shuffled_order_survive_a_reload(chromium, serve, tmp_path):
    base = serve(write_site(demo_course(shuffle=True), tmp_path))
    context, guard = guarded_context(chromium)
    page = open_page(context, base + "quiz-final.html")
    order = lambda: page.eval_on_selector_all("#ck-q1 li, #ck-q6 li", "els => els.map(e => e.dataset.id)")
    targets = lambda: page.eval_on_selector_all("#ck-q6-1 option", "els => els.map(e => e.value)")
    positions = lambda: [page.input_value(f"#ck-q7-{i}") for i in (1, 2, 3)]
    before = (order(), targets(), positions())
    assert before[2] != ["a", "b", "c"], "an ordering question never starts solved"
    answer(page, 4, "fill-in", "GDPR")
    answer(page, 6, "matching", RIGHT["q6"])
    page.reload()
    page.wait_for_selector(".ck-progress:not([hidden])")
    assert (order(), targets()) == before[:2], "the same learner keeps the same order"
    assert page.input_value("#ck-q4-i") == "GDPR"
    assert page.input_value("#ck-q6-2") == "b"
    answer_all(page, RIGHT)
    page.click(".ck-submit")
    assert "100%" in page.locator(".ck-quiz-result").inner_text()
    context.close()
    guard.check()


def test_quiz_with_the_keyboard_only(learner, serve, site):
    context, _ = learner
    page = open_page(context, serve(site) + "quiz-final.html")
    keys = page.keyboard

    def tab_to(element_id):
        for _ in range(60):
            keys.press("Tab")
            if page.evaluate("document.activeElement.id") == element_id:
                outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
                assert outline != "none", f"{element_id} has no visible focus"
                return
        raise AssertionError(f"Tab never reaches #{element_id}")

    tab_to("ck-q1-a")
    keys.press("Space")                          # radio: pick "About 30 %"
    tab_to("ck-q2-a"); keys.press("Space")       # checkboxes: Card...
    tab_to("ck-q2-b"); keys.press("Space")       # ...and Transfer
    tab_to("ck-q3-true"); keys.press("Space")
    tab_to("ck-q4-i"); keys.type("RGPD")
    tab_to("ck-q5-i"); keys.type("20,5")
    for source, target in (("1", "Many"), ("2", "Full"), ("3", "Pick")):
        tab_to(f"ck-q6-{source}"); keys.type(target)   # type-ahead picks the option
    for position, item in ((1, "Order"), (2, "Pay"), (3, "Ship")):
        tab_to(f"ck-q7-{position}"); keys.type(item)
    assert [page.input_value(f"#ck-q7-{i}") for i in (1, 2, 3)] == ["a", "b", "c"]
    keys.press("Tab")
    assert page.evaluate("document.activeElement.className") == "ck-button ck-submit"
    keys.press("Enter")
    assert "Your score: 100% (8 of 8 points)." in page.locator(".ck-quiz-result").inner_text()


def test_content_is_readable_without_javascript(chromium, serve, site):
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(serve(site) + "lesson-welcome.html")
    assert "Selling online keeps the shop open." in page.inner_text("main")
    assert "<script>alert(1)</script>" in page.inner_text("main"), "raw HTML written in a lesson shows as text"
    page.goto(serve(site) + "quiz-final.html")
    assert page.locator("#ck-q1-a").is_visible() and "needs JavaScript" in page.inner_text("main")
    context.close()


def test_works_from_file_urls(learner, site):
    context, _ = learner
    page = open_page(context, (site / "lesson-where.html").as_uri())
    page.check("#ck-q0-b")
    page.click("#ck-q0 .ck-check")
    assert page.locator("#ck-q0 .ck-verdict").inner_text() == "Correct."
    assert not page.locator(".ck-banner").count()


def test_french_interface_and_locale_numbers(learner, serve, tmp_path):
    context, _ = learner
    page = open_page(context, serve(write_site(demo_course(language="fr"), tmp_path)) + "quiz-final.html")
    answer_all(page, RIGHT)
    page.click(".ck-submit")
    text = page.locator(".ck-quiz-result").inner_text()
    assert text.splitlines()[0] == "Votre score : 100\u00a0% (8 points sur 8)." or text.splitlines()[0] == "Votre score : 100\u202f% (8 points sur 8)."
    assert "Réussi" in text
    assert page.locator("#ck-q5-i").input_value() == "20,5"
