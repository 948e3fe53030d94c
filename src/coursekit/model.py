"""The course model: immutable values built once by the loader, read by every exporter.

Nothing here knows about a target format. Markdown is already rendered to HTML
(``*_html`` fields) and assets already carry their bytes, so an exporter never
re-reads a source file. Identifiers (``id`` fields) are the author's or the ones
the spec derives; exporters build every identifier they emit from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Iterator, Mapping, Union


@dataclass(frozen=True, slots=True)
class SourcePos:
    """Where something was written: path relative to the course folder, 1-based line and column."""

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Asset:
    """A file a lesson, the theme or the course links to, copied into every export."""

    #: path of the source file, relative to the course folder, with ``/`` separators
    path: str
    #: safe ASCII path the file has in every export (``assets/fridge-temps.png``)
    href: str
    #: MIME type guessed from the extension
    media_type: str
    #: the file's bytes, read once at load time
    data: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class Author:
    name: str
    email: str | None = None


@dataclass(frozen=True, slots=True)
class Theme:
    #: ``#RRGGBB`` or None for the player's default
    primary_color: str | None = None
    #: href of the logo asset, or None
    logo: str | None = None
    #: override files from the course's ``theme/`` folder, keyed by their path inside it
    #: (``player.css``, ``templates/lesson.html``...)
    overrides: Mapping[str, bytes] = field(default_factory=lambda: MappingProxyType({}))


# --- questions -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Choice:
    #: stable id within the question: ``a``, ``b``, ... (``c27``... past 26)
    id: str
    text_html: str
    #: plain-text form of ``text`` (for LMS reports and xAPI descriptions)
    text: str
    correct: bool = False
    feedback_html: str | None = None


@dataclass(frozen=True, slots=True)
class MatchPair:
    #: ``1``, ``2``, ... in source order
    source_id: str
    source: str
    source_html: str
    #: ``a``, ``b``, ... in source order (the target of pair n is target n)
    target_id: str
    target: str
    target_html: str


@dataclass(frozen=True, slots=True)
class OrderItem:
    #: ``a``, ``b``, ... in the correct order
    id: str
    text: str
    text_html: str


@dataclass(frozen=True, slots=True)
class Question:
    """One question. ``type`` says which of the type-specific fields are meaningful.

    ``single`` / ``multiple``: ``choices``. ``true-false``: ``answer`` (bool).
    ``fill-in``: ``answers`` and ``case_sensitive``. ``numeric``: ``minimum`` and ``maximum``
    (the accepted closed range; ``answer`` and ``tolerance`` when written that way).
    ``matching``: ``pairs``. ``ordering``: ``items``.
    """

    id: str
    type: str
    prompt_html: str
    #: plain-text prompt, for reports (SCORM description, xAPI name)
    prompt: str
    points: float = 1
    explanation_html: str | None = None
    feedback_correct_html: str | None = None
    feedback_incorrect_html: str | None = None
    choices: tuple[Choice, ...] = ()
    answer: Any = None
    tolerance: float | None = None
    minimum: float | None = None
    maximum: float | None = None
    answers: tuple[str, ...] = ()
    case_sensitive: bool = False
    pairs: tuple[MatchPair, ...] = ()
    items: tuple[OrderItem, ...] = ()
    #: where the question starts in the source
    pos: SourcePos | None = field(default=None, compare=False)

    #: the SCORM / xAPI interaction type for each question type
    INTERACTION_TYPES = MappingProxyType(
        {
            "single": "choice",
            "multiple": "choice",
            "true-false": "true-false",
            "fill-in": "fill-in",
            "numeric": "numeric",
            "matching": "matching",
            "ordering": "sequencing",
        }
    )

    @property
    def interaction_type(self) -> str:
        return self.INTERACTION_TYPES[self.type]

    @property
    def correct_choice_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.choices if c.correct)


QUESTION_TYPES = tuple(Question.INTERACTION_TYPES)


# --- content items ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Lesson:
    id: str
    title: str
    #: rendered body; inline questions appear as ``<!--ck-question:ID-->`` placeholders
    #: that the player replaces with the question's widget
    html: str
    source: str
    duration: str | None = None
    objectives_html: tuple[str, ...] = ()
    #: inline ``question`` blocks, ungraded knowledge checks, in order
    questions: tuple[Question, ...] = ()
    #: id of the module holding the lesson, or None at top level
    module_id: str | None = None
    pos: SourcePos | None = field(default=None, compare=False)

    kind = "lesson"

    @property
    def href(self) -> str:
        """The lesson's page in every web export, at the site root."""
        return f"lesson-{self.id}.html"


