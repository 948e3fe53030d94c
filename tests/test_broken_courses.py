"""The corpus of broken courses: each folder under ``tests/broken`` is a realistic author
mistake, and its ``expected.txt`` holds every diagnostic line ``coursekit check`` must
print, exactly (``path:line:column: error|warning: message``).

Each case is checked through the real CLI (click's runner): exit 1, exactly the expected
lines on stderr, no traceback, and ``coursekit build`` writes nothing at all. A case
whose problems are all warnings fails only with ``--strict``, and passes without it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import coursekit.plugins
from coursekit.cli import cli

HERE = Path(__file__).resolve().parent
BROKEN = HERE / "broken"
PLUGINS = HERE / "fixtures" / "plugins"
CASES = sorted(p.name for p in BROKEN.iterdir() if p.is_dir())


@pytest.fixture(autouse=True)
def only_test_plugins(monkeypatch):
    """The CLI sees the throwaway test exporter only, never what else is installed: the
    expected lines must not depend on other plugins' extra checks."""
    real = coursekit.plugins.make_plugin_manager
    monkeypatch.setattr(
        coursekit.plugins, "make_plugin_manager", lambda plugins_dir=None, **kw: real(plugins_dir, entry_points=False)
    )
    monkeypatch.delenv("COURSEKIT_PLUGINS_DIR", raising=False)
    monkeypatch.delenv("COURSEKIT_DEBUG", raising=False)


def expected_lines(case: str) -> list[str]:
    return (BROKEN / case / "expected.txt").read_text(encoding="utf-8").splitlines()


def only_warnings(lines: list[str]) -> bool:
    return all(": warning: " in line for line in lines)


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_corpus_is_big_enough():
    assert len(CASES) >= 25
    for case in CASES:
        assert (BROKEN / case / "course.yml").is_file(), case
        assert expected_lines(case), f"{case}/expected.txt is empty"


@pytest.mark.parametrize("case", CASES)
def test_check_reports_exactly_the_expected_problems(case, monkeypatch):
    monkeypatch.chdir(BROKEN)
    expected = expected_lines(case)
    strict = only_warnings(expected)
    result = run("check", *(["--strict"] if strict else []), case)
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    n_errors = sum(": error: " in line for line in expected)
    summary = f"{case}: {n_errors} error(s)"
    if strict:
        summary += f", {len(expected) - n_errors} warning(s) (--strict)"
    assert lines == expected + [summary]
    assert result.stdout == ""
    assert "Traceback" not in result.output


@pytest.mark.parametrize("case", CASES)
def test_build_writes_nothing(case, tmp_path, monkeypatch):
    monkeypatch.chdir(BROKEN)
    out = tmp_path / "out"
    strict = ["--strict"] if only_warnings(expected_lines(case)) else []
    result = run("--plugins-dir", str(PLUGINS), "build", case, "-f", "throwaway", "-o", str(out), *strict)
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[: len(expected_lines(case))] == expected_lines(case)
    assert result.stderr.splitlines()[-1] == "Error: nothing was written: fix the errors above"
    assert "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("case", [c for c in CASES if only_warnings(expected_lines(c))])
def test_warnings_alone_do_not_fail_without_strict(case, monkeypatch, tmp_path):
    monkeypatch.chdir(BROKEN)
    result = run("check", case)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == expected_lines(case)
    assert result.stdout.startswith(f"{case}: ok (")
    result = run("--plugins-dir", str(PLUGINS), "build", case, "-f", "throwaway", "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out").is_dir()


def test_several_courses_at_once_are_all_reported_with_their_folder(monkeypatch):
    monkeypatch.chdir(BROKEN)
    result = run("check", "missing-course-title", "invalid-language")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "missing-course-title/course.yml:1:1: error: course.yml has no 'title' (required)",
        "missing-course-title: 1 error(s)",
        "invalid-language/course.yml:2:11: error: 'language' must be a BCP 47 tag such as 'fr' or 'fr-FR', "
        "not 'fr_FR' (write 'fr-FR': '-', not '_')",
        "invalid-language: 1 error(s)",
    ]


def _course(root: Path, lesson: str) -> Path:
    (root / "lessons").mkdir(parents=True)
    (root / "course.yml").write_text("title: Food safety basics\nstructure:\n  - lessons/01-intro.md\n", encoding="utf-8")
    (root / "lessons" / "01-intro.md").write_text(lesson, encoding="utf-8")
    return root


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlink_resolving_outside_the_course(tmp_path, monkeypatch):
    """git would store the link, but a link to an absolute path outside the checkout is
    not portable: the case is built here."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    course = _course(
        tmp_path / "course",
        "---\ntitle: Keep food cold\n---\nKeep the fridge at 4 °C.\n\n![The fridge](../assets/fridge.png)\n",
    )
    (course / "assets").mkdir()
    os.symlink(outside / "secret.png", course / "assets" / "fridge.png")
    # a structure entry that is a link to a lesson outside the course
    (outside / "02-outside.md").write_text("# Outside\n", encoding="utf-8")
    os.symlink(outside / "02-outside.md", course / "lessons" / "02-outside.md")
    with open(course / "course.yml", "a", encoding="utf-8") as f:
        f.write("  - lessons/02-outside.md\n")
    monkeypatch.chdir(tmp_path)
    result = run("check", "course")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"course.yml:4:5: error: structure entry 'lessons/02-outside.md' resolves outside the course folder "
        f"(a link to {os.path.realpath(outside / '02-outside.md')})",
        f"lessons/01-intro.md:6:15: error: image '../assets/fridge.png' resolves outside the course folder "
        f"(a link to {os.path.realpath(outside / 'secret.png')})",
        "course: 2 error(s)",
    ]
    out = tmp_path / "out"
    result = run("--plugins-dir", str(PLUGINS), "build", "course", "-f", "throwaway", "-o", str(out))
    assert result.exit_code == 1
    assert not out.exists()


def test_symlink_inside_the_course_is_fine(tmp_path, monkeypatch):
    course = _course(tmp_path / "course", "---\ntitle: Keep food cold\n---\n![The fridge](../assets/fridge.png)\n")
    (course / "media").mkdir()
    (course / "media" / "fridge.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (course / "assets").mkdir()
    os.symlink(Path("..") / "media" / "fridge.png", course / "assets" / "fridge.png")
    monkeypatch.chdir(tmp_path)
    result = run("check", "--strict", "course")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_not_a_course_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    result = run("check", "empty", "missing")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "empty/course.yml:1:1: error: no course.yml in empty: every course folder needs one",
        "empty: 1 error(s)",
        "missing:1:1: error: not a course folder (no such folder)",
        "missing: 1 error(s)",
    ]
