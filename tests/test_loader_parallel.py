"""Big courses load their second half in a forked process: the result must be exactly
what one process finds, links and duplicate ids across the two halves included."""

import os
import sys
from pathlib import Path

import pytest

import coursekit.loader.structure as loader
from coursekit.loader import read_course

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from synthetic import generate  # noqa: E402

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX only")


@pytest.fixture
def big_course(tmp_path):
    course = generate(tmp_path / "big", 150)  # 300 items: above the parallel threshold
    first, last = course / "lessons/0001-lesson.md", course / "lessons/0150-lesson.md"
    # a link forward across the halves, and one back
    first.write_text(first.read_text() + "\nSee [the last](0150-lesson.md#end) and [a quiz](../quizzes/0140-check.yml).\n")
    last.write_text(last.read_text() + "\nBack to [the first](0001-lesson.md).\n")
    return course


def load_both(course, monkeypatch):
    forks = []
    real_fork = os.fork

    def counting_fork():
        pid = real_fork()
        if pid:
            forks.append(pid)
        return pid

    monkeypatch.setattr(loader, "_can_fork", lambda: True)
    monkeypatch.setattr(os, "fork", counting_fork)
    parallel = read_course(course)
    monkeypatch.setattr(loader, "_can_fork", lambda: False)
    serial = read_course(course)
    assert len(forks) == 1, "the parallel load did not fork"
    return parallel, serial


def test_parallel_load_equals_serial_load(big_course, monkeypatch):
    (course_p, problems_p), (course_s, problems_s) = load_both(big_course, monkeypatch)
    assert course_p is not None and course_p == course_s
    assert problems_p == problems_s == []
    first, last = course_p.lessons[0], course_p.lessons[-1]
    assert 'href="lesson-l150.html#end"' in first.html
    assert 'href="quiz-c140.html"' in first.html
    assert 'href="lesson-l1.html"' in last.html
    assert "@@ck-page" not in first.html
    assert course_p.assets == course_s.assets


def test_duplicate_id_across_halves_is_reported_once_at_the_later_file(big_course, monkeypatch):
    late = big_course / "lessons/0149-lesson.md"
    late.write_text(late.read_text().replace("id: l149", "id: l2"))
    (course_p, problems_p), (course_s, problems_s) = load_both(big_course, monkeypatch)
    assert course_p is None and course_s is None
    assert problems_p == problems_s
    assert [str(p) for p in problems_p] == [
        "lessons/0149-lesson.md:3:5: error: lesson id 'l2' is already the id of the lesson at "
        "lessons/0002-lesson.md:3:5: ids must be unique across modules, lessons and quizzes"
    ]
