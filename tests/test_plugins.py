"""The plugin contract, exercised with throwaway plugin objects registered on a manager
without entry points, and with single-file plugins from a local folder.

Every hookspec has a docstring and a test named ``test_hook_<name>`` here
(``test_every_hookspec_is_documented_and_tested`` keeps it that way).
"""

from __future__ import annotations

import inspect
import sys
import textwrap
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import coursekit.plugins
from coursekit import Exporter, Problem, hookimpl, hookspecs, read_course
from coursekit.cli import cli
from coursekit.plugins import PluginError, exporters, make_plugin_manager

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SPEC = FIXTURES / "spec-example"


@pytest.fixture
def pm():
    return make_plugin_manager(entry_points=False)


@pytest.fixture
def use_pm(monkeypatch):
    """Make the CLI use the given manager (plus nothing installed), and leave the global
    click group as it was: plugin commands must not leak into other tests."""
    before = dict(cli.commands)
    monkeypatch.delenv("COURSEKIT_PLUGINS_DIR", raising=False)

    def install(manager):
        monkeypatch.setattr(coursekit.plugins, "make_plugin_manager", lambda plugins_dir=None, **kw: manager)

    yield install
    cli.commands.clear()
    cli.commands.update(before)


@pytest.fixture
def isolated_cli(monkeypatch):
    """The real manager factory, without installed entry points."""
    before = dict(cli.commands)
    real = coursekit.plugins.make_plugin_manager
    monkeypatch.setattr(coursekit.plugins, "make_plugin_manager",
                        lambda plugins_dir=None, **kw: real(plugins_dir, entry_points=False))
    monkeypatch.delenv("COURSEKIT_PLUGINS_DIR", raising=False)
    yield
    cli.commands.clear()
    cli.commands.update(before)


class Notes(Exporter):
    name = "notes"
    description = "Every lesson as one HTML file"

    def write_content(self, writer):
        for lesson in self.course.lessons:
            writer.add(f"{lesson.id}.html", lesson.html)


# --- one test per hook ----------------------------------------------------------------


def test_hook_register_exporters(pm):
    class Plugin:
        @hookimpl
        def register_exporters(self, register):
            register(Notes)

    assert exporters(pm) == {}
    pm.register(Plugin())
    assert exporters(pm) == {"notes": Notes}


def test_register_exporters_refuses_mistakes(pm):
    class NotAnExporter:
        @hookimpl
        def register_exporters(self, register):
            register(dict)

    pm.register(NotAnExporter(), name="bad")
    with pytest.raises(PluginError, match="is not an Exporter subclass"):
        exporters(pm)
    pm.unregister(name="bad")

    class Twice:
        @hookimpl
        def register_exporters(self, register):
            register(type("Other", (Notes,), {}))

    pm.register(Twice(), name="twice")
    pm.register(type("P", (), {"register_exporters": hookimpl(lambda self, register: register(Notes))})())
    with pytest.raises(PluginError, match="two plugins register the format 'notes'"):
        exporters(pm)


def test_hook_prepare_markdown(pm):
    def shout(state):
        for token in state.tokens:
            for child in token.children or ():
                if child.type == "text":
                    child.content = child.content.replace("Body", "BODY")

    class Plugin:
        @hookimpl
        def prepare_markdown(self, md):
            md.core.ruler.push("shout", shout)

    before = read_course(SPEC, plugin_manager=pm)[0]
    assert before.items[1].html == "<p>Body in Markdown.</p>\n"
    pm.register(Plugin())
    course, problems = read_course(SPEC, plugin_manager=pm)
    assert problems == []
    assert course.items[1].html == "<p>BODY in Markdown.</p>\n"


