"""Correct-response patterns and descriptions of every question, per SCORM version.

The exporter computes them from the model at build time and hands them to the adapter in
the launch page's configuration, so the adapter only formats the learner's response. The
formats are the ones Moodle's runtime accepts (reference/scorm.md, section 5):
1.2 ``a,b`` / ``1.a,2.b`` / ``t``; 2004 ``a[,]b`` / ``1[.]a[,]2[.]b`` / ``true`` / ``min[:]max``.
"""

from __future__ import annotations

from typing import Iterable

from coursekit.model import Course, Question

#: SCORM allows several correct_responses for fill-in; LMSs are only required to keep 5
MAX_PATTERNS = 5


def number(value: float) -> str:
    """A decimal both runtimes accept: no exponent, no float noise, ``14`` not ``14.0``."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _fill_in_2004(text: str, case_sensitive: bool) -> str:
    # a leading "{" would read as a {lang=} delimiter and "[,]" would split the answer; the
    # adapter cleans the learner's response the same way, so the two still compare equal
    text = text.lstrip("{").replace("[,]", ",")[:250]
    return ("{case_matters=true}" if case_sensitive else "") + text


def patterns(question: Question, version: str) -> list[str]:
    """The correct_responses patterns of ``question`` in the ``1.2`` or ``2004`` format."""
    sep, pair = (",", ".") if version == "1.2" else ("[,]", "[.]")
    kind = question.type
    if kind in ("single", "multiple"):
        return [sep.join(question.correct_choice_ids)]
    if kind == "true-false":
        yes = bool(question.answer)
        return [("t" if yes else "f") if version == "1.2" else ("true" if yes else "false")]
    if kind == "fill-in":
        answers = list(question.answers[:MAX_PATTERNS])
        if version == "1.2":
            return [a[:255] for a in answers]
        return [_fill_in_2004(a, question.case_sensitive) for a in answers]
    if kind == "numeric":
        low, high = question.minimum, question.maximum
        if version == "1.2":
            # 1.2 has no range syntax: the expected value (or the range's middle)
            if question.answer is not None:
                return [number(float(question.answer))]
            if low is not None and high is not None:
                return [number((float(low) + float(high)) / 2)]
            return [number(float(low if low is not None else high))]
        return [("" if low is None else number(float(low))) + "[:]" + ("" if high is None else number(float(high)))]
    if kind == "matching":
        return [sep.join(f"{p.source_id}{pair}{p.target_id}" for p in question.pairs)]
    if kind == "ordering":
        return [sep.join(item.id for item in question.items)]
    raise ValueError(f"unknown question type {kind!r}")


def description(question: Question) -> str:
    """2004 ``description`` (localized string, 250): plain prompt, never starting with ``{``."""
    text = " ".join(question.prompt.split())
    text = text.lstrip("{").strip()
    return text[:250]


def item_table(item, version: str) -> dict[str, dict]:
    """``{"<item id>.<question id>": {"p": [patterns], "d": description}}`` for one item.

    Inline knowledge checks are keyed by their lesson's id: lesson and quiz ids share one
    scope, so the keys never collide.
    """
    table: dict[str, dict] = {}
    for question in item.questions:
        entry = {"p": patterns(question, version)}
        if version == "2004":
            entry["d"] = description(question)
        table[f"{item.id}.{question.id}"] = entry
    return table


def question_table(course: Course, version: str, scope: Iterable[str] | None = None) -> dict[str, dict]:
    """The tables of every item in ``scope`` (None: the whole course), merged."""
    wanted = set(scope) if scope is not None else None
    table: dict[str, dict] = {}
    for item in course.iter_items():
        if wanted is None or item.id in wanted:
            table.update(item_table(item, version))
    return table


def interaction_prefix(course: Course, version: str) -> str:
    """1.2 ids are short (Moodle's reports show them); 2004 ids are URNs unique per course,
    in the form Moodle's CMILongIdentifier accepts (``urn:<nid of 1-31 chars>:...``)."""
    return "" if version == "1.2" else f"urn:coursekit:{course.slug}:"

