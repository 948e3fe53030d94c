"""Playing a course through Moodle's player, and what Moodle should then hold.

``play_items`` walks lessons and quizzes with the player's own controls (single SCO: its
Next links; multi-SCO: Moodle's table of contents, one SCO per item) and answers every
question with tests/browser/play.py's ``answer``; ``expected_interactions`` says which
interaction records Moodle must have stored for that play, in each version's syntax.
"""

from __future__ import annotations

import re

from browser.play import answer
from coursekit.player.data import question_keys
from coursekit_scorm import interactions
from scorm.harness import form_response

#: coursekit question type -> SCORM interaction type
INTERACTION_TYPES = {
    "single": "choice", "multiple": "choice", "true-false": "true-false", "fill-in": "fill-in",
    "numeric": "numeric", "matching": "matching", "ordering": "sequencing",
}


def answer_item(frame, course, item, right, only=None) -> None:
    """Answer the questions of the item shown (``only``: the first N of a quiz, not submitted)."""
    keys = question_keys(course)
    frame.locator(f'body[data-item="{item.id}"]').wait_for(state="attached")
    questions = item.questions if only is None else item.questions[:only]
    for question in questions:
        key = keys[(item.id, question.id)]
        answer(frame, key, question.type, form_response(question, right(question)))
        if item.kind == "lesson":
            frame.locator(f"#ck-q{key} .ck-check").click()
            frame.locator(f"#ck-q{key} .ck-verdict").wait_for()
    if item.kind == "quiz" and only is None:
        frame.locator(".ck-submit").click()
        frame.locator(".ck-quiz-result .ck-status").wait_for()


def play_items(learner, course, items, mode: str, right, *, from_home: bool = True, partial_last: int | None = None) -> None:
    """Play ``items`` in order. Single SCO: from the player's home page (``from_home``) or from
    the page shown, moving on with its Next link. Multi-SCO: each item opened from Moodle's
    table of contents. ``partial_last``: answer only that many questions of the last item."""
    frame = learner.content()
    if mode == "single" and from_home:
        frame.locator(".ck-start").click()
    for position, item in enumerate(items):
        last = position == len(items) - 1
        if mode == "multi":
            learner.toc(item.title)
        answer_item(frame, course, item, right, only=partial_last if last else None)
        learner.settle()
        if mode == "single" and not last:
            frame.locator(".ck-next").click()


def finish(learner) -> None:
    """The player's Exit button, then Moodle's "Exit activity"."""
    learner.content().locator(".ck-exit").click()
    learner.settle()
    learner.exit_activity()


def response_text(version: str, question, right: bool) -> str:
    """The learner's response as the adapters write it (what Moodle must have stored)."""
    r = form_response(question, right)
    kind = question.type
    sep, pair = (",", ".") if version == "1.2" else ("[,]", "[.]")
    if kind == "true-false":
        yes = r == "true"
        return ("t" if yes else "f") if version == "1.2" else ("true" if yes else "false")
    if kind in ("fill-in",):
        return r
    if kind == "numeric":
        return str(int(float(r))) if float(r).is_integer() else str(float(r))
    if kind == "matching":
        return sep.join(f"{source}{pair}{target}" for source, target in r.items())
    if kind == "single":
        return r
    return sep.join(r)


def expected_interactions(version: str, course, items, right) -> dict[str, dict[str, str]]:
    """``{interaction id: {type, response, result}}`` for every question of ``items``."""
    prefix = interactions.interaction_prefix(course, version)
    out = {}
    for item in items:
        for question in item.questions:
            good = right(question)
            out[prefix + f"{item.id}.{question.id}"] = {
                "type": INTERACTION_TYPES[question.type],
                "response": response_text(version, question, good),
                "result": "correct" if good else ("wrong" if version == "1.2" else "incorrect"),
            }
    return out


_INTERACTION = re.compile(r"^cmi\.interactions[._](\d+)\.(id|type|student_response|learner_response|result)$")


def stored_interactions(tracks: dict[str, str]) -> list[dict[str, str]]:
    """The interaction records of one SCO's tracks, in index order."""
    records: dict[int, dict[str, str]] = {}
    for element, value in tracks.items():
        m = _INTERACTION.match(element)
        if m:
            field = "response" if m.group(2).endswith("_response") else m.group(2)
            records.setdefault(int(m.group(1)), {})[field] = value
    return [records[i] for i in sorted(records)]
