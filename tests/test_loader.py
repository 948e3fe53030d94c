"""The loader against the spec: every example loads, every default and rendering rule
holds, and the model it returns is immutable."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from coursekit import CourseError, load_course, read_course
from coursekit.model import Course, Lesson, Module, Quiz

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SPEC = FIXTURES / "spec-example"
EPICERIE = FIXTURES / "Épicerie en ligne"
ALL_KEYS = FIXTURES / "all-keys"


def clean(path) -> Course:
    course, problems = read_course(path)
    assert [str(p) for p in problems] == []
    assert course is not None
    return course


# --- the spec's own examples -----------------------------------------------------------


def test_spec_example_loads_with_the_structure_it_describes():
    course = clean(SPEC)
    assert course.title == "Sell online"
    assert [type(e).__name__ for e in course.structure] == ["Lesson", "Module", "Quiz"]
    welcome, shop, final = course.structure
    assert (welcome.id, welcome.title, welcome.module_id) == ("welcome", "Welcome", None)
    assert (shop.id, shop.title) == ("shop", "Build your shop")
    assert [(i.kind, i.id, i.module_id) for i in shop.items] == [
        ("lesson", "where-to-sell", "shop"),
        ("quiz", "check-website", "shop"),
    ]
    lesson = shop.items[0]
    assert (lesson.title, lesson.duration, lesson.objectives_html) == (
        "Choose where to sell", "PT10M", ("Compare a marketplace and your own shop",))
    assert lesson.html == "<p>Body in Markdown.</p>\n"
    assert (final.id, final.title, final.passing_score, final.weight, final.shuffle) == ("final", "Final quiz", 70, 1, True)
    assert [q.id for q in final.questions] == ["q1", "q2", "q3"]
    q1 = final.questions[0]
    assert (q1.type, q1.prompt, q1.points) == ("single", "What share of French shops sold online in late 2020?", 1)
    assert [(c.id, c.text, c.correct, c.feedback_html) for c in q1.choices] == [
        ("a", "About 30 %", True, None),
        ("b", "About 80 %", False, "<p>Far fewer.</p>"),
    ]
    assert q1.explanation_html == "<p>Shown after answering.</p>"
    assert q1.correct_choice_ids == ("a",)
    # a lesson without front matter takes its title from the first heading
    assert course.items[0].html.startswith("<p>Start here.")
    assert course.items[0].questions[0].type == "true-false"


def test_spec_example_check_website_quiz():
    quiz = load_course(SPEC).quizzes[0]
    assert quiz.id == "check-website"
    assert quiz.passing_score == 80  # the course's default
    multiple, fill_in, numeric, numeric_range = quiz.questions
    assert multiple.correct_choice_ids == ("a", "b")
    assert (fill_in.answers, fill_in.case_sensitive) == (("Paris",), False)
    assert (numeric.answer, numeric.tolerance, numeric.minimum, numeric.maximum) == (4, 0.5, 3.5, 4.5)
    assert (numeric_range.minimum, numeric_range.maximum) == (1, 3)
    assert [q.interaction_type for q in quiz.questions] == ["choice", "fill-in", "numeric", "numeric"]


def test_spec_example_course_yml_snippet_defaults():
    course = load_course(SPEC)
    assert course.id == "urn:coursekit:spec-example"
    assert course.slug == "spec-example"
    assert (course.language, course.passing_score, course.allow_html) == ("en", 80, False)
    assert course.description_html is None and course.authors == () and course.exports == {}


# --- defaults --------------------------------------------------------------------------


def test_defaults_from_names():
    course = clean(EPICERIE)
    # slug from the folder name: lower-cased, accents folded, spaces -> '-'
    assert course.slug == "epicerie-en-ligne"
    assert course.id == "urn:coursekit:epicerie-en-ligne"
    assert (course.language, course.passing_score, course.allow_html) == ("en", 80, False)
    assert [i.id for i in course.items] == ["welcome", "stock", "all-types", "final"]  # leading NN- dropped
    (module,) = course.modules
    assert (module.id, module.title) == ("preparer-la-logistique", "Préparer la logistique")
    final = course.quizzes[1]
    assert (final.title, final.passing_score, final.weight, final.shuffle) == ("Final quiz", 80, 1, False)
    assert [q.id for q in final.questions] == ["q1", "q2"]
    assert [q.points for q in final.questions] == [1, 1]
    assert final.questions[0].answer is False
    assert final.questions[1].answers == ("Use by",)
    welcome = course.lessons[0]
    assert welcome.title == "Welcome to the shop"  # from the '#' heading, removed from the body
    assert "<h1>" not in welcome.html and "Welcome to the shop" not in welcome.html


def test_every_question_type_with_every_key():
    quiz = load_course(EPICERIE).quizzes[0]
    assert (quiz.id, quiz.title, quiz.passing_score, quiz.weight, quiz.shuffle) == (
        "all-types", "Every question type", 50, 2, True)
    assert quiz.description_html == "<p>Seven questions, one of each <em>type</em>.</p>\n"
    by_id = {q.id: q for q in quiz.questions}
    assert list(by_id) == ["where", "cold", "rice", "city", "temp", "range", "shelves", "wash"]
    assert [q.type for q in quiz.questions] == [
        "single", "multiple", "true-false", "fill-in", "numeric", "numeric", "matching", "ordering"]
    assert [q.interaction_type for q in quiz.questions] == [
        "choice", "choice", "true-false", "fill-in", "numeric", "numeric", "matching", "sequencing"]
    where = by_id["where"]
    assert where.points == 2
    assert where.explanation_html == "<p>Juices must not drip on other food.</p>"
    assert (where.feedback_correct_html, where.feedback_incorrect_html) == ("<p>Right.</p>", "<p>Think about dripping.</p>")
    assert [(c.id, c.text, c.correct, c.feedback_html) for c in where.choices] == [
        ("a", "Bottom shelf", True, "<p>Nothing drips onto it.</p>"),
        ("b", "Top shelf", False, "<p>It would drip onto the rest.</p>"),
    ]
    assert by_id["cold"].correct_choice_ids == ("a", "b")
    assert by_id["rice"].answer is False
    city = by_id["city"]
    assert (city.answers, city.case_sensitive) == (("Lyon", "Lyon city"), True)  # trimmed, spaces collapsed
    assert city.prompt == "Which French city is famous for its bouchons?"
    temp = by_id["temp"]
    assert (temp.answer, temp.tolerance, temp.minimum, temp.maximum) == (4, 0.5, 3.5, 4.5)
    assert (by_id["range"].minimum, by_id["range"].maximum, by_id["range"].answer) == (-25, -18, None)
    assert [(p.source_id, p.source, p.target_id, p.target) for p in by_id["shelves"].pairs] == [
        ("1", "Raw meat", "a", "Bottom shelf"),
        ("2", "Dairy", "b", "Middle shelf"),
        ("3", "Vegetables", "c", "Crisper drawer"),
    ]
    assert [(i.id, i.text) for i in by_id["wash"].items] == [("a", "Wet hands"), ("b", "Soap"), ("c", "Rinse"), ("d", "Dry")]
    assert quiz.total_points == 9


def test_every_course_key():
    course = clean(ALL_KEYS)
    assert (course.id, course.slug, course.title, course.language) == (
        "https://example.org/courses/vendre-en-ligne", "vendre-en-ligne", "Vendre en ligne", "fr-FR")
    assert course.description_html == "<p>Un cours pour les <strong>commerçants</strong> qui ouvrent une boutique en ligne.</p>\n"
    assert course.description == "Un cours pour les commerçants qui ouvrent une boutique en ligne."
    assert course.version == "1.2.0"
    assert [(a.name, a.email) for a in course.authors] == [("Anne Martin", None), ("Karim Benali", "karim@example.org")]
    assert course.keywords == ("commerce", "logistique")
    assert course.duration == "PT1H30M"
    assert course.objectives_html == ("Choisir <em>où</em> vendre", "Préparer les expéditions")
    assert course.objectives == ("Choisir où vendre", "Préparer les expéditions")
    assert course.passing_score == 70
    assert course.quizzes[0].passing_score == 70  # a quiz defaults to the course's passing_score
    assert course.export_formats == ("throwaway",)
    assert dict(course.option("throwaway")) == {"title_suffix": " (démo)"}
    assert dict(course.option("other")) == {}
    assert (course.theme.primary_color, course.theme.logo) == ("#2a7ae2", "assets/logo.png")
    assert course.allow_html is True
    assert course.modules[0].id == "logistics"


# --- Markdown ----------------------------------------------------------------------------


def test_markdown_rendering():
    welcome = load_course(EPICERIE).lessons[0]
    html = welcome.html
    # links between lessons and quizzes become page hrefs, fragments kept
    assert '<a href="lesson-stock.html#counting">the stock lesson</a>' in html
    assert '<a href="quiz-final.html">the final quiz</a>' in html
    # percent-encoded asset names resolve, and are rewritten to safe names
    assert '<img src="assets/fridge-temps.png" alt="Fridge temperatures over a week" />' in html
    # raw HTML is escaped when allow_html is false
    assert "Raw HTML stays text: &lt;script&gt;alert(1)&lt;/script&gt; and &lt;b&gt;bold&lt;/b&gt;." in html
    assert "<script>" not in html
    # GFM tables and strikethrough
    assert "<table>\n<thead>\n<tr>\n<th>Product</th>\n<th>Shelf</th>" in html
    assert "<td><s>top</s> middle</td>" in html
    # footnotes
    assert '<sup class="footnote-ref"><a href="#fn1" id="fnref1">[1]</a></sup>' in html
    assert '<li id="fn1" class="footnote-item"><p>In its paper, at 8 °C.' in html
    # callouts
    for kind, label in (("note", "Note"), ("tip", "Tip"), ("warning", "Warning")):
        assert (f'<aside class="ck-callout ck-callout-{kind}" role="note">\n'
                f'<p class="ck-callout-title">{label}</p>\n<p>A {kind}.</p>\n</aside>') in html
    # the inline question block becomes a placeholder and a question of the lesson
    assert "<!--ck-question:q1-->" in html and "```" not in html and "type: single" not in html
    (question,) = welcome.questions
    assert (question.id, question.type, question.correct_choice_ids) == ("q1", "single", ("a",))
    assert (question.pos.path, question.pos.line) == ("lessons/00-welcome.md", 31)
    stock = load_course(EPICERIE).lessons[1]
    assert '<a href="lesson-welcome.html">welcome page</a>' in stock.html
    assert stock.objectives_html == ("Count what you have", "Know <strong>when</strong> to reorder")
    assert stock.duration == "PT15M"


def test_assets_are_collected_once_with_safe_names():
    course = load_course(EPICERIE)
    assert [(a.path, a.href, a.media_type) for a in course.assets] == [
        ("assets/fridge temps.png", "assets/fridge-temps.png", "image/png")]
    assert course.assets[0].data == (EPICERIE / "assets" / "fridge temps.png").read_bytes()
    course = load_course(ALL_KEYS)
    assert [(a.path, a.href) for a in course.assets] == [
        ("assets/img/Réfrigérateur Été.png", "assets/img/refrigerateur-ete.png"),
        ("assets/logo.png", "assets/logo.png"),
    ]


def test_allow_html_true_lets_raw_html_through_and_french_labels():
    html = load_course(ALL_KEYS).lessons[0].html
    assert "<p>Raw HTML passes: <b>bold</b> and <kbd>Ctrl</kbd>.</p>" in html
    assert '<img src="assets/img/refrigerateur-ete.png" alt="Un réfrigérateur en été" />' in html
    assert '<p class="ck-callout-title">Astuce</p>' in html


# --- source encodings ------------------------------------------------------------------------


def test_bom_and_crlf_course_loads_the_same(tmp_path):
    copy = tmp_path / "spec-example"
    shutil.copytree(SPEC, copy)
    for path in copy.rglob("*"):
        if path.suffix in (".md", ".yml"):
            text = path.read_text(encoding="utf-8")
            path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
            assert b"\r\n" in path.read_bytes()
    original, converted = load_course(SPEC), clean(copy)
    assert dataclasses.replace(converted, root="") == dataclasses.replace(original, root="")
    # positions are unchanged too
    assert [q.pos for q in converted.quizzes[1].questions] == [q.pos for q in original.quizzes[1].questions]


def test_cr_only_line_endings(tmp_path):
    (tmp_path / "lessons").mkdir()
    (tmp_path / "course.yml").write_bytes(b"title: Old Mac\rstructure:\r  - lessons/a.md\r")
    (tmp_path / "lessons" / "a.md").write_bytes(b"---\rtitle: A\r---\rText.\r")
    course = clean(tmp_path)
    assert course.lessons[0].html == "<p>Text.</p>\n"


# --- results and immutability ----------------------------------------------------------------


def test_load_course_raises_with_every_problem(tmp_path):
    (tmp_path / "course.yml").write_text("passing_score: 101\n", encoding="utf-8")
    with pytest.raises(CourseError) as info:
        load_course(tmp_path)
    assert [str(p) for p in info.value.problems] == [
        "course.yml:1:1: error: course.yml has no 'structure' (required)",
        "course.yml:1:1: error: course.yml has no 'title' (required)",
        "course.yml:1:16: error: 'passing_score' must be a whole number from 0 to 100, not 101",
    ]
    assert str(info.value) == "\n".join(str(p) for p in info.value.problems)


def test_warnings_of_a_clean_course_are_returned(tmp_path):
    shutil.copytree(SPEC, tmp_path / "c")
    (tmp_path / "c" / "lessons" / "02-extra.md").write_text("# Extra\n\n![](../assets/fridge%20temps.png)\n", encoding="utf-8")
    course, problems = read_course(tmp_path / "c")
    assert course is not None
    assert [str(p) for p in problems] == [
        "lessons/02-extra.md:1:1: warning: 'lessons/02-extra.md' is not listed in course.yml 'structure': it will not be exported"]


def test_model_is_immutable():
    course = load_course(EPICERIE)
    lesson, quiz, question = course.lessons[0], course.quizzes[0], course.quizzes[0].questions[0]
    for obj, attr in ((course, "title"), (lesson, "html"), (quiz, "passing_score"), (question, "prompt"),
                      (question.choices[0], "correct"), (course.modules[0], "items"), (course.assets[0], "data"),
                      (course.theme, "primary_color"), (course.lessons[0].pos, "line")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(obj, attr, None)
    assert isinstance(course.structure, tuple) and isinstance(quiz.questions, tuple)
    with pytest.raises(TypeError):
        load_course(ALL_KEYS).exports["throwaway"]["title_suffix"] = "x"
    with pytest.raises(TypeError):
        load_course(ALL_KEYS).exports["new"] = {}


def test_model_types():
    course = load_course(EPICERIE)
    assert isinstance(course.structure[1], Module)
    assert all(isinstance(i, (Lesson, Quiz)) for i in course.items)
    assert [i.href for i in course.items] == ["lesson-welcome.html", "lesson-stock.html", "quiz-all-types.html", "quiz-final.html"]
    assert course.is_scored and len(course.scored_quizzes) == 2
