"""A small course built by hand (every question type, an inline check, a module) and the
responses that answer each question right or wrong, derived from the model so that the
same play-through works for any course, the loaded example included."""

from __future__ import annotations

from coursekit.model import Choice, Course, Lesson, MatchPair, Module, OrderItem, Question, Quiz


def _choices(*specs):
    return tuple(Choice(id="abcdefgh"[i], text=t, text_html=f"<p>{t}</p>", correct=c) for i, (t, c) in enumerate(specs))


def _q(id, type, prompt, **kw):
    return Question(id=id, type=type, prompt=prompt, prompt_html=f"<p>{prompt}</p>", **kw)


def tracked_course(*, passing_score: int = 70, course_id: str = "https://example.org/courses/tracked") -> Course:
    final = Quiz(
        id="final", title="Final quiz", source="quizzes/final.yml", passing_score=passing_score, module_id="shop",
        questions=(
            _q("q1", "single", "What share of shops sold online?", choices=_choices(("About 30 %", True), ("About 80 %", False))),
            _q("q2", "multiple", "Which are payment methods?", choices=_choices(("Card", True), ("Transfer", True), ("Parcel", False)), points=2),
            _q("q3", "true-false", "Returns last 14 days.", answer=True),
            _q("q4", "fill-in", "Name the EU privacy law.", answers=("GDPR", "RGPD")),
            _q("q5", "numeric", "VAT rate in percent?", answer=20.5, tolerance=0.5, minimum=20.0, maximum=21.0),
            _q("q6", "matching", "Match each term.", pairs=(
                MatchPair("1", "Marketplace", "Marketplace", "a", "Many sellers", "Many sellers"),
                MatchPair("2", "Own shop", "Own shop", "b", "Full control", "Full control"),
            )),
            _q("q7", "ordering", "Order the steps.", items=(OrderItem("a", "Order", "Order"), OrderItem("b", "Pay", "Pay"), OrderItem("c", "Ship", "Ship"))),
        ),
    )
    check = _q("check", "single", "Is a marketplace free?", choices=_choices(("Yes", False), ("No", True)))
    welcome = Lesson(id="welcome", title="Welcome", source="lessons/01-welcome.md", html="<h2>Why</h2><p>Selling online.</p>")
    where = Lesson(
        id="where", title="Where to sell", source="lessons/02-where.md", module_id="shop",
        html="<p>Marketplaces bring traffic.</p><!--ck-question:check--><p>Own shop: control.</p>", questions=(check,),
    )
    return Course(
        id=course_id, slug="tracked", title="Selling online", language="en",
        description="A short course.", description_html="<p>A short course.</p>",
        structure=(welcome, Module(id="shop", title="Build your shop", items=(where, final))),
        passing_score=passing_score,
    )


def fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def right_response(q: Question):
    """What a learner enters to answer ``q`` correctly, in the form ``tests/browser/play.answer`` takes."""
    if q.type == "single":
        return q.correct_choice_ids[0]
    if q.type == "multiple":
        return list(q.correct_choice_ids)
    if q.type == "true-false":
        return "true" if q.answer else "false"
    if q.type == "fill-in":
        return q.answers[0]
    if q.type == "numeric":
        low = q.minimum if q.minimum is not None else (q.maximum - 1)
        high = q.maximum if q.maximum is not None else (q.minimum + 1)
        return fmt((low + high) / 2)
    if q.type == "matching":
        return {p.source_id: p.target_id for p in q.pairs}
    if q.type == "ordering":
        return [i.id for i in q.items]
    raise ValueError(q.type)


def wrong_response(q: Question):
    if q.type == "single":
        return next(c.id for c in q.choices if not c.correct)
    if q.type == "multiple":
        return [next(c.id for c in q.choices if not c.correct)]
    if q.type == "true-false":
        return "false" if q.answer else "true"
    if q.type == "fill-in":
        return "certainly not this"
    if q.type == "numeric":
        return fmt((q.maximum if q.maximum is not None else q.minimum) + 1000)
    if q.type == "matching":
        targets = [p.target_id for p in q.pairs]
        shifted = targets[1:] + targets[:1]
        return {p.source_id: t for p, t in zip(q.pairs, shifted)}
    if q.type == "ordering":
        return [i.id for i in reversed(q.items)]
    raise ValueError(q.type)
