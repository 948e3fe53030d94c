"""Property: whatever a careless or hostile author does to a course (bytes inserted or
flipped, YAML keys dropped, renamed or retyped, Markdown cut and nested), the loader
either loads it or returns problems whose positions exist (a file of the course, line
and column >= 1) — it never raises and never reports the last-resort internal error.

Bounded (a few hundred examples, a deadline each) and derandomized, so CI runs the same
examples every time and in well under a minute.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coursekit.loader import read_course
from coursekit.loader.structure import INTERNAL_ERROR

COURSE = (
    "title: Food safety basics\n"
    "language: en\n"
    "passing_score: 70\n"
    "objectives: [Keep food cold]\n"
    "theme:\n  primary_color: \"#2a7ae2\"\n"
    "structure:\n"
    "  - lessons/01-intro.md\n"
    "  - module: Storage\n    id: storage\n    items:\n      - lessons/02-fridge.md\n      - quizzes/check.yml\n"
)
LESSON_1 = (
    "---\ntitle: Keep food cold\nduration: PT5M\nobjectives: [Name the right temperature]\n---\n"
    "Keep the fridge at **4 °C**. See [the fridge lesson](02-fridge.md#top).\n\n"
    "![A thermometer](../assets/thermometer.png)\n\n"
    "> A note\n> - with a list\n\n::: tip\nCheck daily.\n:::\n\n"
    "```question\ntype: true-false\nprompt: Is 8 °C fine?\nanswer: false\n```\n"
)
LESSON_2 = "# The fridge\n\n| shelf | food |\n|---|---|\n| top | dairy |\n\nA footnote[^1].\n\n[^1]: Cold air sinks.\n"
QUIZ = (
    "title: Check\npassing_score: 60\nweight: 2\nshuffle: true\ndescription: Five questions.\nquestions:\n"
    "  - type: single\n    prompt: Where?\n    points: 2\n    choices:\n"
    "      - {text: In the fridge, correct: true, feedback: Yes.}\n      - On the shelf\n"
    "  - type: numeric\n    prompt: How cold?\n    answer: 4\n    tolerance: 1\n"
    "  - type: fill-in\n    prompt: The appliance?\n    answers: [fridge, refrigerator]\n"
    "  - type: matching\n    prompt: Match.\n    pairs:\n      - [milk, top]\n      - [meat, bottom]\n"
    "  - type: ordering\n    prompt: Order.\n    items: [Buy, Store, Cook]\n"
    "    feedback: {correct: Right, incorrect: Not quite}\n"
)
FILES = {"course.yml": COURSE, "lessons/01-intro.md": LESSON_1, "lessons/02-fridge.md": LESSON_2, "quizzes/check.yml": QUIZ}
TEXT_FILES = sorted(FILES)

#: what YAML values may become: other types, hostile scalars, aliases and nesting
HOSTILE_VALUES = [
    "", "~", "null", "true", "[]", "{}", "[a, b]", "{a: 1}", ".inf", "-.inf", ".nan", "1e400", "0x" + "f" * 40,
    "9" * 5000, '"\\x01"', '"\\0"', '"\\ud800"', "&a [*a]", "*nowhere", "!!python/object:os.system x",
    "[" * 80 + "]" * 80, "|\n  block\n  text", "'unclosed", "- a\n- b", "-1", "0", "1.5", "2001-01-01",
]
MARKDOWN_SNIPPETS = [
    "> " * 40 + "deep", "- " * 40 + "deep", "[x](", "![](", "[x](../../../../etc/passwd)", "![a](/abs.png)",
    "![a](a%00b.png)", "[x](javascript:alert(1))", "<script>", "&#0;", "\\", "```", "```question\n", "---",
    "::: note", ":::", "[^1]", "| a |\n|---|", "# \x01", "\ufeff", "\r", "\x00",
]


def write(root: Path, files: dict) -> None:
    shutil.rmtree(root, ignore_errors=True)
    (root / "assets").mkdir(parents=True)
    (root / "assets" / "thermometer.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))


@st.composite
def mutated_course(draw):
    files = {rel: text.encode("utf-8") for rel, text in FILES.items()}
    for _ in range(draw(st.integers(1, 4))):
        rel = draw(st.sampled_from(TEXT_FILES))
        data = files[rel]
        kind = draw(st.sampled_from(["insert", "flip", "delete", "value", "key", "markdown", "line"]))
        lines = data.split(b"\n")
        if kind == "insert":
            at = draw(st.integers(0, len(data)))
            data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
        elif kind == "flip" and data:
            at = draw(st.integers(0, len(data) - 1))
            data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
        elif kind == "delete" and data:
            at = draw(st.integers(0, len(data) - 1))
            data = data[:at] + data[at + draw(st.integers(1, 40)) :]
        elif kind == "value":  # retype the value of one "key: value" line
            keyed = [i for i, line in enumerate(lines) if b": " in line]
            if keyed:
                i = draw(st.sampled_from(keyed))
                key = lines[i].split(b": ", 1)[0]
                lines[i] = key + b": " + draw(st.sampled_from(HOSTILE_VALUES)).encode("utf-8", "surrogatepass")
                data = b"\n".join(lines)
        elif kind == "key":  # drop or rename one key
            keyed = [i for i, line in enumerate(lines) if b":" in line]
            if keyed:
                i = draw(st.sampled_from(keyed))
                if draw(st.booleans()):
                    del lines[i]
                else:
                    key, sep, rest = lines[i].partition(b":")
                    lines[i] = key + draw(st.sampled_from([b"x", b"_", b"2", b" ", b"<<"])) + sep + rest
                data = b"\n".join(lines)
        elif kind == "markdown":
            at = draw(st.integers(0, len(lines)))
            lines.insert(at, draw(st.sampled_from(MARKDOWN_SNIPPETS)).encode("utf-8"))
            data = b"\n".join(lines)
        elif kind == "line" and lines:  # duplicate or drop a whole line
            i = draw(st.integers(0, len(lines) - 1))
            if draw(st.booleans()):
                lines.insert(i, lines[i])
            else:
                del lines[i]
            data = b"\n".join(lines)
        files[rel] = data
    return files


@settings(max_examples=200, deadline=5000, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(files=mutated_course())
def test_mutated_courses_load_or_report_positioned_problems(tmp_path, files):
    root = tmp_path / "course"
    write(root, files)
    course, problems = read_course(root)  # must not raise
    assert course is not None or any(p.is_error for p in problems)
    for problem in problems:
        assert INTERNAL_ERROR not in problem.message, str(problem)
        assert problem.line >= 1 and problem.column >= 1, str(problem)
        assert (root / problem.path).exists() or problem.path in ("course.yml", "."), str(problem)
        assert "\n" not in problem.message, str(problem)


def test_the_unmutated_course_is_clean(tmp_path):
    write(tmp_path / "course", FILES)
    course, problems = read_course(tmp_path / "course")
    assert [str(p) for p in problems] == []
    assert course is not None and len(course.items) == 3
