"""Running exports: one course and format per job, optionally in parallel, with a
progress bar when there is more than one."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Sequence


def build_one(course, exporter_cls, out_dir: Path) -> Path:
    return exporter_cls(course).build(out_dir)


def run_builds(tasks: Sequence, out_dir: Path, *, jobs: int = 1) -> list[Path]:
    """Build every ``(course, exporter_cls)`` pair; returns the written paths in job order."""
    if len(tasks) == 1:
        return [build_one(*tasks[0], out_dir)]
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    results: list[Path | None] = [None] * len(tasks)
    # stderr: stdout carries only the written paths, for scripts to read
    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task("building", total=len(tasks))
        # Threads, not processes: the model is shared without pickling, and zlib and file
        # writes release the GIL, which is where a build spends its time.
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures = {pool.submit(build_one, course, cls, out_dir): i for i, (course, cls) in enumerate(tasks)}
            for future in futures:
                results[futures[future]] = future.result()
                progress.advance(task)
    return results
