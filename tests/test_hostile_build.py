"""Hostile course folders and hostile moments for ``coursekit build``.

- no code from a course runs: theme templates render in a sandbox (positioned errors, also
  from ``check``);
- a build of several formats writes all of them or none;
- a stop signal (SIGTERM, SIGINT, SIGHUP) at any moment leaves the previous outputs, no
  temporary file and no child process: real ``coursekit build`` subprocesses on a big
  synthetic course, signalled at several moments;
- package entry names every system can unpack;
- scripts in SVG and HTML assets refused unless ``allow_html``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import unicodedata
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from coursekit import interrupts
from coursekit.cli import cli
from coursekit.loader import read_course
from coursekit.package import PackageError, PackageWriter, install

REPO = Path(__file__).resolve().parents[1]
SPEC = REPO / "tests" / "fixtures" / "spec-example"
PLUGINS = REPO / "tests" / "fixtures" / "plugins"
sys.path.insert(0, str(REPO / "benchmarks"))
import synthetic  # noqa: E402


def course_copy(tmp_path: Path, name: str = "course") -> Path:
    target = tmp_path / name
    shutil.copytree(SPEC, target)
    return target


def invoke(*args: str, plugins: Path | None = None):
    base = ["--plugins-dir", str(plugins)] if plugins else []
    return CliRunner().invoke(cli, [*base, *args])


def leftovers(folder: Path) -> list[str]:
    """Temporary names a run may create in the output folder."""
    if not folder.exists():
        return []
    return sorted(p.name for p in folder.iterdir() if ".tmp-" in p.name or ".old" in p.name or p.name.startswith(".coursekit-build-"))


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with a hash of its bytes."""
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()[:16]
            for p in sorted(folder.rglob("*")) if p.is_file()}


# --- 1. no code from a course --------------------------------------------------------------------


def write_template(course: Path, body: str, name: str = "lesson.html") -> Path:
    folder = course / "theme" / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(body).lstrip(), encoding="utf-8")
    return path


ESCAPES = [
    '{{ cycler.__init__.__globals__.os.system("id > marker.txt") }}',
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    '{{ lipsum.__globals__["os"].system("id > marker.txt") }}',
    '{{ (cycler|attr("__init__")|attr("__globals__")).os.system("id > marker.txt") }}',
    '{{ self._TemplateReference__context }}',
    "{{ course.assets.__class__ }}",
    '{{ namespace.__init__.__globals__ }}',
]


@pytest.mark.parametrize("expression", ESCAPES)
def test_a_theme_template_cannot_run_code(tmp_path, expression, monkeypatch):
    course = course_copy(tmp_path)
    write_template(course, f"""
        {{% extends "base.html" %}}
        {{% block main %}}
        <h1>{{{{ item.title }}}}</h1>
        {expression}
        {{% endblock %}}
    """)
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    checked = invoke("check", str(course))
    built = invoke("build", str(course), "-f", "html", "-o", str(out))
    for result in (checked, built):
        assert result.exit_code == 1, result.output
        assert "theme/templates/lesson.html:4:1: error: not allowed in a template" in result.output, result.output
        assert "Traceback" not in result.output
    assert not list(tmp_path.rglob("marker.txt"))
    assert not out.exists()


def test_a_runtime_sandbox_refusal_is_positioned_in_check_and_build(tmp_path):
    course = course_copy(tmp_path)
    write_template(course, """
        {% extends "base.html" %}
        {% block main %}
        {% set name = "__cla" ~ "ss__" %}
        <h1>{{ item.title }}</h1>
        {{ item|attr(name) }}
        {% endblock %}
    """)
    for command in (["check", str(course)], ["build", str(course), "-f", "html", "-o", str(tmp_path / "out")]):
        result = invoke(*command)
        assert result.exit_code == 1
        assert "theme/templates/lesson.html:5:1: error: not allowed in a template:" in result.output, result.output


