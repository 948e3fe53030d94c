"""``coursekit build`` and the other commands, end to end through click's runner, with
the throwaway exporter of ``tests/fixtures/plugins`` (a single-file local plugin that
writes pages through the ``PackageWriter``)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import coursekit.plugins
from coursekit.cli import cli
from coursekit.package import FIXED_DATE

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PLUGINS = FIXTURES / "plugins"
EPICERIE = FIXTURES / "Épicerie en ligne"
ALL_KEYS = FIXTURES / "all-keys"
SPEC = FIXTURES / "spec-example"
ISOLATED = (
    "import sys, coursekit.plugins as p; real = p.make_plugin_manager; "
    "p.make_plugin_manager = lambda d=None, **k: real(d, entry_points=False); "
    "from coursekit.cli import main; sys.argv[0] = 'coursekit'; main()"
)


@pytest.fixture(autouse=True)
def only_test_plugins(monkeypatch):
    """Builds see the throwaway exporters only, not the formats installed beside them."""
    real = coursekit.plugins.make_plugin_manager
    monkeypatch.setattr(coursekit.plugins, "make_plugin_manager",
                        lambda plugins_dir=None, **kw: real(plugins_dir, entry_points=False))
    monkeypatch.delenv("COURSEKIT_PLUGINS_DIR", raising=False)
    monkeypatch.delenv("COURSEKIT_DEBUG", raising=False)


def run(*args: str):
    return CliRunner().invoke(cli, ["--plugins-dir", str(PLUGINS), *args], catch_exceptions=False)


def written(result) -> list[str]:
    """The result lines of stdout (the rich progress bar, shown for several jobs, leaves a
    blank line behind when stdout is not a terminal)."""
    return [line for line in result.stdout.splitlines() if line]


def build(course: Path, out: Path, *args: str):
    result = run("build", str(course), "-o", str(out), *args)
    assert result.exit_code == 0, result.output
    return result


def test_build_writes_a_deterministic_zip(tmp_path):
    out = tmp_path / "out"
    result = build(EPICERIE, out, "-f", "throwaway")
    target = out / "epicerie-en-ligne-throwaway.zip"
    assert result.stdout == f"wrote {target}\n"
    assert sorted(p.name for p in out.iterdir()) == ["epicerie-en-ligne-throwaway.zip"]  # no temp file left
    with zipfile.ZipFile(target) as archive:
        infos = archive.infolist()
        names = [i.filename for i in infos]
        assert names == [
            "assets/fridge-temps.png",
            "index.txt",
            "lesson-stock.html",
            "lesson-welcome.html",
            "quiz-all-types.html",
            "quiz-final.html",
        ]
        assert names == sorted(names)
        for info in infos:
            assert info.date_time == FIXED_DATE
            assert info.external_attr >> 16 == 0o100644
            assert info.filename.isascii() and " " not in info.filename
        welcome = archive.read("lesson-welcome.html").decode()
        assert '<img src="assets/fridge-temps.png" alt="Fridge temperatures over a week" />' in welcome
        assert '<a href="lesson-stock.html#counting">' in welcome
        assert archive.read("assets/fridge-temps.png") == (EPICERIE / "assets" / "fridge temps.png").read_bytes()
        assert archive.read("index.txt").decode().splitlines() == names[:1] + names[2:]


def test_building_twice_gives_identical_bytes(tmp_path):
    build(EPICERIE, tmp_path / "a", "-f", "throwaway")
    build(EPICERIE, tmp_path / "b", "-f", "throwaway")
    first = (tmp_path / "a" / "epicerie-en-ligne-throwaway.zip").read_bytes()
    assert first == (tmp_path / "b" / "epicerie-en-ligne-throwaway.zip").read_bytes()
    build(EPICERIE, tmp_path / "a", "-f", "throwaway")  # over an existing package
    assert (tmp_path / "a" / "epicerie-en-ligne-throwaway.zip").read_bytes() == first
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["epicerie-en-ligne-throwaway.zip"]


def test_accented_asset_names_become_safe(tmp_path):
    build(ALL_KEYS, tmp_path, "-f", "throwaway")
    with zipfile.ZipFile(tmp_path / "vendre-en-ligne-throwaway.zip") as archive:
        assert "assets/img/refrigerateur-ete.png" in archive.namelist()
        assert "assets/logo.png" in archive.namelist()
        page = archive.read("lesson-html-ok.html").decode()
    assert '<img src="assets/img/refrigerateur-ete.png"' in page
    assert "<title>HTML is allowed here (démo)</title>" in page  # exports.throwaway options applied


def test_default_formats_are_those_under_exports(tmp_path):
    result = build(ALL_KEYS, tmp_path)
    assert result.stdout == f"wrote {tmp_path / 'vendre-en-ligne-throwaway.zip'}\n"


def test_default_formats_are_all_installed_ones(tmp_path):
    result = build(SPEC, tmp_path)
    assert written(result) == [
        f"wrote {tmp_path / 'spec-example-throwaway.zip'}",
        f"wrote {tmp_path / 'spec-example-throwaway2.zip'}",
    ]


def test_unknown_format_is_a_clear_message(tmp_path):
    result = run("build", str(EPICERIE), "-f", "throwawy", "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert result.stderr == "Error: unknown format 'throwawy' (did you mean 'throwaway'?); installed: throwaway, throwaway2\n"
    assert not (tmp_path / "out").exists()


def test_parallel_build_of_several_courses_and_formats(tmp_path):
    out = tmp_path / "out"
    result = run("build", str(EPICERIE), str(SPEC), "-f", "throwaway", "-f", "throwaway2", "--jobs", "2", "-o", str(out))
    assert result.exit_code == 0, result.output
    expected = [
        "epicerie-en-ligne-throwaway.zip",
        "epicerie-en-ligne-throwaway2.zip",
        "spec-example-throwaway.zip",
        "spec-example-throwaway2.zip",
    ]
    assert written(result) == [f"wrote {out / name}" for name in expected]
    assert sorted(p.name for p in out.iterdir()) == expected  # no temporary file left behind
    single = tmp_path / "single"
    build(EPICERIE, single, "-f", "throwaway2")
    assert (out / expected[1]).read_bytes() == (single / expected[1]).read_bytes()


def test_formats_lists_exporters():
    result = run("formats")
    assert (result.exit_code, result.stdout) == (0, (
        "throwaway   Test exporter: one HTML page per lesson and quiz\n"
        "throwaway2  Test exporter: the same pages, another format name\n"))


def test_formats_with_nothing_installed():
    result = CliRunner().invoke(cli, ["formats"])
    assert (result.exit_code, result.stdout) == (0, "no export format installed\n")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_new_course_passes_check_strict(tmp_path, language):
    target = tmp_path / "Mon cours"
    result = CliRunner().invoke(cli, ["new", str(target), "--language", language])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, ["check", "--strict", str(target)])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == "mon-cours: ok (1 lessons, 1 quizzes, 1 questions, 2 items)\n"
    result = CliRunner().invoke(cli, ["new", str(target)])
    assert (result.exit_code, result.stderr) == (1, f"Error: {target} exists and is not empty\n")
    build(target, tmp_path / "out", "-f", "throwaway")
    assert (tmp_path / "out" / "mon-cours-throwaway.zip").is_file()


BOOM = textwrap.dedent('''
    from coursekit import hookimpl

    @hookimpl
    def extra_checks(course):
        raise RuntimeError("boom")
''')


def test_debug_shows_a_traceback_where_the_default_shows_a_message(tmp_path):
    (tmp_path / "boom.py").write_text(BOOM, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("COURSEKIT_DEBUG", "COURSEKIT_PLUGINS_DIR")}
    base = [sys.executable, "-c", ISOLATED, "--plugins-dir", str(tmp_path)]
    plain = subprocess.run([*base, "check", str(SPEC)], capture_output=True, text=True, env=env)
    assert plain.returncode == 1
    assert plain.stderr == "Error: unexpected RuntimeError in check: boom (run with --debug for details)\n"
    debug = subprocess.run([*base, "--debug", "check", str(SPEC)], capture_output=True, text=True, env=env)
    assert debug.returncode == 1
    assert debug.stderr.startswith("Traceback (most recent call last):\n")
    assert 'raise RuntimeError("boom")' in debug.stderr
    assert debug.stderr.endswith("RuntimeError: boom\n")


def test_exporter_failure_leaves_no_partial_output(tmp_path):
    plugin = tmp_path / "plugins"
    plugin.mkdir()
    (plugin / "half.py").write_text(textwrap.dedent('''
        from coursekit import Exporter, hookimpl

        class Half(Exporter):
            name = "half"
            description = "fails halfway"

            def write_content(self, writer):
                writer.add("a.html", "a")
                raise OSError("disk full")

        @hookimpl
        def register_exporters(register):
            register(Half)
    '''), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["--plugins-dir", str(plugin), "build", str(SPEC), "-f", "half", "-o", str(out)])
    assert result.exit_code == 1
    assert result.stderr == ("Error: the half export of 'spec-example' failed: OSError: disk full; "
                             "nothing was written (run with --debug for details)\n")
    assert not out.exists()
