"""Hostile and broken courses that git cannot store (FIFOs, sockets, huge or sparse
files, links to absolute paths, unreadable folders, thousands of files) or that must be
built at run time: each is refused with positioned messages, exit 1, no traceback and
nothing written, and without the loader ever opening a special file.

Cases that can be stored live in ``tests/broken/`` (see test_broken_courses.py).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import coursekit.loader.structure as structure
from coursekit.cli import cli
from coursekit.loader import limits, read_course

HERE = Path(__file__).resolve().parent
PLUGINS = HERE / "fixtures" / "plugins"
POSITIONED = re.compile(r"^[^\n]+:\d+:\d+: (error|warning): \S.*$")
LESSON = "---\ntitle: Keep food cold\n---\nKeep the fridge at 4 °C.\n"
QUIZ = "title: Check\nquestions:\n  - type: true-false\n    prompt: The fridge stays at 4 °C.\n    answer: true\n"
COURSE = "title: Food safety basics\nstructure:\n  - lessons/01-intro.md\n  - quizzes/check.yml\n"

sys.path.insert(0, str(HERE.parent / "benchmarks"))
from synthetic import generate  # noqa: E402


def make_course(root: Path, lesson: str = LESSON, quiz: str = QUIZ, course: str = COURSE) -> Path:
    (root / "lessons").mkdir(parents=True)
    (root / "quizzes").mkdir()
    (root / "assets").mkdir()
    (root / "course.yml").write_text(course, encoding="utf-8")
    (root / "lessons" / "01-intro.md").write_text(lesson, encoding="utf-8")
    (root / "quizzes" / "check.yml").write_text(quiz, encoding="utf-8")
    return root


def check_in_subprocess(course: Path, *extra: str, prefix: tuple = (), timeout: float = 60) -> list[str]:
    """``coursekit check`` in its own process: a loader that opened a FIFO would block
    forever, the timeout turns that into a failure instead of a hung suite."""
    result = subprocess.run(
        [*prefix, sys.executable, "-m", "coursekit.cli", "check", str(course), *extra],
        capture_output=True, text=True, timeout=timeout, env={**os.environ, "COURSEKIT_DEBUG": ""},
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr.splitlines()


def check(course: Path) -> list[str]:
    """``coursekit check`` through click's runner; every line positioned, exit 1."""
    result = CliRunner().invoke(cli, ["check", str(course)], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert lines[-1].startswith(f"{course}: ")
    for line in lines[:-1]:
        assert POSITIONED.match(line), line
    assert structure.INTERNAL_ERROR not in result.stderr
    return lines[:-1]


def build_writes_nothing(course: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["--plugins-dir", str(PLUGINS), "build", str(course), "-f", "throwaway",
                                      "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[-1] == "Error: nothing was written: fix the errors above"
    assert not out.exists() or not any(out.iterdir())


# --- special files: never opened ---------------------------------------------------------


def test_fifo_as_structure_entry_image_theme_file_and_logo(tmp_path):
    course = make_course(
        tmp_path / "c",
        lesson=LESSON + "\n![A thermometer](../assets/thermometer.png)\n",
        course=COURSE + "theme:\n  logo: assets/logo.png\n",
    )
    (course / "quizzes" / "check.yml").unlink()
    os.mkfifo(course / "quizzes" / "check.yml")
    os.mkfifo(course / "assets" / "thermometer.png")
    os.mkfifo(course / "assets" / "logo.png")
    (course / "theme").mkdir()
    os.mkfifo(course / "theme" / "player.css")
    os.mkfifo(course / "assets" / "unused.bin")
    lines = check_in_subprocess(course)
    assert lines[:-1] == [
        "assets/logo.png:1:1: error: 'assets/logo.png' is a FIFO (named pipe): a course folder holds only regular files and folders",
        "assets/thermometer.png:1:1: error: 'assets/thermometer.png' is a FIFO (named pipe): a course folder holds only regular files and folders",
        "assets/unused.bin:1:1: error: 'assets/unused.bin' is a FIFO (named pipe): a course folder holds only regular files and folders",
        "course.yml:4:5: error: structure entry 'quizzes/check.yml' is not a file but a FIFO (named pipe)",
        "course.yml:6:9: error: logo 'assets/logo.png' is not a file but a FIFO (named pipe)",
        "lessons/01-intro.md:6:18: error: image '../assets/thermometer.png' is not a file but a FIFO (named pipe)",
        "quizzes/check.yml:1:1: error: 'quizzes/check.yml' is a FIFO (named pipe): a course folder holds only regular files and folders",
        "theme/player.css:1:1: error: 'theme/player.css' is a FIFO (named pipe): a course folder holds only regular files and folders",
    ]


def test_fifo_as_course_yml_is_not_opened(tmp_path):
    course = make_course(tmp_path / "c")
    (course / "course.yml").unlink()
    os.mkfifo(course / "course.yml")
    lines = check_in_subprocess(course)
    assert lines[0] == f"course.yml:1:1: error: no course.yml in {course}: every course folder needs one"


def test_socket_linked_as_an_image(tmp_path):
    course = make_course(tmp_path / "c", lesson=LESSON + "\n![A chart](../assets/chart.png)\n")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(course / "assets" / "chart.png"))
        lines = check_in_subprocess(course)
    assert "lessons/01-intro.md:6:12: error: image '../assets/chart.png' is not a file but a socket" in lines
    assert "assets/chart.png:1:1: error: 'assets/chart.png' is a socket: a course folder holds only regular files and folders" in lines


def test_link_to_a_device_is_outside_the_course(tmp_path):
    course = make_course(tmp_path / "c", lesson=LESSON + "\n![A chart](../assets/chart.png)\n")
    os.symlink("/dev/zero", course / "assets" / "chart.png")
    lines = check(course)
    assert lines == ["lessons/01-intro.md:6:12: error: image '../assets/chart.png' resolves outside the course folder (a link to /dev/zero)"]


# --- links that lead out of the course ----------------------------------------------------


def test_lessons_folder_linked_outside(tmp_path):
    course = make_course(tmp_path / "c")
    outside = tmp_path / "elsewhere"
    shutil.move(str(course / "lessons"), outside)
    os.symlink(outside, course / "lessons")
    lines = check(course)
    assert lines == [
        f"course.yml:3:5: error: structure entry 'lessons/01-intro.md' resolves outside the course folder "
        f"(a link to {os.path.realpath(outside / '01-intro.md')})",
    ]
    build_writes_nothing(course, tmp_path)


def test_unused_links_out_of_the_course_anywhere_are_refused(tmp_path):
    course = make_course(tmp_path / "c")
    os.symlink("/etc", course / "assets" / "etc")
    (course / "theme").mkdir()
    os.symlink("/etc/passwd", course / "theme" / "player.css")
    os.symlink("../../..", course / "assets" / "up")
    assert check(course) == [
        "assets/etc:1:1: error: 'assets/etc' is a link to /etc, outside the course folder: copy what it links to into the course instead",
        f"assets/up:1:1: error: 'assets/up' is a link to {os.path.realpath(tmp_path.parent)}, outside the course folder: copy what it links to into the course instead",
        "theme/player.css:1:1: error: 'theme/player.css' is a link to /etc/passwd, outside the course folder: copy what it links to into the course instead",
    ]


def test_theme_folder_linked_to_root_is_not_walked(tmp_path):
    course = make_course(tmp_path / "c")
    os.symlink("/", course / "theme")
    assert check(course) == [
        "theme:1:1: error: 'theme' is a link to /, outside the course folder: copy what it links to into the course instead",
    ]


def test_link_to_root_inside_the_theme_folder_is_not_walked(tmp_path):
    # made at run time, never stored in git: a stored link to / makes pytest, grep -r and
    # every other tool that walks the checkout walk the whole machine
    course = make_course(tmp_path / "c")
    (course / "theme").mkdir()
    os.symlink("/", course / "theme" / "root")
    assert check(course) == [
        "theme/root:1:1: error: 'theme/root' is a link to /, outside the course folder: copy what it links to into the course instead",
    ]


def test_link_loops_are_refused(tmp_path):
    course = make_course(tmp_path / "c")
    (course / "theme").mkdir()
    os.symlink("loop", course / "theme" / "loop")
    os.symlink("b", course / "assets" / "a")
    os.symlink("a", course / "assets" / "b")
    assert check(course) == [
        "assets/a:1:1: error: 'assets/a' is a link that leads back to itself: remove it",
        "assets/b:1:1: error: 'assets/b' is a link that leads back to itself: remove it",
        "theme/loop:1:1: error: 'theme/loop' is a link that leads back to itself: remove it",
    ]


def test_links_inside_the_course_stay_allowed(tmp_path):
    course = make_course(tmp_path / "c", lesson=LESSON + "\n![A chart](../media/chart.png)\n")
    (course / "shared").mkdir()
    (course / "shared" / "chart.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    os.symlink("shared", course / "media")
    (course / "theme-src").mkdir()
    (course / "theme-src" / "player.css").write_text("body { color: black }\n")
    os.symlink("theme-src", course / "theme")
    loaded, problems = read_course(course)
    assert problems == [] and loaded is not None
    assert [a.path for a in loaded.assets] == ["media/chart.png"]
    assert dict(loaded.theme.overrides) == {"player.css": b"body { color: black }\n"}


# --- folders that cannot be read ------------------------------------------------------------


def test_unreadable_assets_folder(tmp_path):
    """Root reads everything whatever the mode says: as root the check runs with the
    capabilities that let root ignore permissions dropped (setpriv), so the loader really
    meets EACCES from the kernel."""
    course = make_course(tmp_path / "c", lesson=LESSON + "\n![A chart](../assets/chart.png)\n")
    (course / "assets" / "chart.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    prefix: tuple = ()
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        assert setpriv, "setpriv (util-linux) is needed to drop root's permission override"
        prefix = (setpriv, "--bounding-set", "-dac_override,-dac_read_search")
    os.chmod(course / "assets", 0)
    try:
        lines = check_in_subprocess(course, prefix=prefix)
    finally:
        os.chmod(course / "assets", 0o755)
    assert lines[:-1] == [
        "assets:1:1: error: cannot read the folder 'assets': Permission denied",
        "lessons/01-intro.md:6:12: error: image '../assets/chart.png' not found",
    ]


# --- sizes and counts -------------------------------------------------------------------------


def sparse(path: Path, size: int) -> None:
    with open(path, "wb") as f:
        f.truncate(size)


def test_lesson_bigger_than_the_text_file_limit(tmp_path):
    course = make_course(tmp_path / "c")
    sparse(course / "lessons" / "01-intro.md", limits.MAX_TEXT_FILE_BYTES + 1)
    assert check(course) == [
        "course.yml:3:5: error: structure entry 'lessons/01-intro.md' is too big (10.0 MiB; at most 10.0 MiB, "
        "see 'Limits' in docs/course-format.md)",
    ]


def test_course_yml_bigger_than_the_limit(tmp_path):
    course = make_course(tmp_path / "c")
    sparse(course / "course.yml", limits.MAX_TEXT_FILE_BYTES + 10)
    assert check(course) == [
        "course.yml:1:1: error: cannot read this file: it is too big (10.0 MiB; at most 10.0 MiB, see 'Limits' in docs/course-format.md)",
    ]


def test_asset_and_course_size_limits(tmp_path):
    lesson = LESSON + "".join(f"\n![Chart {n}](../assets/chart{n}.png)\n" for n in range(4))
    course = make_course(tmp_path / "c", lesson=lesson + "\n![Film](../assets/film.mp4)\n")
    for n in range(4):
        sparse(course / "assets" / f"chart{n}.png", 60 * 2**20)
    sparse(course / "assets" / "film.mp4", limits.MAX_ASSET_FILE_BYTES + 1)
    assert check(course) == [
        "course.yml:1:1: error: the files of this course add up to 240.0 MiB: at most 200 MiB (see 'Limits' in docs/course-format.md)",
        "lessons/01-intro.md:14:9: error: image '../assets/film.mp4' is too big (64.0 MiB; at most 64.0 MiB, see 'Limits' in docs/course-format.md)",
    ]
    build_writes_nothing(course, tmp_path)


def test_too_many_files_in_the_course_folder(tmp_path):
    course = make_course(tmp_path / "c")
    for n in range(limits.MAX_FOLDER_ENTRIES):
        (course / "assets" / f"{n}.txt").touch()
    assert check(course) == [
        f"course.yml:1:1: error: the course folder holds more than {limits.MAX_FOLDER_ENTRIES} files and folders "
        "(see 'Limits' in docs/course-format.md)",
    ]


def test_too_many_questions_in_a_quiz(tmp_path):
    question = "  - type: true-false\n    prompt: Cold?\n    answer: true\n"
    course = make_course(tmp_path / "c", quiz="title: Check\nquestions:\n" + question * (limits.MAX_QUESTIONS_PER_ITEM + 1))
    line = 3 + 3 * limits.MAX_QUESTIONS_PER_ITEM
    assert check(course) == [
        f"quizzes/check.yml:{line}:5: error: a quiz holds at most {limits.MAX_QUESTIONS_PER_ITEM} questions "
        "(see 'Limits' in docs/course-format.md): split it in several quizzes",
    ]


def test_too_many_items(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_ITEMS", 3)
    course = make_course(tmp_path / "c", course=COURSE + "  - lessons/02.md\n  - lessons/03.md\n")
    (course / "lessons" / "02.md").write_text("# Two\n")
    (course / "lessons" / "03.md").write_text("# Three\n")
    assert check(course) == ["course.yml:6:5: error: a course lists at most 3 lessons and quizzes (see 'Limits' in docs/course-format.md)"]


def test_too_much_markdown_in_one_lesson(tmp_path):
    body = "Keep it cold.\n" * 10 + "*a* " * (limits.MAX_MARKDOWN_UNITS // 2) + "\n"
    course = make_course(tmp_path / "c", lesson=LESSON + body)
    assert check(course) == [
        f"lessons/01-intro.md:15:1: error: this file is too dense to load in reasonable time: at most "
        f"{limits.MAX_MARKDOWN_UNITS} lines and Markdown marks, passed on this line (see 'Limits' in docs/course-format.md): split it",
    ]


def test_too_much_markdown_in_the_course(tmp_path, monkeypatch):
    # the mechanism, on small budgets: at the real ones the lessons below the limit
    # take seconds each to render
    monkeypatch.setattr(limits, "MAX_MARKDOWN_UNITS", 2_000)
    monkeypatch.setattr(limits, "MAX_COURSE_MARKDOWN_UNITS", 5_000)
    per_lesson = limits.MAX_MARKDOWN_UNITS - 100
    n = limits.MAX_COURSE_MARKDOWN_UNITS // per_lesson + 1
    course = make_course(tmp_path / "c", course=COURSE + "".join(f"  - lessons/{i:02d}.md\n" for i in range(n)))
    for i in range(n):
        (course / "lessons" / f"{i:02d}.md").write_text("# Dense\n\n" + "a\n" * (per_lesson - 10))
    assert check(course) == [
        f"course.yml:{5 + n - 1}:5: error: the lessons and quizzes up to this one hold too much Markdown for one course: "
        f"at most {limits.MAX_COURSE_MARKDOWN_UNITS} lines and Markdown marks in all (see 'Limits' in docs/course-format.md)",
    ]


# --- what used to crash -----------------------------------------------------------------------


def test_links_written_with_entities_and_escapes_get_their_own_line(tmp_path):
    """A target markdown-it rewrites (entities, escapes) is not found verbatim in the
    source: it used to send a search to the end of the file for every link."""
    lines = "".join(f"See ![chart {n}](../assets/c&#46;{n}\\_x.png) here.\n" for n in range(3))
    course = make_course(tmp_path / "c", lesson=LESSON + "\n" + lines + "\n| a | ![t](../assets/t&#46;png) |\n|---|---|\n")
    assert check(course) == [
        "lessons/01-intro.md:6:5: error: image '../assets/c.0_x.png' not found",
        "lessons/01-intro.md:7:5: error: image '../assets/c.1_x.png' not found",
        "lessons/01-intro.md:8:5: error: image '../assets/c.2_x.png' not found",
        "lessons/01-intro.md:10:7: error: image '../assets/t.png' not found",
    ]


def test_many_links_with_rewritten_targets_load(tmp_path):
    """20,000 such links in one paragraph: was quadratic (minutes), now linear. The
    timeout only guards the suite; figures are benchmarks/bench_hostile.py's job."""
    body = "![c](../assets/c&#46;png) " * 20_000 + "\n"
    course = make_course(tmp_path / "c", lesson=LESSON + "\n" + body)
    (course / "assets" / "c.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    result = subprocess.run([sys.executable, "-m", "coursekit.cli", "check", str(course)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


@pytest.mark.parametrize("text", [
    "title: Food safety basics\rstructure:\r  - lessons/01-intro.md\r  - quizzes/check.yml\r",
    "\ufefftitle: Food safety basics\r\nstructure:\r\n  - lessons/01-intro.md\r\n  - quizzes/check.yml\r\n",
    "title: Food safety " + "very " * 200_000 + "basics\nstructure:\n  - lessons/01-intro.md\n  - quizzes/check.yml\n",
])
def test_line_endings_boms_and_long_lines_load(tmp_path, text):
    course = make_course(tmp_path / "c", course=text)
    loaded, problems = read_course(course)
    assert problems == [] and loaded is not None


def test_errors_of_the_forked_half_arrive_positioned(tmp_path, monkeypatch):
    """A big course loads its second half in a child process: the child's problems come
    back with their positions, exactly as one process finds them."""
    course = generate(tmp_path / "big", 110)  # 220 items: above PARALLEL_MIN_ITEMS
    late_quiz = course / "quizzes" / "0108-check.yml"
    late_quiz.write_text(late_quiz.read_text() + "weight: .inf\n")
    late_lesson = course / "lessons" / "0109-lesson.md"
    late_lesson.write_text(late_lesson.read_text() + "\n![bad](x%00.png)\n\n" + "> " * 30 + "deep\n")
    bomb = course / "quizzes" / "0110-check.yml"
    bomb.write_text(bomb.read_text() + "description: &a [x, x, x, x, x, x, x, x, x, x]\n"
                    + "".join(f"k{n}: &{chr(98 + n)} [" + ", ".join([f"*{chr(97 + n)}"] * 10) + "]\n" for n in range(6)))
    forks = []
    real_fork = os.fork

    def counting_fork():
        pid = real_fork()
        if pid:
            forks.append(pid)
        return pid

    monkeypatch.setattr(structure, "_can_fork", lambda: True)
    monkeypatch.setattr(os, "fork", counting_fork)
    parallel = read_course(course)[1]
    monkeypatch.setattr(structure, "_can_fork", lambda: False)
    serial = read_course(course)[1]
    assert len(forks) == 1
    assert parallel == serial
    assert [str(p) for p in parallel] == [
        "lessons/0109-lesson.md:26:8: error: image 'x\\x00.png' holds a NUL byte (U+0000): no file has such a name",
        "lessons/0109-lesson.md:28:1: error: quotes, lists and callouts are nested too deeply here (a list level counts twice): past 20 levels the rest would be lost",
        "quizzes/0108-check.yml:26:9: error: '.inf' is not a finite number: write a number such as 1 or 0.5 (or put text in quotes)",
        "quizzes/0110-check.yml:34:9: error: this YAML document holds too many values: at most 200000, an alias counting as every value it repeats (see 'Limits' in docs/course-format.md)",
    ]