@pytest.mark.parametrize("body, message", [
    ('{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}', "rendering took longer than"),
    ('{{ "x" * 100000000 }}', "more than a template may build"),
    ('{% set ns = namespace(s="0123456789") %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}', "more than a template may build"),
    ('{{ "%0999999999d"|format(1) }}', "larger than a template may"),
    ('{{ "x"|center(999999999) }}', "larger than a template may pass"),
    ('{{ 7 ** 99999 }}', "too large a number"),
    ('{{ range(10000000)|list }}', "larger than a template may pass"),
    ('{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}', "recursion"),
    ('{{ ("\\n" * 100000)|indent(100000) }}', "more than a template may build"),
    ('{{ ("a" * 100000)|replace("a", "b" * 100000) }}', "more than a template may build"),
    ('{{ ("a" * 100000).replace("a", "b" * 100000) }}', "more than a template may build"),
    ('{{ (("x",) * 100000)|join("y" * 100000) }}', "more than a template may build"),
    ('{{ ("y" * 100000).join(("x",) * 100000) }}', "more than a template may build"),
    ('{{ ("%s" * 100000) % (("y" * 100000,) * 100000) }}', "more than a template may build"),
    ('{{ ("{0}" * 100000).format("y" * 100000) }}', "more than a template may build"),
    ('{{ lipsum(n=100000) }}', "is undefined"),
    ('{% set ns = namespace(l=[]) %}{% for i in range(100000) %}{% set ns.l = ns.l + ["x" * 1000000] %}{% endfor %}', "for one page"),
    ('{% macro m() %}{% for i in range(30000) %}<p>static text in a loop</p>{% endfor %}{% endmacro %}'
     '{% set ns = namespace(l=[]) %}{% for i in range(1000) %}{% set ns.l = ns.l + [m()] %}{% endfor %}', "for one page"),
    ('{% include "../../course.yml" %}', "template not found"),
    ('{{ nothing_named_so }}', "is undefined"),
])
def test_a_hostile_template_is_a_bounded_positioned_error(tmp_path, body, message):
    course = course_copy(tmp_path)
    write_template(course, '{% extends "base.html" %}\n{% block main %}\n' + body + "\n{% endblock %}\n")
    start = time.monotonic()
    result = invoke("build", str(course), "-f", "html", "-o", str(tmp_path / "out"))
    assert time.monotonic() - start < 10
    assert result.exit_code == 1
    assert result.output.startswith("theme/templates/lesson.html:"), result.output
    assert message in result.output, result.output
    assert not (tmp_path / "out").exists()


def test_a_template_syntax_error_is_positioned_by_check(tmp_path):
    course = course_copy(tmp_path)
    write_template(course, '{% extends "base.html" %}\n{% block main %}\n<h1>x</h1>\n{% if %}\n{% endblock %}\n')
    result = invoke("check", str(course))
    assert result.exit_code == 1
    assert "theme/templates/lesson.html:4:1: error: template syntax:" in result.output


def test_a_harmless_theme_template_still_renders(tmp_path):
    course = course_copy(tmp_path)
    write_template(course, """
        {% extends "base.html" %}
        {% block main %}
        <h1 class="mine">{{ item.title|upper }} {{ "%03d"|format(items|length) }} {{ page }}</h1>
        {% for part in lesson_parts(item) %}{{ part.html|safe }}{% endfor %}
        {% endblock %}
    """)
    out = tmp_path / "out"
    result = invoke("build", str(course), "-f", "html", "-o", str(out))
    assert result.exit_code == 0, result.output
    page = (out / "course-html" / "lesson-welcome.html").read_text()
    assert '<h1 class="mine">WELCOME 004 lesson-welcome.html</h1>' in page


SCRIPTS_IN_TEMPLATES = [
    "<script>document.title = 'x'</script>",
    '<script src="player/extra.js"></script>',
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<iframe src="index.html"></iframe>',
    '<meta http-equiv="refresh" content="0; url=https://example.org">',
    '{{ ("<scr" ~ "ipt>alert(1)</scr" ~ "ipt>")|safe }}',
]


