"""Quizzes: a YAML file of questions with its passing score, weight and shuffle."""

from __future__ import annotations

from pathlib import Path

from ..diagnostics import shown
from ..model import Quiz, SourcePos
from . import limits
from .questions import check_keys, is_number
from .yamlpos import YList

QUIZ_KEYS = {"title", "id", "passing_score", "weight", "shuffle", "questions", "description"}


class QuizLoader:
    """Part of the course loader: needs ``self.diags``, ``self.md``, ``self.questions``,
    ``self.passing_score``."""

    def load_quiz(self, rel, pos, module_id, quiz_id, data) -> Quiz | None:
        check_keys(data, QUIZ_KEYS, self.diags, "a quiz")
        title = self.text_value(data, "title") or Path(rel).stem.replace("-", " ").replace("_", " ").strip().capitalize()
        passing = data.get("passing_score", self.passing_score)
        if not (isinstance(passing, int) and not isinstance(passing, bool) and 0 <= passing <= 100):
            self.diags.error(data.at("passing_score"), f"'passing_score' must be a whole number from 0 to 100, not {shown(passing)}")
        weight = data.get("weight", 1)
        if not is_number(weight, limits.MAX_POINTS) or weight < 0:
            too_big = is_number(weight, float("inf")) and weight > limits.MAX_POINTS
            self.diags.error(data.at("weight"), f"'weight' must be at most {limits.MAX_POINTS}, not {shown(weight)}" if too_big
                             else f"'weight' must be a number of 0 or more, not {shown(weight)}")
        shuffle = data.get("shuffle", False)
        if not isinstance(shuffle, bool):
            self.diags.error(data.at("shuffle"), f"'shuffle' must be true or false, not {shown(shuffle)}")
        base_dir = rel.rpartition("/")[0]
        description_html = None
        description = data.text("description")
        if isinstance(description, (str, int, float)):
            description_html = self.md.block(str(description), base_dir, data.at("description"))
        elif description is not None:
            self.diags.error(data.at("description"), "'description' must be text (Markdown)")
        questions_data = data.get("questions")
        questions = []
        if not isinstance(questions_data, YList) or not questions_data:
            where = data.at("questions") if "questions" in data else SourcePos(rel, 1, 1)
            self.diags.error(where, "a quiz needs 'questions': a non-empty list")
        elif len(questions_data) > limits.MAX_QUESTIONS_PER_ITEM:
            self.diags.error(
                questions_data.at(limits.MAX_QUESTIONS_PER_ITEM),
                f"a quiz holds at most {limits.MAX_QUESTIONS_PER_ITEM} questions ({limits.DOCS}): split it in several quizzes",
            )
        else:
            seen: dict[str, SourcePos] = {}
            for index, entry in enumerate(questions_data):
                question = self.questions.parse(entry, questions_data.at(index), base_dir, f"q{index + 1}")
                if question is None:
                    continue
                where = entry.at("id") if "id" in entry else questions_data.at(index)
                if question.id in seen:
                    self.diags.error(where, f"question id '{question.id}' is already used in this quiz (line {seen[question.id].line})")
                    continue
                seen[question.id] = where
                questions.append(question)
        if quiz_id is None:
            return None
        return Quiz(
            id=quiz_id,
            title=title,
            source=rel,
            questions=tuple(questions),
            passing_score=passing if isinstance(passing, int) else self.passing_score,
            weight=weight if is_number(weight, limits.MAX_POINTS) else 1,
            shuffle=shuffle is True,
            description_html=description_html,
            module_id=module_id,
            pos=pos,
        )
