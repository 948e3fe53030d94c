"""The Exporter base class: the core owns the build loop, a subclass fills in steps.

The smallest exporter::

    class Notes(Exporter):
        name = "notes"
        description = "Every lesson as one text file"

        def write_content(self, writer):
            for lesson in self.course.lessons:
                writer.add(f"{lesson.id}.html", lesson.html)

``build()`` calls, in order: ``prepare()``, ``write_assets(writer)``,
``write_content(writer)``, ``finish(writer)``, then writes the package atomically.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar, Mapping

from .model import Course
from .package import PackageWriter


@dataclass(frozen=True)
class Option:
    """One option an exporter accepts under ``exports.<format>`` in course.yml."""

    default: Any = None
    #: allowed values, or None for any value of ``type``
    choices: tuple | None = None
    #: expected Python type (bool, int, str, float, list...), or None for any
    type: type | tuple | None = None
    help: str = ""

    def problem(self, value: Any) -> str | None:
        """Why ``value`` is not acceptable, or None."""
        if self.choices is not None and value not in self.choices:
            allowed = ", ".join(repr(c) for c in self.choices)
            return f"must be one of {allowed}, not {value!r}"
        if self.type is not None:
            # bool is an int in Python; an author writing `true` for a number is a mistake
            if isinstance(value, bool) and self.type is not bool and bool not in _as_tuple(self.type):
                return f"must be {_type_name(self.type)}, not {value!r}"
            if not isinstance(value, self.type):
                return f"must be {_type_name(self.type)}, not {value!r}"
        return None


def _as_tuple(t) -> tuple:
    return t if isinstance(t, tuple) else (t,)


def _type_name(t) -> str:
    names = {bool: "true or false", int: "a whole number", float: "a number", str: "text", list: "a list", dict: "a mapping"}
    return " or ".join(names.get(x, x.__name__) for x in _as_tuple(t))


class Exporter(abc.ABC):
    """Base class of every export format. Subclasses set the class attributes and
    implement ``write_content``; they never re-read source files: everything is in
    ``self.course``."""

    #: format name given to ``coursekit build -f``; also ends the output name
    name: ClassVar[str] = ""
    #: one line shown by ``coursekit formats``
    description: ClassVar[str] = ""
    #: ``"zip"`` writes ``<slug>-<name>.zip``, ``"dir"`` writes the folder ``<slug>-<name>/``
    output: ClassVar[str] = "zip"
    #: options accepted under ``exports.<name>`` in course.yml; the loader validates them
    options: ClassVar[Mapping[str, Option]] = MappingProxyType({})

    def __init__(self, course: Course, options: Mapping[str, Any] | None = None):
        self.course = course
        given = dict(options if options is not None else course.option(self.name))
        #: the options in force: defaults, overridden by course.yml
        self.settings: dict[str, Any] = {k: o.default for k, o in self.options.items()}
        self.settings.update(given)

    # --- the loop, owned by the core -------------------------------------------------------

    def output_path(self, out_dir: Path) -> Path:
        suffix = ".zip" if self.output == "zip" else ""
        return Path(out_dir) / f"{self.course.slug}-{self.name}{suffix}"

    def build(self, out_dir: Path) -> Path:
        """Run every step and write the result under ``out_dir``; returns its path."""
        writer = PackageWriter()
        self.prepare()
        self.write_assets(writer)
        self.write_content(writer)
        self.finish(writer)
        target = self.output_path(out_dir)
        if self.output == "zip":
            return writer.write_zip(target)
        return writer.write_dir(target)

    # --- the steps a subclass fills in ----------------------------------------------------

    def prepare(self) -> None:
        """Compute what the other steps share. Default: nothing."""

    def write_assets(self, writer: PackageWriter) -> None:
        """Copy the course's assets under their safe names. Default: all of them."""
        for asset in self.course.assets:
            writer.add(asset.href, asset.data)

    @abc.abstractmethod
    def write_content(self, writer: PackageWriter) -> None:
        """Add the format's own files (pages, manifest...) to ``writer``."""

    def finish(self, writer: PackageWriter) -> None:
        """Last step, when every file is known (a manifest listing them all). Default: nothing."""