@pytest.mark.parametrize("markup", SCRIPTS_IN_TEMPLATES)
@pytest.mark.parametrize("template", ["lesson.html", "base.html"])
def test_a_theme_template_adds_no_script_to_the_pages(tmp_path, markup, template):
    course = course_copy(tmp_path)
    if template == "base.html":
        source = (REPO / "src" / "coursekit" / "player" / "templates" / "base.html").read_text()
        path = write_template(course, source.replace("<body", markup + "\n<body", 1), "base.html")
    else:
        path = write_template(course, '{% extends "base.html" %}\n{% block main %}\n<h1>x</h1>\n' + markup + '\n{% endblock %}\n')
    lines = path.read_text().splitlines()
    line = next((n for n, text in enumerate(lines, 1) if markup in text and "{{" not in markup), 1)
    out = tmp_path / "out"
    for command in (["check", str(course)], ["build", str(course), "-f", "html", "-f", "scorm12", "-o", str(out)]):
        result = invoke(*command)
        assert result.exit_code == 1, (command, result.output)
        assert f"theme/templates/{template}:{line}:1: error: the page " in result.output, result.output
        assert "would run code the player does not" in result.output
    assert not out.exists()
    # the author may opt in, as for raw HTML in lessons
    (course / "course.yml").write_text((course / "course.yml").read_text() + "allow_html: true\n")
    assert invoke("build", str(course), "-f", "html", "-o", str(out)).exit_code == 0


def test_a_theme_restyling_every_page_with_the_players_own_scripts_builds(tmp_path):
    """A copy of the player's base.html is no script of the author's: every format builds."""
    course = course_copy(tmp_path)
    source = (REPO / "src" / "coursekit" / "player" / "templates" / "base.html").read_text()
    write_template(course, source.replace("<body", '<link rel="stylesheet" href="player/mine.css">\n<body', 1), "base.html")
    (course / "theme" / "mine.css").write_text("body { margin: 0 }\n")
    out = tmp_path / "out"
    result = invoke("build", str(course), "-f", "html", "-f", "scorm12", "-f", "scorm2004", "-f", "xapi", "-f", "cmi5", "-o", str(out))
    assert result.exit_code == 0, result.output


def test_a_script_file_in_the_theme_is_refused(tmp_path):
    course = course_copy(tmp_path)
    (course / "theme").mkdir(exist_ok=True)
    (course / "theme" / "scorm12.js").write_text("alert(1)\n")
    result = invoke("check", str(course))
    assert result.exit_code == 1
    assert "theme/scorm12.js:1:1: error: a script file in the theme" in result.output


# --- 2. all or nothing ------------------------------------------------------------------------


FAILING = '''
from coursekit import Exporter, hookimpl

class Fails(Exporter):
    name = "fails"
    description = "fails after writing pages"

    def write_content(self, writer):
        writer.add("a.html", "a")
        raise ValueError("control character in the title")

class Unsafe(Exporter):
    name = "unsafe"
    description = "writes a Windows device name"

    def write_content(self, writer):
        writer.add("aux.html", "a")

@hookimpl
def register_exporters(register):
    register(Fails)
    register(Unsafe)
'''


@pytest.fixture
def plugins(tmp_path) -> Path:
    folder = tmp_path / "plugins"
    folder.mkdir()
    shutil.copy(PLUGINS / "throwaway_exporter.py", folder)
    (folder / "failing.py").write_text(FAILING, encoding="utf-8")
    return folder


@pytest.mark.parametrize("bad, message", [
    ("fails", "Error: the fails export of 'course' failed: ValueError: control character in the title; nothing was written"),
    ("unsafe", "Error: the unsafe export of 'course' failed: the package cannot be written: file name in package is a Windows device name (AUX)"),
])
@pytest.mark.parametrize("jobs", ["1", "3"])
def test_one_failing_format_writes_none_and_keeps_the_previous_outputs(tmp_path, plugins, bad, message, jobs):
    course = course_copy(tmp_path)
    out = tmp_path / "out"
    first = invoke("build", str(course), "-f", "throwaway", "-f", "throwaway2", "-o", str(out), plugins=plugins)
    assert first.exit_code == 0, first.output
    before = snapshot(out)
    (course / "lessons" / "00-welcome.md").write_text("---\ntitle: Changed\n---\nNew text.\n", encoding="utf-8")
    result = invoke("build", str(course), "-f", "throwaway", bad, "-f", "throwaway2", "-o", str(out),
                    "-j", jobs, plugins=plugins)
    result = invoke("build", str(course), "-f", "throwaway", "-f", bad, "-f", "throwaway2", "-o", str(out),
                    "-j", jobs, plugins=plugins)
    assert result.exit_code == 1
    assert message in result.output, result.output
    assert "Traceback" not in result.output
    assert snapshot(out) == before
    assert leftovers(out) == []


