"""The course description the browser runtime and the tracker adapters read.

It is built from the same model as the pages and shipped twice: ``course.json`` for tools and
``player/course.js`` (a plain script, because ``fetch()`` of a local file fails from
``file://``). Questions get a *key*: their position in reading order over the whole course,
inline knowledge checks included; the player's saved state refers to questions by key, which
keeps it short enough for SCORM 1.2's 4,096-character ``suspend_data``.
"""

from __future__ import annotations

import json
import zlib
from typing import Any, Iterator

from ..model import Course, Lesson, Question, Quiz


def iter_questions(course: Course) -> Iterator[tuple[Lesson | Quiz, Question]]:
    """Every question with the lesson or quiz holding it, in key order."""
    for item in course.iter_items():
        for question in item.questions:
            yield item, question


def question_keys(course: Course) -> dict[tuple[str, str], int]:
    """``(item id, question id) -> key``."""
    return {(item.id, q.id): key for key, (item, q) in enumerate(iter_questions(course))}


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else float(value)


def _correct_responses(q: Question) -> list[Any]:
    """Accepted responses in the ``answer.response`` shape (numeric: ``{min, max}`` ranges)."""
    if q.type in ("single", "multiple"):
        return [list(q.correct_choice_ids)]
    if q.type == "true-false":
        return [bool(q.answer)]
    if q.type == "fill-in":
        return list(q.answers)
    if q.type == "numeric":
        return [{"min": _number(q.minimum), "max": _number(q.maximum)}]
    if q.type == "matching":
        return [[[p.source_id, p.target_id] for p in q.pairs]]
    if q.type == "ordering":
        return [[i.id for i in q.items]]
    raise ValueError(f"unknown question type {q.type!r}")


def question_data(key: int, item: Lesson | Quiz, q: Question) -> dict[str, Any]:
    graded = isinstance(item, Quiz)
    data: dict[str, Any] = {
        "key": key,
        "id": q.id,
        "itemId": item.id,
        "quizId": item.id if graded else None,
        "lessonId": None if graded else item.id,
        "graded": graded,
        "type": q.type,
        "interactionType": q.interaction_type,
        "points": _number(q.points),
        "prompt": q.prompt,
        "correctResponses": _correct_responses(q),
    }
    if q.choices:
        data["choices"] = [{"id": c.id, "text": c.text, "correct": c.correct} for c in q.choices]
    if q.type == "fill-in":
        data["caseSensitive"] = q.case_sensitive
    if q.type == "numeric":
        data["min"], data["max"] = _number(q.minimum), _number(q.maximum)
    if q.pairs:
        data["pairs"] = [
            {"source": {"id": p.source_id, "text": p.source}, "target": {"id": p.target_id, "text": p.target}}
            for p in q.pairs
        ]
    if q.items:
        data["items"] = [{"id": i.id, "text": i.text} for i in q.items]
    return data


def item_data(item: Lesson | Quiz, keys: dict[tuple[str, str], int]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": item.id,
        "kind": item.kind,
        "title": item.title,
        "href": item.href,
        "module": item.module_id,
        "questions": [keys[(item.id, q.id)] for q in item.questions],
    }
    if isinstance(item, Quiz):
        data.update(
            passingScore=item.passing_score,
            weight=_number(item.weight),
            points=_number(item.total_points),
            shuffle=item.shuffle,
            scored=item.weight > 0 and item.total_points > 0,
        )
    return data


def fingerprint(course: Course) -> str:
    """A short hash of what saved state refers to (items, questions, choice counts).

    State saved against another shape of the course is dropped rather than misread; a fixed
    typo in a lesson keeps the fingerprint, and the learner's progress with it."""
    parts = []
    for item in course.iter_items():
        parts.append(f"{item.kind}:{item.id}")
        for q in item.questions:
            parts.append(f"{q.id}:{q.type}:{len(q.choices)}:{len(q.pairs)}:{len(q.items)}")
    return format(zlib.crc32("|".join(parts).encode("utf-8")), "x")


def course_data(course: Course) -> dict[str, Any]:
    keys = question_keys(course)
    return {
        "id": course.id,
        "title": course.title,
        "language": course.language,
        "passingScore": course.passing_score,
        "scored": course.is_scored,
        "fingerprint": fingerprint(course),
        "modules": [{"id": m.id, "title": m.title, "items": [i.id for i in m.items]} for m in course.modules],
        "items": [item_data(item, keys) for item in course.iter_items()],
        "questions": [question_data(key, item, q) for key, (item, q) in enumerate(iter_questions(course))],
    }


def to_json(data: Any) -> str:
    """Compact, deterministic JSON that is safe inside a ``<script>`` element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    # "</script" or "<!--" in a question text must not end or confuse the script element
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
