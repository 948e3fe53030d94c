"""Questions, from a quiz's ``questions`` list or a lesson's ``question`` block."""

from __future__ import annotations

import math
import re

from ..diagnostics import Diagnostics, cut, did_you_mean, shown
from ..model import QUESTION_TYPES, Choice, MatchPair, OrderItem, Question, SourcePos
from . import limits
from .markdown import MarkdownRenderer, plain_text
from .yamlpos import YList, YMap

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\Z")
#: what an author is told when an id does not match ``ID_PATTERN``
ID_RULE = "use only letters without accents, digits, '-' and '_' (no spaces), starting with a letter or digit"
COMMON_KEYS = {"id", "type", "prompt", "points", "explanation", "feedback"}
TYPE_KEYS = {
    "single": {"choices"},
    "multiple": {"choices"},
    "true-false": {"answer"},
    "fill-in": {"answers", "case_sensitive"},
    "numeric": {"answer", "tolerance", "min", "max"},
    "matching": {"pairs"},
    "ordering": {"items"},
}
CHOICE_KEYS = {"text", "correct", "feedback"}
FEEDBACK_KEYS = {"correct", "incorrect"}


def letter_id(index: int) -> str:
    """``a`` ... ``z``, then ``c27``...: single characters while they last, as SCORM 1.2 prefers."""
    return chr(ord("a") + index) if index < 26 else f"c{index + 1}"


