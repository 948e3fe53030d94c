"""Helpers for testing exporter plugins with pytest::

    from coursekit.testing import sample_course, build, read_zip

    def test_my_format(tmp_path):
        course = sample_course(tmp_path / "course")
        package = build(MyExporter, course, tmp_path / "out")
        files = read_zip(package)
        assert "index.html" in files

``sample_course`` writes and loads a small course using every feature of the source
format (seven question types, an inline question, modules, an asset whose name needs
folding), so an exporter is exercised on all of them.
"""

from __future__ import annotations

import textwrap
import zipfile
from pathlib import Path
from typing import Mapping

from .loader import load_course
from .model import Course

SAMPLE_FILES: Mapping[str, str] = {
    "course.yml": """\
        title: Sample course
        id: https://example.org/courses/sample
        language: en
        description: A course that uses **every** feature of the format.
        version: 1.0.0
        authors: [{name: Ada Author, email: ada@example.org}]
        keywords: [sample, test]
        duration: PT30M
        objectives: [Know every question type]
        passing_score: 70
        structure:
          - lessons/01-intro.md
          - module: Practice
            id: practice
            items:
              - lessons/02-details.md
              - quizzes/check.yml
          - quizzes/final.yml
        """,
    "lessons/01-intro.md": """\
        ---
        title: Introduction
        duration: PT5M
        objectives: [Start]
        ---
        ## Why

        Read this, see ![a chart of temperatures](../assets/Fridge%20temps.png).

        ::: tip
        A tip.
        :::

        ```question
        type: true-false
        prompt: Is this an inline question?
        answer: true
        explanation: It is shown inside the lesson.
        ```
        """,
    "lessons/02-details.md": """\
        # Details

        | a | b |
        |---|---|
        | 1 | ~~2~~ |

        A footnote.[^1]

        [^1]: The note.
        """,
    "quizzes/check.yml": """\
        title: Check
        questions:
          - type: single
            prompt: Pick the right one.
            choices:
              - {text: Right, correct: true, feedback: Yes.}
              - {text: Wrong, feedback: No.}
          - type: multiple
            prompt: Pick both right ones.
            choices:
              - {text: Right 1, correct: true}
              - {text: Right 2, correct: true}
              - {text: Wrong}
          - type: true-false
            prompt: True?
            answer: false
        """,
    "quizzes/final.yml": """\
        title: Final quiz
        id: final
        passing_score: 60
        weight: 2
        questions:
          - type: fill-in
            prompt: The capital of France?
            answers: [Paris]
          - type: numeric
            prompt: Days to withdraw from a distance sale?
            answer: 14
            tolerance: 0
            points: 2
          - type: matching
            prompt: Match them.
            pairs: [[Hosting, recurring], [Logo, one-off]]
          - type: ordering
            prompt: Order them.
            items: [First, Second, Third]
            feedback: {correct: Well done., incorrect: Not quite.}
        """,
}


def write_course(folder: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write ``files`` (path -> text, dedented, or bytes) into ``folder``; returns it."""
    folder = Path(folder)
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return folder


def sample_course(folder: Path, files: Mapping[str, str | bytes] | None = None) -> Course:
    """Write the sample course into ``folder`` and load it; ``files`` (path -> content)
    replace or add files first, e.g. ``{"lessons/02-details.md": "# Other"}``."""
    content: dict[str, str | bytes] = dict(SAMPLE_FILES)
    content["assets/Fridge temps.png"] = b"\x89PNG\r\n\x1a\n"
    content.update(files or {})
    return load_course(write_course(folder, content))


def build(exporter_cls, course: Course, out_dir: Path, options: Mapping | None = None) -> Path:
    """Run ``exporter_cls`` on ``course`` into ``out_dir``; returns the written path."""
    return exporter_cls(course, options).build(Path(out_dir))


def read_zip(path: Path) -> dict[str, bytes]:
    """Every entry of a zip, by name."""
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}