def test_hook_extra_checks(pm, use_pm, tmp_path):
    class Plugin:
        @hookimpl
        def extra_checks(self, course):
            for lesson in course.lessons:
                if "Careful" in lesson.html:
                    yield Problem(lesson.source, 14, 1, "warning", "say why to be careful")
            if len(course.quizzes) > 1:
                yield Problem("course.yml", 9, 5, "error", "house rule: one quiz per course")

    pm.register(Plugin())
    course, problems = read_course(SPEC, plugin_manager=pm)
    assert course is None
    assert [str(p) for p in problems] == [
        "course.yml:9:5: error: house rule: one quiz per course",
        "lessons/00-welcome.md:14:1: warning: say why to be careful",
    ]
    use_pm(pm)
    result = CliRunner().invoke(cli, ["check", str(SPEC)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "course.yml:9:5: error: house rule: one quiz per course",
        "lessons/00-welcome.md:14:1: warning: say why to be careful",
        f"{SPEC}: 1 error(s)",
    ]


def test_extra_checks_must_return_problems(pm):
    class Plugin:
        @hookimpl
        def extra_checks(self, course):
            return ["not a problem"]

    pm.register(Plugin())
    with pytest.raises(TypeError, match="extra_checks must return Problem objects"):
        read_course(SPEC, plugin_manager=pm)


def test_hook_register_commands(pm, use_pm):
    class Plugin:
        @hookimpl
        def register_commands(self, cli):
            @cli.command()
            @click.argument("name")
            def hello(name):
                """Say hello."""
                click.echo(f"hello {name}")

    pm.register(Plugin())
    use_pm(pm)
    runner = CliRunner()
    result = runner.invoke(cli, ["hello", "shop"])
    assert (result.exit_code, result.output) == (0, "hello shop\n")
    result = runner.invoke(cli, ["--help"])
    assert "  hello " in result.output and "Say hello." in result.output


# --- single-file local plugins ------------------------------------------------------------

LOCAL_PLUGIN = textwrap.dedent('''
    import click
    from coursekit import Exporter, hookimpl

    class Pages(Exporter):
        name = "pages"
        description = "Pages from a local plugin"

        def write_content(self, writer):
            writer.add("index.html", self.course.title)

    @hookimpl
    def register_exporters(register):
        register(Pages)

    @hookimpl
    def register_commands(cli):
        @cli.command()
        def shout():
            """Shout."""
            click.echo("LOCAL PLUGIN")
''')


@pytest.fixture
def local_dir(tmp_path):
    folder = tmp_path / "my-plugins"
    folder.mkdir()
    (folder / "pages.py").write_text(LOCAL_PLUGIN, encoding="utf-8")
    (folder / "notes.txt").write_text("not a plugin", encoding="utf-8")
    return folder


def test_plugins_dir_option(local_dir, isolated_cli):
    runner = CliRunner()
    result = runner.invoke(cli, ["--plugins-dir", str(local_dir), "formats"])
    assert (result.exit_code, result.output) == (0, "pages  Pages from a local plugin\n")
    result = runner.invoke(cli, ["--plugins-dir", str(local_dir), "shout"])
    assert (result.exit_code, result.output) == (0, "LOCAL PLUGIN\n")


def test_plugins_dir_environment_variable(local_dir, isolated_cli):
    runner = CliRunner(env={"COURSEKIT_PLUGINS_DIR": str(local_dir)})
    result = runner.invoke(cli, ["formats"])
    assert (result.exit_code, result.output) == (0, "pages  Pages from a local plugin\n")
    result = runner.invoke(cli, ["shout"])
    assert (result.exit_code, result.output) == (0, "LOCAL PLUGIN\n")
    pm = make_plugin_manager(str(local_dir), entry_points=False)
    assert list(exporters(pm)) == ["pages"]
    assert pm.get_plugin("local:pages.py") is sys.modules["coursekit_local_pages"]


def test_broken_local_plugin_is_a_message(tmp_path, isolated_cli):
    (tmp_path / "broken.py").write_text("import does_not_exist_anywhere\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--plugins-dir", str(tmp_path), "formats"])
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {tmp_path / 'broken.py'}: could not load plugin: "
                             "ModuleNotFoundError(\"No module named 'does_not_exist_anywhere'\")\n")
    assert "Traceback" not in result.output


def test_missing_plugins_dir_is_a_message(tmp_path, isolated_cli):
    result = CliRunner().invoke(cli, ["--plugins-dir", str(tmp_path / "nope"), "formats"])
    assert result.exit_code == 1
    assert result.stderr == f"Error: plugins folder not found: {tmp_path / 'nope'}\n"


# --- the contract itself ---------------------------------------------------------------


def hookspec_names() -> list[str]:
    return sorted(name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
                  if hasattr(fn, "coursekit_spec"))


def test_every_hookspec_is_documented_and_tested():
    names = hookspec_names()
    assert names == ["extra_checks", "prepare_markdown", "register_commands", "register_exporters"]
    tests = {name for name in globals() if name.startswith("test_hook_")}
    for name in names:
        assert (getattr(hookspecs, name).__doc__ or "").strip(), f"hookspec {name} has no docstring"
        assert f"test_hook_{name}" in tests, f"hookspec {name} has no test_hook_{name} in this file"
    assert tests == {f"test_hook_{name}" for name in names}, "a test_hook_ test names no hookspec"
