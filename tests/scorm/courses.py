"""Courses built by hand from the model, so the SCORM tests do not depend on the loader.

``sample_course()`` holds every question type of the spec, graded and inline, in modules
and at top level; ``big_course(n)`` holds ``n`` scored questions (the suspend_data limit).
"""

from __future__ import annotations

from types import MappingProxyType

from browser.demo import big_question
from coursekit.model import Choice, Course, Lesson, MatchPair, Module, OrderItem, Question, Quiz


def _choices(*texts_correct):
    return tuple(
        Choice(id=chr(ord("a") + i), text=t, text_html=t, correct=c) for i, (t, c) in enumerate(texts_correct)
    )


def every_type_questions(prefix: str = "q") -> tuple[Question, ...]:
    """One question of each of the spec's seven types."""
    return (
        Question(id=f"{prefix}1", type="single", prompt="Which share of shops sold online?", prompt_html="<p>Which share of shops sold online?</p>",
                 choices=_choices(("About 30 %", True), ("About 80 %", False), ("About 5 %", False))),
        Question(id=f"{prefix}2", type="multiple", prompt="Which are marketplaces?", prompt_html="<p>Which are marketplaces?</p>",
                 choices=_choices(("Amazon", True), ("My own site", False), ("Etsy", True))),
        Question(id=f"{prefix}3", type="true-false", prompt="Returns are free by law.", prompt_html="<p>Returns are free by law.</p>", answer=False),
        Question(id=f"{prefix}4", type="fill-in", prompt="The EU data law?", prompt_html="<p>The EU data law?</p>", answers=("RGPD", "GDPR")),
        Question(id=f"{prefix}5", type="numeric", prompt="Days to withdraw?", prompt_html="<p>Days to withdraw?</p>", answer=14, tolerance=0, minimum=14, maximum=14),
        Question(id=f"{prefix}6", type="matching", prompt="Match.", prompt_html="<p>Match.</p>",
                 pairs=(MatchPair("1", "Stripe", "Stripe", "a", "payment", "payment"),
                        MatchPair("2", "Colissimo", "Colissimo", "b", "shipping", "shipping"))),
        Question(id=f"{prefix}7", type="ordering", prompt="Order the steps.", prompt_html="<p>Order the steps.</p>",
                 items=(OrderItem("a", "Stock", "Stock"), OrderItem("b", "Pack", "Pack"), OrderItem("c", "Ship", "Ship"))),
    )


def _lesson(id_, title, module=None, questions=()):
    body = f"<h1>{title}</h1><p>Body of {title}.</p>" + "".join(f"<!--ck-question:{q.id}-->" for q in questions)
    return Lesson(id=id_, title=title, html=body, source=f"lessons/{id_}.md", questions=tuple(questions), module_id=module)


def sample_course(slug: str = "sample", passing_score: int = 70, exports=None) -> Course:
    check = Question(id="k1", type="true-false", prompt="Online sales grew in 2020.", prompt_html="<p>Online sales grew in 2020.</p>", answer=True)
    intro = _lesson("welcome", "Welcome")
    where = _lesson("where-to-sell", "Where to sell", module="shop", questions=(check,))
    ship = _lesson("shipping", "Shipping", module="shop")
    check_quiz = Quiz(id="check-shop", title="Check: your shop", source="quizzes/check-shop.yml",
                      questions=every_type_questions("c")[:3], passing_score=60, module_id="shop")
    final = Quiz(id="final", title="Final quiz", source="quizzes/final.yml", questions=every_type_questions("q"), passing_score=passing_score, weight=2)
    return Course(
        id=f"urn:coursekit:{slug}", slug=slug, title="Vendre en ligne : ouvrir sa boutique",
        structure=(intro, Module(id="shop", title="Build your shop", items=(where, ship, check_quiz)), final),
        language="fr", description="Un cours pratique pour les commerçants.", version="1.0.0",
        keywords=("commerce", "vente en ligne"), duration="PT2H", passing_score=passing_score,
        exports=MappingProxyType({k: MappingProxyType(v) for k, v in (exports or {}).items()}),
        export_formats=tuple(exports or ()),
    )


def unscored_course(slug: str = "reading") -> Course:
    return Course(id=f"urn:coursekit:{slug}", slug=slug, title="Reading only",
                  structure=(_lesson("one", "One"), _lesson("two", "Two")))


#: what a learner types for each type in the big course (answer() in tests/browser/play.py)
BIG_RESPONSES = {
    "single": "c", "multiple": ["a", "c"], "true-false": "false", "fill-in": "commission", "numeric": "14,5",
    "matching": {"1": "b", "2": "c", "3": "d", "4": "a"}, "ordering": ["e", "d", "c", "b", "a"],
}


def big_course(n_quizzes: int = 30, per_quiz: int = 10, slug: str = "big") -> Course:
    """``n_quizzes`` quizzes of ``per_quiz`` questions, each after a lesson (300 by default)."""
    structure = []
    for n in range(n_quizzes):
        structure.append(_lesson(f"l{n}", f"Lesson {n}"))
        questions = tuple(big_question(n * per_quiz + i) for i in range(per_quiz))
        structure.append(Quiz(id=f"z{n}", title=f"Quiz {n}", source=f"quizzes/z{n}.yml", questions=questions))
    return Course(id=f"urn:coursekit:{slug}", slug=slug, title="Big course", structure=tuple(structure))
