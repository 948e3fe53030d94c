"""Course folder -> one immutable ``Course``, with every problem reported at its position.

``load_course(path)`` returns the course or raises ``CourseError`` holding every problem
found (errors and warnings); ``read_course(path)`` returns ``(course_or_None, problems)``
for callers that want warnings of a clean course too (``coursekit check``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from ..diagnostics import CourseError, Diagnostics, Problem, shown
from ..model import Course, SourcePos
from .course import COURSE_FILE, CourseLoader
from .structure import INTERNAL_ERROR, PARALLEL_MIN_ITEMS

__all__ = ["load_course", "read_course", "COURSE_FILE", "PARALLEL_MIN_ITEMS"]


def load_course(path, *, plugin_manager=None, export_options: Mapping[str, Mapping] | None = None) -> Course:
    """Load the course folder at ``path``; raise ``CourseError`` if it has any error."""
    course, problems = read_course(path, plugin_manager=plugin_manager, export_options=export_options)
    if course is None:
        raise CourseError(problems)
    return course


def read_course(path, *, plugin_manager=None, export_options: Mapping[str, Mapping] | None = None):
    """``(course, problems)``; ``course`` is None when any problem is an error.

    ``plugin_manager`` contributes Markdown extensions and extra checks;
    ``export_options`` maps each installed format to its ``Exporter.options`` so that
    ``exports`` in course.yml is validated (both default to the installed plugins when
    a plugin manager is given).
    """
    root = Path(path)
    diags = Diagnostics()
    if export_options is None and plugin_manager is not None:
        from ..plugins import exporters

        export_options = {name: cls.options for name, cls in exporters(plugin_manager).items()}
    try:
        course = CourseLoader(root, diags, plugin_manager, export_options).load()
    except (Exception, RecursionError) as exc:  # noqa: BLE001 - last resort, as in load_item
        diags.error(SourcePos(COURSE_FILE, 1, 1), f"{INTERNAL_ERROR} ({type(exc).__name__}: {str(exc)[:200]})")
        course = None
    if course is not None and plugin_manager is not None and not diags.errors:
        for problems in plugin_manager.hook.extra_checks(course=course):
            for problem in problems or ():
                if not isinstance(problem, Problem):
                    raise TypeError(f"extra_checks must return Problem objects, got {shown(problem)}")
                diags.extend([problem])
    problems = diags.problems
    if any(p.is_error for p in problems):
        return None, problems
    return course, problems