@dataclass(frozen=True, slots=True)
class Quiz:
    id: str
    title: str
    source: str
    questions: tuple[Question, ...]
    #: percent needed to pass this quiz
    passing_score: int = 80
    weight: float = 1
    shuffle: bool = False
    description_html: str | None = None
    module_id: str | None = None
    pos: SourcePos | None = field(default=None, compare=False)

    kind = "quiz"

    @property
    def href(self) -> str:
        """The quiz's page in every web export, at the site root."""
        return f"quiz-{self.id}.html"

    @property
    def total_points(self) -> float:
        return sum(q.points for q in self.questions)


Item = Union[Lesson, Quiz]


@dataclass(frozen=True, slots=True)
class Module:
    id: str
    title: str
    items: tuple[Item, ...]
    pos: SourcePos | None = field(default=None, compare=False)

    kind = "module"


@dataclass(frozen=True, slots=True)
class Course:
    id: str
    slug: str
    title: str
    #: the top-level structure, in order: lessons, quizzes and modules
    structure: tuple[Union[Lesson, Quiz, Module], ...]
    language: str = "en"
    description_html: str | None = None
    #: plain-text description, for package metadata
    description: str | None = None
    version: str | None = None
    authors: tuple[Author, ...] = ()
    keywords: tuple[str, ...] = ()
    duration: str | None = None
    objectives_html: tuple[str, ...] = ()
    #: plain-text objectives, for package metadata
    objectives: tuple[str, ...] = ()
    passing_score: int = 80
    #: per-format options, as written under ``exports`` (read-only mappings)
    exports: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: MappingProxyType({}))
    #: formats named under ``exports``, in the order written
    export_formats: tuple[str, ...] = ()
    theme: Theme = field(default_factory=Theme)
    allow_html: bool = False
    #: every asset any lesson or the theme references, sorted by href
    assets: tuple[Asset, ...] = ()
    #: absolute path of the course folder (for messages only; never re-read)
    root: str = ""

    # Convenience views, computed from ``structure``.

    @property
    def modules(self) -> tuple[Module, ...]:
        return tuple(e for e in self.structure if isinstance(e, Module))

    def iter_items(self) -> Iterator[Item]:
        """Every lesson and quiz in reading order, modules flattened."""
        for entry in self.structure:
            if isinstance(entry, Module):
                yield from entry.items
            else:
                yield entry

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(self.iter_items())

    @property
    def lessons(self) -> tuple[Lesson, ...]:
        return tuple(i for i in self.iter_items() if isinstance(i, Lesson))

    @property
    def quizzes(self) -> tuple[Quiz, ...]:
        return tuple(i for i in self.iter_items() if isinstance(i, Quiz))

    @property
    def scored_quizzes(self) -> tuple[Quiz, ...]:
        """Quizzes that count toward the course score (weight above zero, some points)."""
        return tuple(q for q in self.quizzes if q.weight > 0 and q.total_points > 0)

    @property
    def is_scored(self) -> bool:
        """A course without scored quizzes is only ever completed, never passed or failed."""
        return bool(self.scored_quizzes)

    def option(self, format_name: str) -> Mapping[str, Any]:
        """The options written under ``exports.<format_name>`` (empty when none)."""
        return self.exports.get(format_name) or MappingProxyType({})
