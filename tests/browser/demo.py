"""A small course built by hand from the model, with every question type, inline checks,
modules and a theme: the player's tests do not depend on the loader.

Quiz ``final`` holds one question of each of the seven types; ``RIGHT`` and ``WRONG`` give
a response for each, in the form the tests type them."""

from __future__ import annotations

from types import MappingProxyType

from coursekit.model import Choice, Course, Lesson, MatchPair, Module, OrderItem, Question, Quiz, Theme


def _choices(*specs):
    out = []
    for i, (text, correct, feedback) in enumerate(specs):
        out.append(Choice(id="abcdefgh"[i], text=text, text_html=text, correct=correct, feedback_html=f"<p>{feedback}</p>" if feedback else None))
    return tuple(out)


def final_questions() -> tuple[Question, ...]:
    return (
        Question(
            id="q1", type="single", prompt="What share of shops sold online?", prompt_html="<p>What share of shops sold online?</p>",
            choices=_choices(("About 30 %", True, "Yes, about a third."), ("About 80 %", False, "Far fewer."), ("None", False, None)),
            explanation_html="<p>Late 2020, about 30 %.</p>",
        ),
        Question(
            id="q2", type="multiple", prompt="Which are payment methods?", prompt_html="<p>Which are payment methods?</p>",
            choices=_choices(("Card", True, None), ("Transfer", True, None), ("Parcel", False, "A parcel is not a payment.")),
            points=2,
        ),
        Question(id="q3", type="true-false", prompt="Returns last 14 days.", prompt_html="<p>Returns last 14 days.</p>", answer=True,
                 feedback_correct_html="<p>Well done.</p>", feedback_incorrect_html="<p>It is 14 days.</p>"),
        Question(id="q4", type="fill-in", prompt="Name the EU privacy law.", prompt_html="<p>Name the EU privacy law.</p>", answers=("GDPR", "RGPD")),
        Question(id="q5", type="numeric", prompt="VAT rate in percent?", prompt_html="<p>VAT rate in percent?</p>", answer=20.5, tolerance=0.5, minimum=20.0, maximum=21.0),
        Question(
            id="q6", type="matching", prompt="Match each term.", prompt_html="<p>Match each term.</p>",
            pairs=(
                MatchPair("1", "Marketplace", "Marketplace", "a", "Many sellers", "Many sellers"),
                MatchPair("2", "Own shop", "Own shop", "b", "Full control", "Full control"),
                MatchPair("3", "Click and collect", "Click and collect", "c", "Pick up in store", "Pick up in store"),
            ),
        ),
        Question(
            id="q7", type="ordering", prompt="Order the steps.", prompt_html="<p>Order the steps.</p>",
            items=(OrderItem("a", "Order", "Order"), OrderItem("b", "Pay", "Pay"), OrderItem("c", "Ship", "Ship")),
        ),
    )


#: what the tests enter to answer each question of ``final`` right, and wrong
RIGHT = {"q1": "a", "q2": ["a", "b"], "q3": "true", "q4": "  rgpd ", "q5": "20,5", "q6": {"1": "a", "2": "b", "3": "c"}, "q7": ["a", "b", "c"]}
WRONG = {"q1": "b", "q2": ["a", "c"], "q3": "false", "q4": "CNIL", "q5": "19.9", "q6": {"1": "b", "2": "a", "3": "c"}, "q7": ["c", "b", "a"]}


def demo_course(*, language: str = "en", shuffle: bool = False, theme: Theme | None = None, passing_score: int = 70) -> Course:
    check = Question(
        id="check", type="single", prompt="Is a marketplace free?", prompt_html="<p>Is a marketplace free?</p>",
        choices=_choices(("Yes", False, "No: it takes a commission."), ("No", True, "Right: a commission.")),
        explanation_html="<p>Marketplaces charge a commission.</p>",
    )
    welcome = Lesson(
        id="welcome", title="Welcome", source="lessons/01-welcome.md",
        html=(
            "<h2>Why sell online</h2><p>Selling online keeps the shop open.</p>"
            "<p>&lt;script&gt;alert(1)&lt;/script&gt; and &lt;b&gt;bold&lt;/b&gt;</p>"
            '<p><img src="assets/shop.svg" alt="A small shop front"></p>'
            # long code and a wide table: at 360 px they must wrap, never scroll sideways
            "<pre><code>curl --request POST https://example.org/api/v1/orders/with/a/very/long/path?and=query&amp;string=1</code></pre>"
            "<table><thead><tr><th>Channel</th><th>Commission</th><th>Control over prices and customer data</th></tr></thead>"
            "<tbody><tr><td>Marketplace</td><td>8–15 %</td><td>Little: the platform owns the customer relationship entirely</td></tr></tbody></table>"
        ),
        duration="PT10M", objectives_html=("Know why",),
    )
    where = Lesson(
        id="where", title="Where to sell", source="lessons/02-where.md", module_id="shop",
        html="<h2>Marketplaces</h2><p>They bring traffic.</p><!--ck-question:check--><h2>Your own shop</h2><p>Full control.</p>",
        questions=(check,),
    )
    final = Quiz(id="final", title="Final quiz", source="quizzes/final.yml", questions=final_questions(), passing_score=passing_score, shuffle=shuffle, module_id="shop")
    shop = Module(id="shop", title="Build your shop", items=(where, final))
    from coursekit.model import Asset

    shop_svg = Asset(path="assets/shop.svg", href="assets/shop.svg", media_type="image/svg+xml",
                     data=b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="#1d4f91"/></svg>')
    return Course(
        id="urn:coursekit:demo", slug="demo", title="Selling online", language=language,
        description_html="<p>A short <strong>demo</strong> course.</p>", description="A short demo course.",
        structure=(welcome, shop), duration="PT1H30M", objectives_html=("Choose where to sell",), objectives=("Choose where to sell",),
        passing_score=passing_score, theme=theme or Theme(), assets=(shop_svg,),
        exports=MappingProxyType({}),
    )


def big_question(i: int) -> Question:
    """Question ``i`` of a big course: the seven types in turn, at realistic sizes
    (5 choices, 4 pairs, 5 items to order)."""
    letters = "abcdefgh"
    kind = i % 7
    common = dict(id=f"q{i}", prompt=f"Question {i}", prompt_html=f"<p>Question {i}</p>")
    if kind in (0, 1):
        right = (1,) if kind == 0 else (0, 2)
        choices = tuple(Choice(letters[c], f"choice {c}", f"choice {c}", correct=c in right) for c in range(5))
        return Question(type="single" if kind == 0 else "multiple", choices=choices, **common)
    if kind == 2:
        return Question(type="true-false", answer=True, **common)
    if kind == 3:
        return Question(type="fill-in", answers=("commission",), **common)
    if kind == 4:
        return Question(type="numeric", answer=14, minimum=14, maximum=14, **common)
    if kind == 5:
        pairs = tuple(MatchPair(str(p + 1), f"s{p}", f"s{p}", letters[p], f"t{p}", f"t{p}") for p in range(4))
        return Question(type="matching", pairs=pairs, **common)
    return Question(type="ordering", items=tuple(OrderItem(letters[p], f"i{p}", f"i{p}") for p in range(5)), **common)