def test_a_failed_first_build_leaves_no_output_folder(tmp_path, plugins):
    course = course_copy(tmp_path)
    out = tmp_path / "new" / "out"
    result = invoke("build", str(course), "-f", "throwaway", "-f", "fails", "-o", str(out), plugins=plugins)
    assert result.exit_code == 1
    assert not (tmp_path / "new").exists()


def test_html_scorm_and_xapi_are_written_together(tmp_path):
    course = course_copy(tmp_path)
    out = tmp_path / "out"
    result = invoke("build", str(course), "-f", "html", "-f", "scorm12", "-f", "xapi", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["course-html", "course-scorm12.zip", "course-xapi.zip"]


def test_a_symlinked_output_is_refused_and_left_alone(tmp_path, plugins):
    course = course_copy(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere.zip"
    elsewhere.write_bytes(b"precious")
    (out / "course-throwaway.zip").symlink_to(elsewhere)
    result = invoke("build", str(course), "-f", "throwaway", "-o", str(out), plugins=plugins)
    assert result.exit_code == 1
    assert "is a symbolic link: coursekit does not replace links" in result.output
    assert elsewhere.read_bytes() == b"precious"
    assert (out / "course-throwaway.zip").is_symlink()
    assert leftovers(out) == []


def test_a_symlinked_site_folder_is_refused(tmp_path):
    course = course_copy(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    real = tmp_path / "real-site"
    real.mkdir()
    (real / "keep.txt").write_text("keep")
    (out / "course-html").symlink_to(real, target_is_directory=True)
    result = invoke("build", str(course), "-f", "html", "-o", str(out))
    assert result.exit_code == 1
    assert "symbolic link" in result.output
    assert sorted(p.name for p in real.iterdir()) == ["keep.txt"]
    assert leftovers(out) == []


def test_if_one_output_cannot_be_moved_in_those_moved_are_put_back(tmp_path, plugins, monkeypatch):
    import coursekit.build as build

    course = course_copy(tmp_path)
    out = tmp_path / "out"
    assert invoke("build", str(course), "-f", "throwaway", "-f", "throwaway2", "-o", str(out), plugins=plugins).exit_code == 0
    before = snapshot(out)
    (course / "lessons" / "00-welcome.md").write_text("---\ntitle: Changed\n---\nNew.\n", encoding="utf-8")
    real, calls = build.install, []

    def install(new, final):
        calls.append(final)
        if len(calls) == 2:
            raise PermissionError(13, "Permission denied", str(final))
        real(new, final)

    monkeypatch.setattr(build, "install", install)
    result = invoke("build", str(course), "-f", "throwaway", "-f", "throwaway2", "-o", str(out), plugins=plugins)
    assert result.exit_code == 1
    assert "Permission denied" in result.output and "nothing was written" in result.output
    assert snapshot(out) == before
    assert leftovers(out) == []


def test_a_killed_run_s_staging_folder_is_removed_by_the_next_build(tmp_path, plugins):
    course = course_copy(tmp_path)
    out = tmp_path / "out"
    stale = out / ".coursekit-build-999999999-abc"
    stale.mkdir(parents=True)
    (stale / "half.zip").write_bytes(b"x")
    assert invoke("build", str(course), "-f", "throwaway", "-o", str(out), plugins=plugins).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["course-throwaway.zip"]


# --- 3. swapping an output in place ---------------------------------------------------------------


def folder_with(path: Path, text: str) -> Path:
    path.mkdir()
    (path / "index.html").write_text(text)
    return path


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_install_replaces_a_folder_and_keeps_the_old_one_aside(tmp_path, monkeypatch, exchange):
    import coursekit.package as package

    if not exchange:
        monkeypatch.setattr(package, "_exchange", lambda a, b: False)
    target = folder_with(tmp_path / "site", "old")
    new = folder_with(tmp_path / ".site.tmp", "new")
    install(new, target)
    assert (target / "index.html").read_text() == "new"
    assert (new / "index.html").read_text() == "old"  # for the caller to remove or put back


def test_an_interruption_between_the_two_renames_keeps_the_previous_folder(tmp_path, monkeypatch):
    import coursekit.package as package

    monkeypatch.setattr(package, "_exchange", lambda a, b: False)
    target = folder_with(tmp_path / "site", "old")
    calls = []
    real_rename = os.rename

    def rename(a, b):
        calls.append((a, b))
        if len(calls) == 2:
            raise KeyboardInterrupt  # the signal lands between the two renames
        real_rename(a, b)

    monkeypatch.setattr(package.os, "rename", rename)
    writer = PackageWriter()
    writer.add("index.html", "new")
    with pytest.raises(KeyboardInterrupt):
        writer.write_dir(target)
    monkeypatch.undo()
    assert (target / "index.html").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_write_dir_and_write_zip_leave_no_temporary_names(tmp_path):
    writer = PackageWriter()
    writer.add("index.html", "x")
    writer.write_dir(tmp_path / "site")
    writer.write_dir(tmp_path / "site")
    writer.write_zip(tmp_path / "p.zip")
    writer.write_zip(tmp_path / "p.zip")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.zip", "site"]


def test_a_signal_inside_a_deferred_block_is_raised_after_it():
    previous = {s: signal.getsignal(s) for s in interrupts.SIGNALS}
    interrupts.install()
    try:
        reached = False
        with pytest.raises(interrupts.Interrupted) as caught:
            with interrupts.deferred():
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(0.05)
                reached = True
        assert reached
        assert caught.value.signum == signal.SIGTERM
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


# --- 3. real signals on a real build ---------------------------------------------------------------

ENV = {k: v for k, v in os.environ.items() if k not in ("COURSEKIT_LOAD_JOBS", "COURSEKIT_DEBUG", "COURSEKIT_PLUGINS_DIR")}
FORMATS = ("-f", "html", "-f", "scorm12", "-f", "xapi")


def children_of(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry))
    return found


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def start_build(course: Path, out: Path, *extra: str) -> subprocess.Popen:
    """A real ``coursekit build``. Its output goes to files, not pipes: a leftover child
    holding a pipe open would make waiting for the pipe wait for the child too, hiding it."""
    log = out.with_name(out.name + ".log")
    proc = subprocess.Popen([sys.executable, "-m", "coursekit.cli", "build", str(course), *FORMATS, "-o", str(out), *extra],
                            stdout=subprocess.DEVNULL, stderr=open(log, "w"), env=ENV)
    proc.stderr_path = log  # type: ignore[attr-defined]
    return proc


def finish(proc: subprocess.Popen, timeout: float) -> str:
    """Wait for the build process itself (not for its children) and return its stderr."""
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        pytest.fail(f"the build did not stop within {timeout} s")
    return Path(proc.stderr_path).read_text()  # type: ignore[attr-defined]


def wait_for_child(proc: subprocess.Popen) -> int:
    """The pid of the loader's forked child, once it exists."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        found = children_of(proc.pid)
        if found:
            return min(found)
        time.sleep(0.005)
    finish(proc, 60)
    pytest.fail("the loader never forked: the course is too small or forking is off")


def gone_soon(pid: int, seconds: float = 1.0) -> bool:
    deadline = time.monotonic() + seconds
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """A course big enough for the loader to fork, built once for its previous outputs."""
    root = tmp_path_factory.mktemp("big")
    course = synthetic.generate(root / "big", 500)
    previous = root / "previous"
    started = time.monotonic()
    proc = start_build(course, previous)
    err = finish(proc, 300)
    assert proc.returncode == 0, err
    (previous / "big-html" / "PREVIOUS").write_text("the run before")
    return course, previous, time.monotonic() - started


def outputs_state(out: Path, previous: dict[str, str]) -> str:
    """``previous`` or ``new``; fails if the folder is anything else (partial, mixed)."""
    now = snapshot(out)
    if now == previous:
        return "previous"
    names = sorted(p.name for p in out.iterdir())
    assert names == ["big-html", "big-scorm12.zip", "big-xapi.zip"], names
    assert not (out / "big-html" / "PREVIOUS").exists(), "a mix of previous and new outputs"
    for name in ("big-scorm12.zip", "big-xapi.zip"):
        with zipfile.ZipFile(out / name) as z:
            assert z.testzip() is None
    assert (out / "big-html" / "index.html").is_file()
    return "new"


@pytest.mark.parametrize("jobs", ["1"])
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=lambda s: signal.Signals(s).name)
@pytest.mark.parametrize("moment", [0.1, 0.3, 0.5, 0.7, 0.85, 0.95])
def test_a_signal_at_any_moment_leaves_the_previous_outputs_and_nothing_else(tmp_path, big, signum, moment, jobs):
    course, previous_dir, duration = big
    out = tmp_path / "out"
    shutil.copytree(previous_dir, out, symlinks=True)
    previous = snapshot(out)
    proc = start_build(course, out, "-j", jobs)
    seen_children: set[int] = set()
    deadline = time.monotonic() + duration * moment
    while time.monotonic() < deadline and proc.poll() is None:
        seen_children |= children_of(proc.pid)
        time.sleep(0.02)
    sent = proc.poll() is None
    if sent:
        proc.send_signal(signum)
    err = finish(proc, 20 if sent else 60)
    assert "Traceback" not in err
    assert not [pid for pid in seen_children if not gone_soon(pid)], "a forked loader child outlived the build"
    state = outputs_state(out, previous)
    if sent and proc.returncode != 0:
        assert proc.returncode == 1
        assert state == "previous" or "interrupted" in err
    assert leftovers(out) == []


@pytest.mark.parametrize("moment", [0.6, 0.8, 0.9])
def test_a_signal_during_parallel_builds_leaves_the_previous_outputs(tmp_path, big, moment):
    """``-j 3``: the formats build in threads; the signal lands in the main thread, which
    lets the running builds end before removing their staging folder."""
    test_a_signal_at_any_moment_leaves_the_previous_outputs_and_nothing_else(tmp_path, big, signal.SIGTERM, moment, "3")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=lambda s: signal.Signals(s).name)
def test_a_signal_while_the_loader_child_runs_ends_the_child_too(tmp_path, big, signum):
    course, _, _ = big
    out = tmp_path / "out"
    proc = start_build(course, out)
    child = wait_for_child(proc)
    proc.send_signal(signum)  # to the parent only, as `kill -INT PID` does
    err = finish(proc, 10)
    assert proc.returncode == 1, err
    assert "interrupted by" in err and "Traceback" not in err
    assert gone_soon(child, 0.5), "the loader child kept running after its parent stopped"
    assert not out.exists() or leftovers(out) == [] and not list(out.iterdir())


def test_the_loader_child_dies_when_its_parent_is_killed(tmp_path, big):
    course, _, _ = big
    proc = start_build(course, tmp_path / "out")
    child = wait_for_child(proc)
    proc.kill()  # SIGKILL: no handler runs in the parent
    proc.wait(10)
    assert gone_soon(child, 0.5), "PR_SET_PDEATHSIG should have killed the child with its parent"


# --- 4. package entry names ---------------------------------------------------------------------


@pytest.mark.parametrize("name", [
    "aux.png", "assets/com1.pdf", "nul.txt", "CON", "LPT1.x", "assets/Aux.tar.gz", "notes.", "notes ",
    "a<b.html", "a>b", 'a"b', "a|b", "a?b", "a*b", "a\\b", "a:b", "a\x01b", "a\x7fb", "a/../b", "/abs",
])
def test_the_package_writer_refuses_names_some_system_cannot_create(name):
    with pytest.raises(PackageError):
        PackageWriter().add(name, b"x")


@pytest.mark.parametrize("first, second", [
    ("lesson-Intro.html", "lesson-intro.html"),
    ("Assets/a.png", "assets/b.png"),
    ("assets", "assets/a.png"),
    ("assets/a.png", "assets"),
])
def test_the_package_writer_refuses_names_that_collide_on_windows_and_macos(first, second):
    writer = PackageWriter()
    writer.add(first, b"x")
    with pytest.raises(PackageError):
        writer.add(second, b"y")


def test_replacing_a_file_under_the_same_name_is_still_allowed():
    writer = PackageWriter()
    writer.add("index.html", b"x")
    writer.add("index.html", b"y")
    assert writer.read("index.html") == b"y"


def test_ids_differing_only_in_case_are_a_positioned_error(tmp_path):
    course = course_copy(tmp_path)
    (course / "lessons" / "01-website.md").write_text("---\ntitle: Website\nid: Intro\n---\nText.\n", encoding="utf-8")
    (course / "lessons" / "00-welcome.md").write_text("---\ntitle: Welcome\nid: intro\n---\nText.\n", encoding="utf-8")
    result = invoke("check", str(course))
    assert result.exit_code == 1
    assert "lessons/01-website.md:3:5: error: lesson id 'Intro' differs from the lesson id 'intro'" in result.output, result.output


def test_asset_names_become_safe_on_every_system(tmp_path):
    course = course_copy(tmp_path)
    assets = course / "assets"
    names = ["aux.png", "CON.pdf", "lpt1.txt", "dot.", unicodedata.normalize("NFC", "été.png"),
             unicodedata.normalize("NFD", "été.png"), "Été.png"]
    for name in names:
        (assets / name).write_bytes(b"\x89PNG")
    links = " ".join(f"[{i}](../assets/{name.replace(' ', '%20')})" for i, name in enumerate(names))
    lesson = course / "lessons" / "00-welcome.md"
    lesson.write_text(lesson.read_text() + "\n\n" + links + "\n", encoding="utf-8")
    loaded, problems = read_course(course)
    assert loaded is not None, problems
    hrefs = sorted(a.href for a in loaded.assets)
    for href in hrefs:
        last = href.rsplit("/", 1)[1]
        assert last.split(".")[0] not in ("aux", "con", "lpt1") and not last.endswith(".")
    assert len({h.lower() for h in hrefs}) == len(hrefs)
    assert {"assets/aux_.png", "assets/con_.pdf", "assets/lpt1_.txt", "assets/dot"} <= set(hrefs)
    out = tmp_path / "out"
    assert invoke("build", str(course), "-f", "scorm12", "-o", str(out)).exit_code == 0


# --- 6. scripts in SVG and HTML assets ----------------------------------------------------------

SVG_CASES = [
    ('<svg xmlns="http://www.w3.org/2000/svg">\n<script>alert(1)</script>\n</svg>', 2, "<script> element"),
    ('<svg xmlns="http://www.w3.org/2000/svg">\n<rect onload="alert(1)"/>\n</svg>', 2, "event handler onload="),
    ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">\n<a x:href="jav&#x09;ascript:alert(1)"/>\n</svg>', 2, "script URL"),
    ('<svg xmlns="http://www.w3.org/2000/svg">\n<foreignObject><body xmlns="http://www.w3.org/1999/xhtml"/></foreignObject>\n</svg>', 2, "<foreignObject> element"),
    ('<svg xmlns="http://www.w3.org/2000/svg">\n<image href="https://tracker.example/p.png"/>\n</svg>', 2, "external reference"),
    ('<svg xmlns="http://www.w3.org/2000/svg">\n<set attributeName="href" to="javascript:alert(1)"/>\n</svg>', 2, "script URL"),
    ('<!DOCTYPE svg [<!ENTITY s "&lt;script&gt;">]>\n<svg xmlns="http://www.w3.org/2000/svg">&s;</svg>', 1, "declares entities"),
    ('<svg xmlns="http://www.w3.org/2000/svg">\n<style>@import url(https://x.example/a.css);</style>\n</svg>', 2, "CSS"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><unclosed>', 1, "not well-formed"),
]


@pytest.mark.parametrize("content, line, message", SVG_CASES)
def test_an_svg_with_a_script_is_a_positioned_error_unless_allow_html(tmp_path, content, line, message):
    course = course_copy(tmp_path)
    (course / "assets" / "diagram.svg").write_text(content, encoding="utf-8")
    lesson = course / "lessons" / "00-welcome.md"
    lesson.write_text(lesson.read_text() + "\n\nSee [the diagram](../assets/diagram.svg).\n", encoding="utf-8")
    result = invoke("check", str(course))
    assert result.exit_code == 1
    assert f"assets/diagram.svg:{line}:1: error: " in result.output and message in result.output, result.output
    yml = course / "course.yml"
    yml.write_text(yml.read_text() + "allow_html: true\n", encoding="utf-8")
    assert invoke("check", str(course)).exit_code == 0


@pytest.mark.parametrize("name, content", [
    ("handout.html", "<p>Hello</p>\n<img src=x onerror=alert(1)>"),
    ("handout.htm", "<p>Hello</p>\n<SCRIPT>alert(1)</SCRIPT>"),
    ("handout.xhtml", '<html xmlns="http://www.w3.org/1999/xhtml"><body>\n<script>alert(1)</script></body></html>'),
    ("page.xml", '<doc>\n<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script></doc>'),
    ("handout.html", '<p>Hello</p>\n<a href="&#106;avascript:alert(1)">x</a>'),
    ("handout.html", '<p>Hello</p>\n<iframe src="https://example.org"></iframe>'),
    ("notes", "<html>\n<script>alert(1)</script>"),
])
def test_an_html_asset_with_a_script_is_a_positioned_error(tmp_path, name, content):
    course = course_copy(tmp_path)
    (course / "assets" / name).write_text(content, encoding="utf-8")
    lesson = course / "lessons" / "00-welcome.md"
    lesson.write_text(lesson.read_text() + f"\n\nSee [the handout](../assets/{name}).\n", encoding="utf-8")
    result = invoke("check", str(course))
    assert result.exit_code == 1
    assert f"assets/{name}:2:1: error: " in result.output, result.output


def test_plain_svg_and_html_assets_pass(tmp_path):
    course = course_copy(tmp_path)
    (course / "assets" / "d.svg").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><defs><g id="a"/></defs>'
        '<use xlink:href="#a"/><a xlink:href="https://example.org"><text>link</text></a></svg>', encoding="utf-8")
    (course / "assets" / "h.html").write_text('<!doctype html><meta charset="utf-8"><p>A handout, about the online store.</p>', encoding="utf-8")
    lesson = course / "lessons" / "00-welcome.md"
    lesson.write_text(lesson.read_text() + "\n\n[d](../assets/d.svg) [h](../assets/h.html)\n", encoding="utf-8")
    result = invoke("check", str(course))
    assert result.exit_code == 0, result.output


def test_a_theme_svg_with_a_script_is_refused_too(tmp_path):
    course = course_copy(tmp_path)
    (course / "theme").mkdir()
    (course / "theme" / "icon.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', encoding="utf-8")
    result = invoke("check", str(course))
    assert result.exit_code == 1
    assert "theme/icon.svg:1:1: error: an event handler onload=" in result.output


def link_asset(course: Path, name: str, data: bytes) -> None:
    target = course / "assets" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    lesson = course / "lessons" / "00-welcome.md"
    lesson.write_text(lesson.read_text() + f"\n\nSee [the file](../assets/{name}).\n", encoding="utf-8")


def test_a_compressed_svg_with_a_script_is_refused(tmp_path):
    import gzip

    course = course_copy(tmp_path)
    link_asset(course, "d.svgz", gzip.compress(b'<svg xmlns="http://www.w3.org/2000/svg">\n<script>alert(1)</script></svg>'))
    result = invoke("check", str(course))
    assert result.exit_code == 1
    assert "assets/d.svgz:2:1: error: a <script> element" in result.output, result.output


def test_a_utf16_html_asset_with_a_script_is_refused(tmp_path):
    course = course_copy(tmp_path)
    link_asset(course, "h.html", "<p>hi</p>\n<script>alert(1)</script>".encode("utf-16"))
    result = invoke("check", str(course))
    assert result.exit_code == 1
    assert "assets/h.html:2:1: error: active content" in result.output, result.output


def test_an_id_too_long_for_a_file_name_is_a_positioned_error(tmp_path):
    course = course_copy(tmp_path)
    (course / "lessons" / "00-welcome.md").write_text(f"---\ntitle: W\nid: {'a' * 150}\n---\nText.\n", encoding="utf-8")
    result = invoke("check", str(course))
    assert result.exit_code == 1
    assert "lessons/00-welcome.md:3:5: error: lesson id is 150 characters long" in result.output, result.output


def test_an_asset_path_too_long_for_windows_is_a_positioned_error(tmp_path):
    course = course_copy(tmp_path)
    deep = "/".join(["folder-with-a-long-name"] * 8) + "/chart.png"
    link_asset(course, deep, b"\x89PNG")
    result = invoke("check", str(course))
    assert result.exit_code == 1
    assert f"assets/{deep}:1:1: error: this file would be shipped as a path of" in result.output, result.output
