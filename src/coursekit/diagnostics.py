"""Problems found in a course, each carrying its own position.

The loader and every check collect problems instead of raising, so that one run
reports everything at once, as ``path:line:column: severity: message``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Iterable

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    path: str
    line: int
    column: int
    severity: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.severity}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


class Diagnostics:
    """An ordered collection of problems, filled by the loader and by checks."""

    def __init__(self) -> None:
        self._problems: list[Problem] = []
        #: how many errors were recorded so far (cheap to compare before and after a step)
        self.error_count = 0

    def add(self, severity: str, pos, message: str) -> None:
        """Record a problem at ``pos`` (anything with ``path``, ``line`` and ``column``)."""
        self._problems.append(Problem(pos.path, pos.line, pos.column, severity, message))
        if severity == ERROR:
            self.error_count += 1

    def error(self, pos, message: str) -> None:
        self.add(ERROR, pos, message)

    def warning(self, pos, message: str) -> None:
        self.add(WARNING, pos, message)

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self._problems.append(problem)
            self.error_count += problem.is_error

    @property
    def problems(self) -> list[Problem]:
        """Problems sorted by file and position, duplicates removed."""
        return sorted(set(self._problems), key=lambda p: (p.path, p.line, p.column, p.message))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    def __bool__(self) -> bool:
        return bool(self._problems)


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """`` (did you mean 'title'?)`` when a known word is close to ``word``, else ``""``."""
    match = difflib.get_close_matches(str(word), sorted(known), n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


def cut(text, width: int = 80) -> str:
    """Text an author wrote, cut for a message (a key or a type can be megabytes long)."""
    text = str(text)
    return text if len(text) <= width else text[: width - 3] + "..."


def shown(value, width: int = 60) -> str:
    """A value as a message may show it: a list or a mapping is named, not printed
    (an aliased YAML value can repeat itself thousands of times), text is cut."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    try:
        text = repr(value)
    except ValueError:  # an int past Python's digit limit
        return "a number too long to show"
    return text if len(text) <= width else text[: width - 4] + "...'"


class CourseError(Exception):
    """Loading or checking found errors; ``problems`` holds every one of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
