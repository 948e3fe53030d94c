"""The player's pages as rendered at build time (no browser): names, languages, theme,
template overrides, the shell, the runtime's size budget and deterministic output."""

from __future__ import annotations

import gzip
import json
import re
from types import MappingProxyType

import pytest

from browser.demo import demo_course
from coursekit.model import Theme
from coursekit.player import Site
from coursekit.player.site import initial_order, lesson_parts, shift_headings

#: the issue's budget for the player's JavaScript + CSS, gzipped
BUDGET = 30 * 1024


@pytest.fixture(scope="module")
def files():
    return Site(demo_course()).files()


def test_files_are_the_pages_runtime_and_course_description(files):
    assert sorted(files) == [
        "course.json", "index.html", "lesson-welcome.html", "lesson-where.html",
        "player/course.js", "player/player.css", "player/player.js", "quiz-final.html", "results.html",
    ]
    assert not any(name.startswith("assets/") for name in files), "assets are the Exporter base's job"


def test_runtime_stays_within_budget(files):
    size = len(gzip.compress(files["player/player.js"] + files["player/player.css"], 9))
    assert size <= BUDGET, f"player JS + CSS weigh {size} bytes gzipped, budget {BUDGET}"


def test_output_is_deterministic():
    assert Site(demo_course()).files() == Site(demo_course()).files()


def test_inline_question_replaces_its_placeholder(files):
    html = files["lesson-where.html"].decode()
    assert "ck-question:" not in html
    assert html.index("Marketplaces") < html.index('id="ck-q0"') < html.index("Your own shop")


def test_escaped_raw_html_stays_text(files):
    html = files["lesson-welcome.html"].decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html


def test_pages_link_in_reading_order(files):
    links = lambda name: re.findall(r'rel="(prev|next)" href="([^"]+)"', files[name].decode())
    assert links("index.html") == [("next", "lesson-welcome.html")]
    assert links("lesson-welcome.html") == [("prev", "index.html"), ("next", "lesson-where.html")]
    assert links("quiz-final.html") == [("prev", "lesson-where.html"), ("next", "results.html")]
    assert links("results.html") == [("prev", "quiz-final.html")]


def test_every_control_has_a_visible_label(files):
    html = files["quiz-final.html"].decode()
    ids = re.findall(r'<(?:input|select)[^>]* id="([^"]+)"', html)
    assert ids
    for control in ids:
        assert f'<label for="{control}">' in html, control


def test_french_course_speaks_french():
    files = Site(demo_course(language="fr-FR")).files()
    quiz = files["quiz-final.html"].decode()
    assert '<html lang="fr-FR">' in quiz
    assert "Question 1 sur 7" in quiz and "Valider mes réponses" in quiz
    assert "Score requis : 70\u202f%" in quiz
    assert "1\u00a0h 30\u00a0min" in files["index.html"].decode()
    assert "Pourcentage" not in quiz  # no made-up keys: strings come from i18n/fr.json
    assert b'"Bonne r\xc3\xa9ponse."' in files["player/course.js"]


def test_unknown_language_falls_back_to_english():
    html = Site(demo_course(language="de")).files()["quiz-final.html"].decode()
    assert '<html lang="de">' in html and "Submit my answers" in html


def test_theme_colour_logo_and_overrides():
    theme = Theme(
        primary_color="#ffcc00",
        logo="assets/logo.png",
        overrides=MappingProxyType({
            "player.css": b".ck-header{border-bottom:4px solid red}",
            "templates/results.html": b'{% extends "base.html" %}{% block main %}<h1>Custom results</h1>{% endblock %}',
            "fonts/Brand Font.woff2": b"font",
        }),
    )
    files = Site(demo_course(theme=theme)).files()
    css = files["player/player.css"].decode()
    # a pale brand colour gets dark text on it and keeps the default colour for links on white
    assert "--ck-primary:#ffcc00;--ck-on-primary:#111111;--ck-link:#1d4f91" in css
    assert css.rstrip().endswith(".ck-header{border-bottom:4px solid red}")
    assert '<img src="assets/logo.png" alt="">' in files["index.html"].decode()
    assert "<h1>Custom results</h1>" in files["results.html"].decode()
    assert files["player/fonts/brand-font.woff2"] == b"font"


def test_course_description_for_adapters(files):
    data = json.loads(files["course.json"])
    by_id = {q["id"]: q for q in data["questions"]}
    assert [q["key"] for q in data["questions"]] == list(range(8))
    assert by_id["check"]["graded"] is False and by_id["check"]["lessonId"] == "where"
    assert by_id["q2"]["correctResponses"] == [["a", "b"]] and by_id["q2"]["interactionType"] == "choice"
    assert by_id["q5"]["correctResponses"] == [{"min": 20, "max": 21}]
    assert by_id["q6"]["correctResponses"] == [[["1", "a"], ["2", "b"], ["3", "c"]]]
    assert by_id["q7"]["interactionType"] == "sequencing"
    final = next(i for i in data["items"] if i["id"] == "final")
    assert final["points"] == 8 and final["passingScore"] == 70 and final["scored"] is True
    script = files["player/course.js"].decode()
    assert script.startswith("/*") and "window.CoursekitData=" in script


def test_shell_declares_its_configuration():
    site = Site(demo_course())
    html = site.shell(adapter="scorm12", scripts=["player/scorm12.js"], scope=["final"], options={"x": 1}).decode()
    config = json.loads(re.search(r'<script type="application/json" id="ck-config">(.*?)</script>', html).group(1))
    assert config == {"course": "urn:coursekit:demo", "adapter": "scorm12", "start": "quiz-final.html", "scope": ["final"], "options": {"x": 1}}
    # configuration first, then the runtime, then the adapter that registers itself with it
    assert html.index("ck-config") < html.index("player/course.js") < html.index("player/player.js") < html.index("player/scorm12.js")
    whole = json.loads(re.search(r'id="ck-config">(.*?)</script>', site.shell(adapter="xapi").decode()).group(1))
    assert whole["start"] == "index.html" and whole["scope"] is None
    with pytest.raises(ValueError, match="nope"):
        site.shell(adapter="scorm12", scope=["nope"])


def test_body_headings_start_at_h2_under_the_page_title():
    assert shift_headings("<p>no heading</p>") == "<p>no heading</p>"
    assert shift_headings("<h2>A</h2><h3>B</h3>") == "<h2>A</h2><h3>B</h3>"
    assert shift_headings("<h1>A</h1><h2 id=x>B</h2>") == "<h2>A</h2><h3 id=x>B</h3>"
    assert shift_headings("<h3>A</h3><h4>B</h4></h4>") == "<h2>A</h2><h3>B</h3></h3>"


def test_ordering_never_starts_solved():
    course = demo_course()
    question = course.quizzes[0].questions[-1]
    assert initial_order(question) != [i.id for i in question.items]


def test_unplaced_inline_question_is_appended_not_lost():
    lesson = demo_course().lessons[1]
    from dataclasses import replace

    parts = lesson_parts(replace(lesson, html="<p>no placeholder</p>"))
    assert [p.question.id for p in parts if p.question] == ["check"]
