"""The course of the rollup tests: two modules, each a lesson then a scored quiz, the quizzes
of different weights (1 and 3) and pass marks, the course passing at 70 %.

With these weights the weighted measure tells the cases apart: quiz ``z1`` right and ``z2``
wrong is 25 % (failed); ``z1`` wrong and ``z2`` right is 75 % (passed, where an unweighted mean
would say 50 % and fail)."""

from __future__ import annotations

from coursekit.model import Choice, Course, Lesson, Module, Question, Quiz

PASSING = 70
WEIGHTS = {"z1": 1, "z2": 3}


def _questions(prefix: str) -> tuple[Question, ...]:
    return (
        Question(id=f"{prefix}a", type="true-false", prompt="Shops sell online.", prompt_html="<p>Shops sell online.</p>", answer=True),
        Question(id=f"{prefix}b", type="single", prompt="Pick the payment.", prompt_html="<p>Pick the payment.</p>",
                 choices=(Choice("a", "Card", "Card", correct=True), Choice("b", "Parcel", "Parcel", correct=False))),
    )


def _lesson(id_: str, title: str, module: str) -> Lesson:
    return Lesson(id=id_, title=title, html=f"<h1>{title}</h1><p>Body of {title}.</p>", source=f"lessons/{id_}.md", module_id=module)


def rollup_course(slug: str = "rollup") -> Course:
    z1 = Quiz(id="z1", title="Quiz one", source="quizzes/z1.yml", questions=_questions("a"), passing_score=50, weight=WEIGHTS["z1"], module_id="m1")
    z2 = Quiz(id="z2", title="Quiz two", source="quizzes/z2.yml", questions=_questions("b"), passing_score=60, weight=WEIGHTS["z2"], module_id="m2")
    return Course(
        id=f"urn:coursekit:{slug}", slug=slug, title="Rollup course",
        structure=(
            Module(id="m1", title="Module one", items=(_lesson("l1", "Lesson one", "m1"), z1)),
            Module(id="m2", title="Module two", items=(_lesson("l2", "Lesson two", "m2"), z2)),
        ),
        language="en", passing_score=PASSING,
    )
