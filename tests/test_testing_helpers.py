"""The helpers plugin authors use (coursekit.testing) do what their docstrings say."""

import zipfile

import pytest

from coursekit import Exporter, hookimpl
from coursekit.testing import build, read_zip, sample_course


class _Pages(Exporter):
    name = "pages"
    description = "each lesson's HTML"

    def write_content(self, writer):
        for lesson in self.course.lessons:
            writer.add(f"{lesson.id}.html", lesson.html)


def test_sample_course_uses_every_question_type(tmp_path):
    course = sample_course(tmp_path / "c")
    types = {q.type for quiz in course.quizzes for q in quiz.questions}
    assert types == {"single", "multiple", "true-false", "fill-in", "numeric", "matching", "ordering"}
    assert [q.type for q in course.lessons[0].questions] == ["true-false"]
    assert [a.href for a in course.assets] == ["assets/fridge-temps.png"]


def test_sample_course_overrides_replace_files(tmp_path):
    course = sample_course(tmp_path / "c", {"lessons/02-details.md": "# Other title\n\nText.\n"})
    assert course.lessons[1].title == "Other title"


def test_build_and_read_zip(tmp_path):
    course = sample_course(tmp_path / "c")
    package = build(_Pages, course, tmp_path / "out")
    assert package.name == "c-pages.zip"  # slug from the folder name
    files = read_zip(package)
    assert set(files) == {"intro.html", "details.html", "assets/fridge-temps.png"}
    assert b'src="assets/fridge-temps.png"' in files["intro.html"]
    with zipfile.ZipFile(package) as archive:
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in archive.infolist())


def test_exporter_without_write_content_cannot_be_built(tmp_path):
    class Incomplete(Exporter):
        name = "incomplete"

    course = sample_course(tmp_path / "c")
    with pytest.raises(TypeError):
        Incomplete(course)


def test_hookimpl_is_the_public_marker():
    assert callable(hookimpl)
