"""Running exports: one course and format per job, optionally in parallel, with a
progress bar when there is more than one.

A run is all or nothing: every format is built into a staging folder inside the output
folder, and only when all of them succeeded are they moved into place, each replacing its
previous output in one step. A failure or a stop signal leaves the previous outputs as
they were, and no staging folder behind.
"""

from __future__ import annotations

import os
import re
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Sequence

from .diagnostics import CourseError
from .interrupts import deferred
from .package import PackageError, install, refuse_link, remove

#: the staging folder of a run: ``.coursekit-build-<pid>-<random>``
STAGING_PREFIX = ".coursekit-build-"
_STAGING = re.compile(re.escape(STAGING_PREFIX) + r"(\d+)-")


class BuildError(Exception):
    """One export failed; nothing of the run was put in place."""

    def __init__(self, fmt: str, course_slug: str, why: str):
        self.format = fmt
        self.course_slug = course_slug
        super().__init__(f"the {fmt} export of '{course_slug}' failed: {why}")


def build_one(course, exporter_cls, out_dir: Path) -> Path:
    """Build one format; every failure becomes a ``BuildError`` naming it (a course error
    with a position, such as a theme template's, stays a ``CourseError``)."""
    fmt = getattr(exporter_cls, "name", "") or exporter_cls.__name__
    try:
        return exporter_cls(course).build(out_dir)
    except CourseError:
        raise
    except PackageError as exc:
        raise BuildError(fmt, course.slug, f"the package cannot be written: {exc}") from exc
    except RecursionError as exc:
        raise BuildError(fmt, course.slug, "too deeply nested (recursion limit reached)") from exc
    except MemoryError as exc:
        raise BuildError(fmt, course.slug, "out of memory") from exc
    except Exception as exc:
        raise BuildError(fmt, course.slug, f"{type(exc).__name__}: {exc}") from exc


def run_builds(tasks: Sequence, out_dir: Path, *, jobs: int = 1) -> list[Path]:
    """Build every ``(course, exporter_cls)`` pair; returns the written paths in job order."""
    out_dir = Path(out_dir)
    targets = [cls(course).output_path(out_dir) for course, cls in tasks]
    seen: dict[Path, int] = {}
    for i, target in enumerate(targets):
        if target in seen:
            raise BuildError(tasks[i][1].name, tasks[i][0].slug, f"another build of this run also writes {target}")
        seen[target] = i
        refuse_link(target)
    created = _make_dirs(out_dir)
    _remove_stale_staging(out_dir)
    stage: Path | None = None
    done = False
    try:
        stage = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=out_dir))
        staged = _build_all(tasks, stage, jobs)
        # an exporter overriding build() may have written elsewhere: that path is its own
        finals = [out_dir / path.name if path.parent == stage else path for path in staged]
        _install_all([(new, final) for new, final in zip(staged, finals) if new != final])
        done = True
        return finals
    finally:
        with deferred():
            if stage is not None:
                remove(stage)  # the previous outputs moved there, or a failed run's files
            if not done:
                for folder in reversed(created):
                    try:
                        folder.rmdir()  # only if still empty: it was created for this run
                    except OSError:
                        break


def _build_all(tasks: Sequence, stage: Path, jobs: int) -> list[Path]:
    if len(tasks) == 1:
        return [build_one(*tasks[0], stage)]
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    # stderr: stdout carries only the written paths, for scripts to read
    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
        bar = progress.add_task("building", total=len(tasks))
        if jobs <= 1:  # in this thread: a stop signal interrupts the build itself
            results = []
            for course, cls in tasks:
                results.append(build_one(course, cls, stage))
                progress.advance(bar)
            return results
        # Threads, not processes: the model is shared without pickling, and zlib and file
        # writes release the GIL, which is where a build spends its time.
        pool = ThreadPoolExecutor(max_workers=jobs)
        try:
            futures = [pool.submit(build_one, course, cls, stage) for course, cls in tasks]
            results = []
            for future in futures:
                results.append(future.result())
                progress.advance(bar)
            return results
        finally:
            # on a failure or a signal: start nothing more, and let running builds end
            # before their staging folder is removed
            pool.shutdown(wait=True, cancel_futures=True)


def _install_all(pairs: list[tuple[Path, Path]]) -> None:
    """Move every staged output into place, with stop signals held; if one cannot be moved,
    those already moved are put back, so the previous outputs stay together."""
    moved: list[tuple[Path, Path, bool]] = []
    with deferred():
        try:
            for new, final in pairs:
                existed = os.path.lexists(final)
                install(new, final)
                moved.append((new, final, existed))
        except BaseException:
            for new, final, existed in reversed(moved):
                try:
                    if existed:
                        install(new, final)  # ``new`` holds the previous output
                    else:
                        os.rename(final, new)
                except OSError:
                    pass
            raise


def _make_dirs(folder: Path) -> list[Path]:
    """Create ``folder`` and missing parents; returns those created, outermost first."""
    missing = []
    probe = folder
    while not os.path.lexists(probe) and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    folder.mkdir(parents=True, exist_ok=True)
    return list(reversed(missing))


def _remove_stale_staging(out_dir: Path) -> None:
    """Staging folders of runs killed outright (SIGKILL, power cut): their process is gone."""
    try:
        names = os.listdir(out_dir)
    except OSError:
        return
    for name in names:
        match = _STAGING.match(name)
        if not match or int(match.group(1)) == os.getpid():
            continue
        try:
            os.kill(int(match.group(1)), 0)
        except ProcessLookupError:
            remove(out_dir / name)
        except (PermissionError, OverflowError):
            pass