def is_number(value, bound: float = limits.MAX_NUMERIC) -> bool:
    """A finite int or float (not a bool) of magnitude at most ``bound``."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value) and abs(value) <= bound
    except OverflowError:  # an int too big for a float
        return False


def check_keys(mapping: YMap, allowed: set[str], diags: Diagnostics, what: str) -> None:
    for key in mapping:
        if key not in allowed:
            diags.error(mapping.key_at(key), f"unknown key '{cut(key)}' in {what}{did_you_mean(cut(key, 200), allowed)}")


class QuestionParser:
    def __init__(self, renderer: MarkdownRenderer, diags: Diagnostics):
        self.md = renderer
        self.diags = diags

    def parse(self, data, pos: SourcePos, base_dir: str, default_id: str) -> Question | None:
        diags = self.diags
        if not isinstance(data, YMap):
            diags.error(pos, "a question must be a mapping with at least 'type' and 'prompt'")
            return None
        errors_before = diags.error_count
        qtype = data.get("type")
        if "type" not in data:
            diags.error(data.pos, f"question has no 'type' (one of {', '.join(QUESTION_TYPES)})")
            check_keys(data, COMMON_KEYS | set().union(*TYPE_KEYS.values()), diags, "question")
            return None
        if not isinstance(qtype, str) and qtype is not None:
            diags.error(data.at("type"), f"'type' must be one of {', '.join(QUESTION_TYPES)}, written as text")
            return None
        if qtype not in TYPE_KEYS:
            diags.error(
                data.at("type"),
                f"unknown question type '{cut(qtype)}'{did_you_mean(cut(qtype, 200), QUESTION_TYPES)}; "
                f"expected one of {', '.join(QUESTION_TYPES)}",
            )
            return None
        check_keys(data, COMMON_KEYS | TYPE_KEYS[qtype], diags, f"a {qtype} question")

        qid = data.get("id", default_id)
        if "id" in data and not (isinstance(qid, str) and ID_PATTERN.match(qid)):
            diags.error(data.at("id"), f"invalid id '{cut(qid)}': {ID_RULE}" if isinstance(qid, str) else f"invalid id {shown(qid)}: {ID_RULE}")
        qid = str(qid)

        prompt_html = prompt = ""
        if "prompt" not in data or data.get("prompt") in (None, ""):
            diags.error(data.key_at("prompt") if "prompt" in data else data.pos, "question has no 'prompt'")
        elif not isinstance(data["prompt"], (str, int, float)):
            diags.error(data.at("prompt"), "'prompt' must be text (Markdown)")
        else:
            prompt_html = self.md.block(str(data.text("prompt")), base_dir, data.at("prompt"))
            prompt = plain_text(prompt_html)

        points = data.get("points", 1)
        if not is_number(points, limits.MAX_POINTS) or points <= 0:
            too_big = is_number(points, math.inf) and points > limits.MAX_POINTS
            diags.error(data.at("points"), f"'points' must be at most {limits.MAX_POINTS}, not {shown(points)}" if too_big
                        else f"'points' must be a number above 0, not {shown(points)}")
            points = 1

        explanation_html = self._markdown(data, "explanation", base_dir)
        fb_correct = fb_incorrect = None
        if "feedback" in data:
            feedback = data["feedback"]
            if not isinstance(feedback, YMap):
                diags.error(data.at("feedback"), "'feedback' must be a mapping with 'correct' and/or 'incorrect'")
            else:
                check_keys(feedback, FEEDBACK_KEYS, diags, "feedback")
                fb_correct = self._markdown(feedback, "correct", base_dir)
                fb_incorrect = self._markdown(feedback, "incorrect", base_dir)

        fields = getattr(self, "_" + qtype.replace("-", "_"))(data, base_dir)
        if diags.error_count > errors_before or fields is None:
            return None
        return Question(
            id=qid,
            type=qtype,
            prompt_html=prompt_html,
            prompt=prompt,
            points=points,
            explanation_html=explanation_html,
            feedback_correct_html=fb_correct,
            feedback_incorrect_html=fb_incorrect,
            pos=data.pos,
            **fields,
        )

    def _markdown(self, data: YMap, key: str, base_dir: str) -> str | None:
        if key not in data or data[key] is None:
            return None
        value = data.text(key)
        if not isinstance(value, (str, int, float)):
            self.diags.error(data.at(key), f"'{key}' must be text (Markdown)")
            return None
        return self.md.block(str(value), base_dir, data.at(key))

    # --- one method per type: returns the type-specific fields, or None -----------------

    def _choices(self, data: YMap, base_dir: str) -> tuple[Choice, ...] | None:
        choices = data.get("choices")
        if not isinstance(choices, YList) or len(choices) < 2:
            where = data.at("choices") if "choices" in data else data.pos
            self.diags.error(where, "'choices' must be a list of at least 2 choices, each with 'text'")
            return None
        result = []
        for index, entry in enumerate(choices):
            pos = choices.at(index)
            if isinstance(entry, (str, int, float)):
                entry_map = None
                text, correct, feedback = str(choices.text(index)), False, None
            elif isinstance(entry, YMap):
                entry_map = entry
                check_keys(entry, CHOICE_KEYS, self.diags, "a choice")
                text = entry.text("text")
                if text is None or text == "" or isinstance(text, (YList, YMap)):
                    self.diags.error(entry.pos, "choice has no 'text'")
                    continue
                correct = entry.get("correct", False)
                if not isinstance(correct, bool):
                    self.diags.error(entry.at("correct"), f"'correct' must be true or false, not {shown(correct)}")
                    correct = False
                feedback = entry.text("feedback")
                if feedback is not None and not isinstance(feedback, (str, int, float)):
                    self.diags.error(entry.at("feedback"), "'feedback' of a choice must be text (Markdown)")
                    feedback = None
            else:
                self.diags.error(pos, "a choice must be a mapping with 'text' (and 'correct', 'feedback')")
                continue
            text_pos = entry_map.at("text") if entry_map is not None else pos
            text_html = self.md.inline(str(text), base_dir, text_pos)
            feedback_html = None
            if feedback is not None:
                feedback_html = self.md.block(str(feedback), base_dir, entry_map.at("feedback"))
            result.append(Choice(letter_id(index), text_html, plain_text(text_html), correct, feedback_html))
        return tuple(result)

    def _single(self, data, base_dir):
        choices = self._choices(data, base_dir)
        if choices is None:
            return None
        marked = [i for i, c in enumerate(choices) if c.correct]
        if not marked:
            self.diags.error(data.key_at("choices"), "a single-choice question needs one choice marked 'correct: true'; none is")
            return None
        if len(marked) > 1:
            # point at the second choice marked correct: the one to fix (or the type)
            entry = data["choices"][marked[1]]
            self.diags.error(
                entry.key_at("correct") if isinstance(entry, YMap) else data.key_at("choices"),
                f"a single-choice question has exactly one correct choice, but {len(marked)} are marked "
                "'correct: true' (use 'type: multiple' to accept several)",
            )
            return None
        return {"choices": choices}

    def _multiple(self, data, base_dir):
        choices = self._choices(data, base_dir)
        if choices is None:
            return None
        if not any(c.correct for c in choices):
            self.diags.error(data.key_at("choices"), "a multiple-choice question needs at least one choice marked 'correct: true'; none is")
            return None
        return {"choices": choices}

    def _true_false(self, data, base_dir):
        answer = data.get("answer")
        if "answer" not in data or answer is None:
            self.diags.error(data.key_at("answer"), "a true-false question needs 'answer: true' or 'answer: false'")
            return None
        if not isinstance(answer, bool):
            self.diags.error(
                data.at("answer"), f"a true-false question needs 'answer: true' or 'answer: false' (without quotes), not {shown(answer)}"
            )
            return None
        return {"answer": answer}

    def _fill_in(self, data, base_dir):
        answers = data.get("answers")
        if isinstance(answers, (str, int, float)) and not isinstance(answers, bool):
            answers = [answers]
        if not isinstance(answers, list) or not answers:
            where = data.at("answers") if "answers" in data else data.pos
            self.diags.error(where, "a fill-in question needs 'answers': a list of accepted answers")
            return None
        clean = []
        for index, answer in enumerate(answers):
            if not isinstance(answer, (str, int, float)) or not str(answer).strip():
                pos = answers.at(index) if isinstance(answers, YList) else data.at("answers")
                self.diags.error(pos, f"an accepted answer must be non-empty text, not {shown(answer)}")
                return None
            written = answers.text(index) if isinstance(answers, YList) else answer
            clean.append(" ".join(str(written).split()))
        case = data.get("case_sensitive", False)
        if not isinstance(case, bool):
            self.diags.error(data.at("case_sensitive"), f"'case_sensitive' must be true or false, not {shown(case)}")
            return None
        return {"answers": tuple(clean), "case_sensitive": case}

    def _numeric(self, data, base_dir):
        has_answer = "answer" in data
        has_range = "min" in data or "max" in data
        for key in ("answer", "tolerance", "min", "max"):
            if key in data and not is_number(data[key]):
                self.diags.error(data.at(key), f"'{key}' must be a number between -{limits.MAX_NUMERIC:g} and {limits.MAX_NUMERIC:g}, not {shown(data[key])}")
                return None
        if has_answer and has_range:
            self.diags.error(data.key_at("min" if "min" in data else "max"), "write either 'answer' (and 'tolerance') or 'min' and 'max', not both")
            return None
        if has_answer:
            tolerance = data.get("tolerance", 0)
            if tolerance < 0:
                self.diags.error(data.at("tolerance"), "'tolerance' cannot be negative")
                return None
            answer = data["answer"]
            return {"answer": answer, "tolerance": tolerance, "minimum": answer - tolerance, "maximum": answer + tolerance}
        if "tolerance" in data:
            self.diags.error(data.key_at("tolerance"), "'tolerance' goes with 'answer'")
            return None
        if not ("min" in data and "max" in data):
            self.diags.error(data.pos, "a numeric question needs 'answer' (with optional 'tolerance'), or 'min' and 'max'")
            return None
        if data["min"] > data["max"]:
            self.diags.error(data.at("min"), f"'min' ({data['min']}) is greater than 'max' ({data['max']})")
            return None
        return {"minimum": data["min"], "maximum": data["max"]}

    def _matching(self, data, base_dir):
        pairs = data.get("pairs")
        if not isinstance(pairs, YList) or len(pairs) < 2:
            where = data.at("pairs") if "pairs" in data else data.pos
            self.diags.error(where, "a matching question needs 'pairs': a list of at least 2 [source, target] pairs")
            return None
        result, sources = [], set()
        for index, pair in enumerate(pairs):
            pos = pairs.at(index)
            if not isinstance(pair, YList) or len(pair) != 2 or any(isinstance(x, (YList, YMap)) or x in (None, "") for x in pair):
                hint = ""
                if isinstance(pair, YMap) and len(pair) == 1:
                    (source, target), = pair.items()
                    hint = f": write [{source}, {target}], not '{source}: {target}'"
                self.diags.error(pos, f"each pair must be a list of two texts, [source, target]{hint}")
                return None
            source, target = str(pair.text(0)), str(pair.text(1))
            if source in sources:
                self.diags.error(pos, f"source '{source}' appears in two pairs")
                return None
            sources.add(source)
            source_html = self.md.inline(source, base_dir, pair.at(0))
            target_html = self.md.inline(target, base_dir, pair.at(1))
            result.append(
                MatchPair(str(index + 1), plain_text(source_html), source_html, letter_id(index), plain_text(target_html), target_html)
            )
        return {"pairs": tuple(result)}

    def _ordering(self, data, base_dir):
        items = data.get("items")
        if not isinstance(items, YList) or len(items) < 2:
            where = data.at("items") if "items" in data else data.pos
            self.diags.error(where, "an ordering question needs 'items': at least 2 items, in the correct order")
            return None
        result, seen = [], set()
        for index, item in enumerate(items):
            if isinstance(item, (YList, YMap)) or item in (None, ""):
                self.diags.error(items.at(index), "each item must be text")
                return None
            item = str(items.text(index))
            if item in seen:
                self.diags.error(items.at(index), f"item '{item}' is listed twice: learners could not tell them apart")
                return None
            seen.add(item)
            text_html = self.md.inline(item, base_dir, items.at(index))
            result.append(OrderItem(letter_id(index), plain_text(text_html), text_html))
        return {"items": tuple(result)}
