"""What the learner sees in a question's controls, for the resume tests of every format.

``shown(root, key)`` reads the native controls of question ``key`` on the player page
``root`` (a Playwright Page, Frame or FrameLocator) in the shape ``browser.play.answer``
takes, so a test compares what it typed with what a relaunch shows."""

from __future__ import annotations

from browser.demo import demo_course

TYPES = ["single", "multiple", "true-false", "fill-in", "numeric", "matching", "ordering"]

#: a learner who gets some right and some wrong, orders the steps in a non-default order and
#: picks every pair: 3 of 8 points (q1, q4, q5) -> 37.5 %
TYPED = {
    "q1": "a", "q2": ["a", "c"], "q3": "false", "q4": "RGPD", "q5": "20,5",
    "q6": {"1": "a", "2": "c", "3": "b"}, "q7": ["b", "c", "a"],
}
#: what the controls show afterwards: the normalised response (the number in the course's
#: language, English here); the order of q7 is the one ``answer_quiz`` picked
SHOWN = {
    1: ["a"], 2: ["a", "c"], 3: ["false"], 4: "RGPD", 5: "20.5",
    6: {"1": "a", "2": "c", "3": "b"},
}
PERMUTATIONS = [["b", "c", "a"], ["c", "a", "b"], ["b", "a", "c"]]  # all wrong
SCORE_TEXT = "Your score: 37.5% (3 of 8 points)."
#: the inline knowledge check of lesson ``where`` (key 0), answered wrong
INLINE_TYPED, INLINE_SHOWN = "a", ["a"]


def course():
    """The demo course with shuffled choices, pairs and items: the restored response must
    not depend on the order the controls are laid out in."""
    return demo_course(shuffle=True)


_READ = """box => {
  const controls = [...box.querySelectorAll("fieldset input, fieldset select")];
  const type = box.dataset.type;
  let value;
  if (type === "single" || type === "multiple" || type === "true-false")
    value = controls.filter(c => c.checked).map(c => c.value).sort();
  else if (type === "fill-in" || type === "numeric") value = controls[0].value;
  else if (type === "matching") value = Object.fromEntries(controls.map(c => [c.id.split("-").pop(), c.value]));
  else value = controls.map(c => c.value);
  return {value, disabled: controls.map(c => c.disabled), verdict: box.querySelector(".ck-verdict").textContent};
}"""


def shown(root, key: int) -> dict:
    """``{value, disabled: [per control], verdict}`` of question ``key``."""
    return root.locator(f"#ck-q{key}").evaluate(_READ)


def answer_quiz(root, answer) -> list[str]:
    """Answer ``final`` as ``TYPED`` says, q7 in a wrong order that is not the one the page
    started with (a shuffled start is random per learner); returns that order."""
    start = shown(root, 7)["value"]
    order = next(p for p in PERMUTATIONS if p != start)
    for key, qtype in enumerate(TYPES, start=1):
        answer(root, key, qtype, order if key == 7 else TYPED[f"q{key}"])
    return order


def assert_quiz_restored(root, order: list[str], *, submitted: bool, restored: bool = True) -> None:
    """Every question of ``final`` shows exactly the learner's response; all controls are
    disabled after a submission, all editable before one. ``restored=False``: the page the
    learner answered on, before any relaunch; ``order``: what ``answer_quiz`` gave q7."""
    wrong = {}
    for key in range(1, 8):
        got = shown(root, key)
        if key == 5 and not restored:
            got["value"] = got["value"].replace(",", ".")  # the field still holds what was typed
        want = order if key == 7 else SHOWN[key]
        if got["value"] != want:
            wrong[key] = (got["value"], want)
        assert all(got["disabled"]) if submitted else not any(got["disabled"]), (key, got)
        if submitted:
            assert got["verdict"] in ("Correct.", "Incorrect."), (key, got)
        else:
            assert got["verdict"] == "", (key, got)
    assert wrong == {}, f"controls not showing the learner's response (shown, typed): {wrong}"
    assert root.locator(".ck-submit").is_visible() is not submitted
    if submitted:
        assert root.locator(".ck-quiz-result .ck-score").inner_text() == SCORE_TEXT
        assert root.locator(".ck-retake").is_visible()


def assert_inline_restored(root) -> None:
    """The knowledge check shows the learner's pick and its verdict; it stays open to another
    try, as in the session it was answered in."""
    got = shown(root, 0)
    assert got["value"] == INLINE_SHOWN and got["verdict"] == "Incorrect.", got
    assert not any(got["disabled"]), got
