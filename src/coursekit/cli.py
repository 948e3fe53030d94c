"""The ``coursekit`` command line. Thin: heavy modules are imported inside commands, so
``coursekit --help`` stays fast. Every failure is a message, never a traceback
(``--debug`` shows it)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click


class _State:
    debug = False
    plugins_dir: str | None = None
    commands_loaded = False
    _pm = None

    def plugin_manager(self):
        if self._pm is None:
            from .plugins import PluginError, make_plugin_manager

            try:
                self._pm = make_plugin_manager(self.plugins_dir)
            except PluginError as exc:
                raise click.ClickException(str(exc)) from exc
        return self._pm


class _Group(click.Group):
    """Adds the commands plugins register, and turns exceptions into messages."""

    def _plugin_commands(self, ctx) -> None:
        # once per invocation (the state lives on the root context), not once per process:
        # a second invocation in the same process may name another plugins folder
        state = _state(ctx)
        if state.commands_loaded:
            return
        state.commands_loaded = True
        # commands are resolved before the group's callback runs: take --plugins-dir (or
        # COURSEKIT_PLUGINS_DIR) from the parsed parameters, else from the raw args (--help)
        if state.plugins_dir is None:
            state.plugins_dir = ctx.params.get("plugins_dir") or None
        if state.plugins_dir is None:
            args = sys.argv[1:]
            for i, arg in enumerate(args):
                if arg == "--plugins-dir" and i + 1 < len(args):
                    state.plugins_dir = args[i + 1]
                elif arg.startswith("--plugins-dir="):
                    state.plugins_dir = arg.split("=", 1)[1]
        try:
            state.plugin_manager().hook.register_commands(cli=self)
        except click.ClickException:
            raise
        except Exception:  # a broken plugin must not take the built-in commands down
            if state.debug:
                raise

    def list_commands(self, ctx):
        self._plugin_commands(ctx)
        return super().list_commands(ctx)

    def get_command(self, ctx, name):
        command = super().get_command(ctx, name)
        if command is None:
            self._plugin_commands(ctx)
            command = super().get_command(ctx, name)
        return command

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            if _state(ctx).debug or os.environ.get("COURSEKIT_DEBUG"):
                raise
            # a bug (ours or a plugin's), never the course's fault: said so, without a traceback
            raise click.ClickException(
                f"unexpected {type(exc).__name__} in {ctx.invoked_subcommand or 'coursekit'}: {exc} (run with --debug for details)"
            ) from exc


def _state(ctx) -> _State:
    root = ctx.find_root()
    if not isinstance(root.obj, _State):
        root.obj = _State()
    return root.obj


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="coursekit")
@click.option("--plugins-dir", type=click.Path(file_okay=False), envvar="COURSEKIT_PLUGINS_DIR",
              help="Folder of single-file plugins (*.py) to load. Env: COURSEKIT_PLUGINS_DIR.")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of short messages.")
@click.pass_context
def cli(ctx, plugins_dir, debug):
    """Write a course once as plain text; export it to SCORM, xAPI, cmi5 and HTML.

    \b
      coursekit check courses/my-course
      coursekit build courses/my-course -f scorm12 -f html
      coursekit formats
    """
    state = _state(ctx)
    state.debug = debug
    if plugins_dir:
        state.plugins_dir = plugins_dir


def _report(problems, strict: bool, err: bool = True) -> tuple[int, int]:
    errors = sum(p.is_error or strict for p in problems)
    for problem in problems:
        color = "red" if problem.is_error else "yellow"
        click.secho(str(problem), fg=color, err=err)
    return errors, len(problems) - sum(p.is_error for p in problems)


def _load_all(ctx, course_dirs, strict: bool):
    """Load every course; report problems with the course folder prefixed. Returns
    ``(courses, failed)``."""
    from .loader import read_course

    pm = _state(ctx).plugin_manager()
    courses, failed = [], False
    for course_dir in course_dirs:
        course, problems = read_course(course_dir, plugin_manager=pm)
        prefix = Path(course_dir)
        for problem in problems:
            shown = problem if problem.path.startswith(str(prefix)) else problem.__class__(
                str(prefix / problem.path) if len(course_dirs) > 1 else problem.path,
                problem.line, problem.column, problem.severity, problem.message)
            click.secho(str(shown), fg="red" if problem.is_error else "yellow", err=True)
        n_errors = sum(p.is_error for p in problems)
        n_warnings = len(problems) - n_errors
        if course is None or (strict and n_warnings):
            failed = True
            why = f"{n_errors} error(s)" + (f", {n_warnings} warning(s) (--strict)" if strict and n_warnings else "")
            click.secho(f"{course_dir}: {why}", fg="red", err=True)
        else:
            courses.append(course)
    return courses, failed


@cli.command()
@click.argument("course_dirs", nargs=-1, required=True, type=click.Path())
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.pass_context
def check(ctx, course_dirs, strict):
    """Check courses: every problem, with its file:line:column."""
    courses, failed = _load_all(ctx, course_dirs, strict)
    rendered = []
    for course in courses:
        problems = _theme_render_problems(course)
        for problem in problems:
            click.secho(str(problem), fg="red", err=True)
        if problems:
            failed = True
            click.secho(f"{course.slug}: {len(problems)} error(s)", fg="red", err=True)
        else:
            rendered.append(course)
    for course in rendered:
        n_items = len(course.items)
        click.echo(f"{course.slug}: ok ({len(course.lessons)} lessons, {len(course.quizzes)} quizzes, "
                   f"{sum(len(q.questions) for q in course.quizzes)} questions, {n_items} items)")
    if failed:
        ctx.exit(1)


def _theme_render_problems(course) -> list:
    """A course with its own templates: render every page once, as a build would, so that
    ``check`` reports what only rendering finds (an undefined name, a sandbox refusal, a loop)."""
    if not any(name.startswith("templates/") for name in course.theme.overrides):
        return []
    from .diagnostics import CourseError
    from .player import Site

    try:
        site = Site(course)
        site.files()
        site.shell(adapter="check")
    except CourseError as exc:
        return list(exc.problems)
    return []


@cli.command()
@click.argument("course_dirs", nargs=-1, required=True, type=click.Path())
@click.option("-f", "--format", "formats", multiple=True, metavar="FORMAT",
              help="Format to build (repeatable). Default: those under 'exports' in course.yml, else all.")
@click.option("-o", "--output", "out_dir", default="exports", show_default=True, type=click.Path(),
              help="Output folder.")
@click.option("-j", "--jobs", default=1, show_default=True, type=click.IntRange(1, 64), help="Builds run in parallel.")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.pass_context
def build(ctx, course_dirs, formats, out_dir, jobs, strict):
    """Build courses into OUT_DIR: <slug>-<format>.zip, or <slug>-html/ for the site."""
    from .plugins import exporters

    pm = _state(ctx).plugin_manager()
    available = exporters(pm)
    unknown = [f for f in formats if f not in available]
    if unknown:
        from .diagnostics import did_you_mean

        names = ", ".join(available) or "none"
        raise click.ClickException(
            f"unknown format '{unknown[0]}'{did_you_mean(unknown[0], available)}; installed: {names}")
    if os.path.lexists(out_dir) and not os.path.isdir(out_dir):
        raise click.ClickException(f"the output folder {out_dir} is a file: choose another folder (-o)")
    courses, failed = _load_all(ctx, course_dirs, strict)
    if failed:
        raise click.ClickException("nothing was written: fix the errors above")
    jobs_list = []
    for course in courses:
        wanted = formats or tuple(f for f in course.export_formats if f in available) or tuple(available)
        jobs_list.extend((course, available[name]) for name in wanted)
    if not jobs_list:
        raise click.ClickException("no export format is installed")
    from .build import BuildError, run_builds
    from .diagnostics import CourseError
    from .package import PackageError

    try:
        paths = run_builds(jobs_list, Path(out_dir), jobs=jobs)
    except CourseError as exc:  # a problem with a position found while rendering (a theme template)
        if _state(ctx).debug:
            raise
        for problem in exc.problems:
            click.secho(str(problem), fg="red" if problem.is_error else "yellow", err=True)
        raise click.ClickException("nothing was written: fix the errors above") from exc
    except (BuildError, PackageError) as exc:
        if _state(ctx).debug or os.environ.get("COURSEKIT_DEBUG"):
            raise
        raise click.ClickException(f"{exc}; nothing was written (run with --debug for details)") from exc
    except OSError as exc:
        if _state(ctx).debug or os.environ.get("COURSEKIT_DEBUG"):
            raise
        where = f" ({exc.filename})" if exc.filename else ""
        raise click.ClickException(f"cannot write to {out_dir}: {exc.strerror or exc}{where}; nothing was written") from exc
    for path in paths:
        click.echo(f"wrote {path}")


@cli.command()
@click.pass_context
def formats(ctx):
    """List installed export formats."""
    from .plugins import exporters

    found = exporters(_state(ctx).plugin_manager())
    if not found:
        click.echo("no export format installed")
    width = max((len(n) for n in found), default=0)
    for name, cls in found.items():
        click.echo(f"{name.ljust(width)}  {cls.description}")


@cli.command()
@click.argument("directory", type=click.Path())
@click.option("--title", default=None, help="Course title (default: from the folder name).")
@click.option("--language", default="en", show_default=True, help="BCP 47 language tag.")
def new(directory, title, language):
    """Create a new course folder that passes `check --strict`."""
    from .scaffold import scaffold

    try:
        path = scaffold(Path(directory), title=title, language=language)
    except FileExistsError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"created {path}: try `coursekit check {path}` then `coursekit build {path}`")


def main() -> None:
    from . import children, interrupts

    interrupts.install()
    try:
        cli(prog_name="coursekit")
    except interrupts.Interrupted as exc:
        # every ``finally`` on the way here removed its temporary files
        click.echo(f"Error: interrupted by {exc}: outputs left as they were before this run", err=True)
        sys.exit(1)
    finally:
        children.reap()
        interrupts.hold()


if __name__ == "__main__":  # pragma: no cover
    main()
