"""coursekit: write a course once as plain text, export it to every LMS format.

The public API for plugin authors::

    from coursekit import hookimpl, Exporter, Option, Problem, load_course

Everything but ``hookimpl`` is imported on first use, so ``import coursekit`` (and
``coursekit --help``) stays fast.
"""

__version__ = "0.1.0"

from .hookspecs import hookimpl  # noqa: E402  (pluggy only)

_LAZY = {
    "Exporter": "coursekit.exporter",
    "Option": "coursekit.exporter",
    "PackageWriter": "coursekit.package",
    "Problem": "coursekit.diagnostics",
    "CourseError": "coursekit.diagnostics",
    "load_course": "coursekit.loader",
    "read_course": "coursekit.loader",
}

__all__ = ["hookimpl", "__version__", *_LAZY]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'coursekit' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
