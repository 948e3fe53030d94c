"""The ``html`` format end to end: loaded from a course folder, written by the exporter,
served on 127.0.0.1 and played in Chromium, as the issue's judges will do with a course that
is not in this repository."""

from __future__ import annotations

import json
import re
from pathlib import Path

from browser.play import answer, axe_violations, guarded_context
from coursekit.loader import load_course
from coursekit.plugins import exporters, make_plugin_manager

from conftest import missing

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "player-course"
EXAMPLE = REPO / "courses" / "vendre-en-ligne"


def build(course_dir: Path, out: Path) -> Path:
    exporter = exporters(make_plugin_manager())["html"]
    return exporter(load_course(course_dir)).build(out)


def right_input(q: dict):
    """The right response to a question of course.json, as a learner types it (browser/play.py)."""
    right = q["correctResponses"][0]
    if q["type"] == "single":
        return right[0]
    if q["type"] == "true-false":
        return "true" if right else "false"
    if q["type"] == "numeric":
        low, high = right["min"], right["max"]
        value = (low + high) / 2 if low is not None and high is not None else (low if low is not None else high)
        return f"{value:g}".replace(".", ",")  # the comma a French learner types must work too
    if q["type"] == "matching":
        return dict(right)
    return right  # multiple, ordering: ids; fill-in: the first accepted answer


def test_html_is_a_registered_plugin_writing_a_folder():
    cls = exporters(make_plugin_manager())["html"]
    assert cls.__module__ == "coursekit_html" and cls.output == "dir" and cls.description


def test_exported_folder_holds_pages_runtime_assets_and_theme(tmp_path):
    out = build(FIXTURE, tmp_path)
    assert out.name == "player-course-html"
    names = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert names == [
        "assets/logo.svg", "course.json", "index.html", "lesson-check.html", "lesson-raw-html.html",
        "player/course.js", "player/player.css", "player/player.js", "quiz-all-types.html", "results.html",
    ]
    assert "letter-spacing:.02em" in (out / "player/player.css").read_text()
    assert "--ck-primary:#7a1f5c" in (out / "player/player.css").read_text()
    assert 'class="fixture-override"' in (out / "results.html").read_text()
    lesson = (out / "lesson-raw-html.html").read_text()
    assert "&lt;script&gt;" in lesson and "<b>bold" not in lesson
    # no absolute or external URL anywhere: the folder works from file:// and any server
    for page in out.glob("*.html"):
        assert not re.search(r'(?:src|href)="(?:https?:)?//', page.read_text()), page.name


def play_course(page, base: str, data: dict) -> None:
    """Visit every lesson, answer its checks rightly, and submit every quiz with right answers."""
    by_key = {q["key"]: q for q in data["questions"]}
    page_strings = None
    for item in data["items"]:
        page.goto(base + item["href"])
        page.wait_for_selector(".ck-progress:not([hidden])")
        page_strings = page_strings or page.evaluate("CoursekitPlayer.strings")
        for key in item["questions"]:
            q = by_key[key]
            answer(page, key, q["type"], right_input(q))
            if not q["graded"]:
                page.click(f"#ck-q{key} .ck-check")
                assert page.locator(f"#ck-q{key} .ck-verdict").inner_text() == page_strings["correct"], q
        if item["kind"] == "quiz":
            page.click(".ck-submit")
            page.wait_for_selector(".ck-quiz-result .ck-status")
            assert page.locator(f"#ck-q{item['questions'][0]} .ck-verdict").inner_text() == page_strings["correct"]


def test_fixture_course_played_to_a_pass(chromium, serve, tmp_path, node_modules):
    out = build(FIXTURE, tmp_path)
    base = serve(out)
    data = json.loads((out / "course.json").read_text())
    context, guard = guarded_context(chromium)
    page = context.new_page()
    play_course(page, base, data)
    page.goto(base + "results.html")
    page.wait_for_selector(".ck-progress:not([hidden])")
    assert page.locator(".ck-r-status").inner_text() == "Passed"
    assert page.locator(".ck-r-score").inner_text() == "100%"
    assert page.locator(".ck-r-progress").inner_text() == "100%"
    assert page.locator(".fixture-override").is_visible()
    assert axe_violations(page, node_modules) == []
    context.close()
    guard.check()


def test_example_course_every_page_accessible_and_completes(chromium, serve, tmp_path, node_modules):
    if not (EXAMPLE / "course.yml").is_file():
        missing(f"the example course {EXAMPLE}")
    out = build(EXAMPLE, tmp_path)
    base = serve(out)
    data = json.loads((out / "course.json").read_text())
    context, guard = guarded_context(chromium, viewport={"width": 360, "height": 740})  # a small phone
    page = context.new_page()
    pages = sorted(p.name for p in out.glob("*.html"))
    for name in pages:
        page.goto(base + name)
        page.wait_for_selector(".ck-progress:not([hidden])")
        assert page.get_attribute("html", "lang") == "fr"
        assert axe_violations(page, node_modules) == [], name
        levels = [int(t[1]) for t in page.eval_on_selector_all("main :is(h1,h2,h3,h4,h5,h6)", "els => els.map(e => e.tagName)")]
        assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:])), f"{name}: {levels}"
        assert not page.locator("main img:not([alt])").count(), name
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, f"{name} scrolls sideways at 360 px"
    play_course(page, base, data)
    page.goto(base + "results.html")
    page.wait_for_selector(".ck-progress:not([hidden])")
    assert page.locator(".ck-r-status").inner_text() == "Réussi"
    assert page.locator(".ck-r-score").inner_text().replace("\u202f", " ").replace("\u00a0", " ") == "100 %"
    assert axe_violations(page, node_modules) == []
    context.close()
    guard.check()
