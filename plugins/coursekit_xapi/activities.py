"""xAPI activities for a course: identifiers and full definitions, built once from the model.

Every identifier derives from the course ``id`` and the author's ids, so the same source gives
the same activity IRIs in every build and learners' records stay comparable across versions:

    <course id>                                  the course
    <course id>/module/<module id>
    <course id>/lesson/<lesson id>
    <course id>/quiz/<quiz id>
    <course id>/quiz/<quiz id>/question/<q id>    a graded question
    <course id>/lesson/<lesson id>/question/<q id> an inline knowledge check
    <course id>/au[/<item id>]                   cmi5 assignable units (cmi5.xml only)

The same definitions feed tincan.xml, ``activities.json`` and the browser adapters, so what an
LRS shows next to a result is exactly what the package declares.
"""

from __future__ import annotations

from typing import Any

from coursekit.model import Course, Lesson, Module, Question, Quiz

ACTIVITY_TYPES = {
    "course": "http://adlnet.gov/expapi/activities/course",
    "module": "http://adlnet.gov/expapi/activities/module",
    "lesson": "http://adlnet.gov/expapi/activities/lesson",
    "quiz": "http://adlnet.gov/expapi/activities/assessment",
    "question": "http://adlnet.gov/expapi/activities/cmi.interaction",
}

#: names longer than this are cut (the full text stays in ``description``)
NAME_LIMIT = 120


class ActivityIds:
    """The IRI of every activity of one course."""

    def __init__(self, course: Course):
        self.course_id = course.id
        # a trailing slash would give "…//lesson/x"
        self.base = course.id.rstrip("/")

    def module(self, module: Module) -> str:
        return f"{self.base}/module/{module.id}"

    def item(self, item: Lesson | Quiz) -> str:
        return f"{self.base}/{item.kind}/{item.id}"

    def question(self, item: Lesson | Quiz, question: Question) -> str:
        return f"{self.item(item)}/question/{question.id}"

    def au(self, item: Lesson | Quiz | None = None) -> str:
        return f"{self.base}/au" if item is None else f"{self.base}/au/{item.id}"

    def objective(self, number: int) -> str:
        return f"{self.base}/objective/{number}"


def format_number(value: float) -> str:
    """``3.0`` -> ``3``, ``0.5`` -> ``0.5``: the numeric pattern syntax wants plain decimals."""
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def correct_responses(question: Question) -> list[str]:
    """``correctResponsesPattern`` for a question (xAPI Data, appendix C)."""
    t = question.type
    if t in ("single", "multiple"):
        return ["[,]".join(question.correct_choice_ids)]
    if t == "true-false":
        return ["true" if question.answer else "false"]
    if t == "fill-in":
        # any accepted answer is correct: one pattern each; xAPI's default is case-insensitive
        prefix = "{case_matters=true}" if question.case_sensitive else ""
        return [prefix + answer for answer in question.answers]
    if t == "numeric":
        low, high = question.minimum, question.maximum
        if low is not None and high is not None and low == high:
            return [format_number(low)]
        return [f"{'' if low is None else format_number(low)}[:]{'' if high is None else format_number(high)}"]
    if t == "matching":
        return ["[,]".join(f"{p.source_id}[.]{p.target_id}" for p in question.pairs)]
    if t == "ordering":
        return ["[,]".join(item.id for item in question.items)]
    raise ValueError(f"unknown question type {t!r}")


def _lang(text: str, language: str) -> dict[str, str]:
    return {language: text}


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= NAME_LIMIT else text[: NAME_LIMIT - 1].rstrip() + "…"


def _components(entries, language: str) -> list[dict[str, Any]]:
    return [{"id": i, "description": _lang(text or i, language)} for i, text in entries]


def question_definition(question: Question, language: str) -> dict[str, Any]:
    """A full ``cmi.interaction`` definition: type, pattern and component lists."""
    definition: dict[str, Any] = {
        "name": _lang(_short(question.prompt) or question.id, language),
        "description": _lang(question.prompt or question.id, language),
        "type": ACTIVITY_TYPES["question"],
        "interactionType": question.interaction_type,
        "correctResponsesPattern": correct_responses(question),
    }
    if question.type in ("single", "multiple"):
        definition["choices"] = _components(((c.id, c.text) for c in question.choices), language)
    elif question.type == "ordering":
        definition["choices"] = _components(((i.id, i.text) for i in question.items), language)
    elif question.type == "matching":
        definition["source"] = _components(((p.source_id, p.source) for p in question.pairs), language)
        definition["target"] = _components(((p.target_id, p.target) for p in question.pairs), language)
    return definition


def _activity(iri: str, definition: dict[str, Any]) -> dict[str, Any]:
    return {"objectType": "Activity", "id": iri, "definition": definition}


class CourseActivities:
    """Every activity of a course with its parent, in reading order."""

    def __init__(self, course: Course):
        self.course = course
        self.ids = ActivityIds(course)
        lang = course.language
        course_def: dict[str, Any] = {"name": _lang(course.title, lang), "type": ACTIVITY_TYPES["course"]}
        if course.description:
            course_def["description"] = _lang(course.description, lang)
        #: the root activity
        self.root = _activity(course.id, course_def)
        #: (activity, parent IRI or None) in reading order
        self.entries: list[tuple[dict[str, Any], str | None]] = [(self.root, None)]
        #: what the browser adapters need, keyed by the author's ids
        self.runtime: dict[str, Any] = {
            "language": lang, "course": self.root, "modules": {}, "items": {}, "scored": course.is_scored,
        }

        for entry in course.structure:
            if isinstance(entry, Module):
                module = _activity(
                    self.ids.module(entry),
                    {"name": _lang(entry.title, lang), "type": ACTIVITY_TYPES["module"]},
                )
                self.entries.append((module, course.id))
                self.runtime["modules"][entry.id] = module
                for item in entry.items:
                    self._add_item(item, module["id"], entry.id)
            else:
                self._add_item(entry, course.id, None)

    def _add_item(self, item: Lesson | Quiz, parent: str, module_id: str | None) -> None:
        lang = self.course.language
        definition: dict[str, Any] = {"name": _lang(item.title, lang), "type": ACTIVITY_TYPES[item.kind]}
        activity = _activity(self.ids.item(item), definition)
        self.entries.append((activity, parent))
        questions = {}
        for question in item.questions:
            q = _activity(self.ids.question(item, question), question_definition(question, lang))
            self.entries.append((q, activity["id"]))
            questions[question.id] = q
        self.runtime["items"][item.id] = {
            "kind": item.kind,
            "activity": activity,
            "module": module_id,
            "questions": questions,
        }

    @property
    def activities(self) -> list[dict[str, Any]]:
        return [activity for activity, _ in self.entries]

    def document(self) -> dict[str, Any]:
        """The ``activities.json`` of the xapi export: every activity, and who contains whom."""
        return {
            "course": self.course.id,
            "language": self.course.language,
            "activities": self.activities,
            "parents": {a["id"]: parent for a, parent in self.entries if parent},
        }

    def runtime_script(self) -> str:
        """``player/xapi-activities.js``: the definitions the adapters put in statements.

        A script, not a JSON file, because ``fetch`` of a local file fails under ``file://``.
        """
        return "window.CoursekitXapiActivities = " + _json(self.runtime) + ";\n"


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1)


def json_bytes(value: Any) -> bytes:
    return (_json(value) + "\n").encode("utf-8")
