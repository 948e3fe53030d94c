"""Render a course into the player's static site: the pages every web format ships.

``Site(course).files()`` gives every page and the runtime; ``Site(course).shell(...)`` gives
the host page a tracked format (SCORM, xAPI, cmi5) launches. See docs/tracker.md.
"""

from __future__ import annotations

import json
import re
import zlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable, Sequence

import jinja2

from ..model import Asset, Author, Choice, Course, Lesson, MatchPair, Module, OrderItem, Question, Quiz, SourcePos, Theme
from ..names import safe_path
from ..active_content import page_active_markup
from ..diagnostics import CourseError, Problem
from . import data, i18n
from .sandbox import BuiltinPages, ThemeSandbox, check_templates, theme_loader
from .theme import theme_css

_HERE = Path(__file__).parent
STATIC = _HERE / "static"
TEMPLATES = _HERE / "templates"
#: the runtime files, in the order a page loads them
RUNTIME = ("player/player.js", "player/player.css")
_PLACEHOLDER = re.compile(r"(?:<p>\s*)?<!--ck-question:([A-Za-z0-9][A-Za-z0-9_-]*)-->(?:\s*</p>)?")
_HEADING = re.compile(r"<(/?)h([1-6])\b")


@dataclass(frozen=True)
class Part:
    """A slice of a lesson body: HTML, then optionally the inline question that follows it."""

    html: str
    question: Question | None = None


#: the model's data classes, read directly by the template sandbox (plain data, no code)
PLAIN_TYPES = (Course, Lesson, Quiz, Module, Question, Part, Choice, MatchPair, OrderItem, Theme, Asset, Author, SourcePos)


def lesson_parts(lesson: Lesson) -> list[Part]:
    """Split the body at its ``<!--ck-question:ID-->`` placeholders.

    A question the body does not place (the loader should always place it) is appended at the
    end rather than lost."""
    by_id = {q.id: q for q in lesson.questions}
    html = shift_headings(lesson.html)
    parts: list[Part] = []
    pos = 0
    for match in _PLACEHOLDER.finditer(html):
        question = by_id.pop(match.group(1), None)
        if question is None:
            continue
        parts.append(Part(html[pos : match.start()], question))
        pos = match.end()
    parts.append(Part(html[pos:]))
    parts.extend(Part("", q) for q in by_id.values())
    return parts


def shift_headings(html: str) -> str:
    """Move the body's headings so that its top level is ``<h2>``: the page's ``<h1>`` is the
    lesson title, and levels must not skip (authors start at ``#`` or ``##``; the loader may
    already have shifted them). Relative levels are kept."""
    levels = [int(m.group(2)) for m in _HEADING.finditer(html)]
    if not levels or min(levels) == 2:
        return html
    shift = 2 - min(levels)
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + shift, 6)}", html)


def initial_order(question: Question) -> list[str]:
    """The order an ordering question first shows its items: never the correct one.

    Deterministic (derived from the ids) so builds are byte-identical; the runtime reshuffles
    per learner when the quiz asks for ``shuffle``."""
    ids = [i.id for i in question.items]
    order = sorted(ids, key=lambda i: zlib.crc32(f"{question.id}/{i}".encode()))
    if order == ids and len(ids) > 1:
        order = order[1:] + order[:1]
    return order


class Site:
    """The player's pages for one course. Rendering happens on demand and is cached."""

    def __init__(self, course: Course):
        self.course = course
        self.lang = course.language or i18n.FALLBACK
        self.strings = i18n.strings_for(self.lang)
        self.items = course.items
        self.keys = data.question_keys(course)

    # --- public API -------------------------------------------------------------------------

    def files(self) -> dict[str, bytes]:
        """Every page, the runtime, ``course.json`` and the theme's extra files (not the assets)."""
        files: dict[str, bytes] = {}
        files["index.html"] = self._render("index.html", page="index.html", page_kind="home")
        for position, item in enumerate(self.items):
            template = "lesson.html" if isinstance(item, Lesson) else "quiz.html"
            files[item.href] = self._render(template, page=item.href, page_kind=item.kind, item=item, position=position)
        files["results.html"] = self._render("results.html", page="results.html", page_kind="results")
        files["player/player.js"] = (STATIC / "player.js").read_bytes()
        files["player/player.css"] = self.css.encode("utf-8")
        files["player/course.js"] = self.course_script.encode("utf-8")
        files["course.json"] = (json.dumps(self.course_data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
        files.update(self._theme_files())
        return files

    def shell(
        self,
        adapter: str,
        scripts: Sequence[str] = (),
        scope: Iterable[str] | None = None,
        start: str | None = None,
        title: str | None = None,
        options: dict[str, Any] | None = None,
    ) -> bytes:
        """A host page (``launch.html``) that runs ``adapter`` and shows the pages in a frame.

        ``scope``: the item ids this launch covers, or None for the whole course. ``start``:
        the first page, by default the home page or, for a scope, its first item's page."""
        scope_ids = list(scope) if scope is not None else None
        if scope_ids is not None:
            known = {item.id for item in self.items}
            unknown = [i for i in scope_ids if i not in known]
            if unknown:
                raise ValueError(f"scope names items the course does not have: {', '.join(unknown)}")
        if start is None:
            start = "index.html"
            if scope_ids:
                start = next(item.href for item in self.items if item.id in scope_ids)
        config = {"course": self.course.id, "adapter": adapter, "start": start, "scope": scope_ids, "options": dict(options or {})}
        return self._render(
            "shell.html",
            page="launch.html",
            page_kind="shell",
            config_json=data.to_json(config),
            scripts=list(scripts),
            shell_title=title or self.course.title,
            start=start,
        )

    # --- pieces -------------------------------------------------------------------------------

    @cached_property
    def course_data(self) -> dict[str, Any]:
        return data.course_data(self.course)

    @cached_property
    def course_script(self) -> str:
        # a plain script rather than a fetch() of course.json: fetch fails from file://
        return (
            "/* generated by coursekit from the course source: the course description for the player and its adapters */\n"
            f"window.CoursekitData={{course:{data.to_json(self.course_data)},\nstrings:{data.to_json(self.strings)}}};\n"
        )

    @cached_property
    def css(self) -> str:
        base = (STATIC / "player.css").read_text("utf-8")
        override = self.course.theme.overrides.get("player.css")
        css = base + theme_css(self.course.theme.primary_color)
        if override is not None:
            # appended last so that the course's rules win the cascade
            css += "/* theme/player.css */\n" + override.decode("utf-8")
        return css

    def _theme_files(self) -> dict[str, bytes]:
        """Theme files other than templates and player.css (fonts, images the CSS uses).

        They sit under ``player/`` beside the stylesheet, so the course CSS's relative urls work."""
        out = {}
        for name, content in sorted(self.course.theme.overrides.items()):
            if name == "player.css" or name.startswith("templates/"):
                continue
            target = "player/" + safe_path(name)
            if target not in ("player/player.js", "player/player.css", "player/course.js"):
                out[target] = content
        return out

    @cached_property
    def theme_templates(self) -> dict[str, str]:
        """The course's own templates by name (``lesson.html``), checked for syntax first."""
        problems = check_templates(self.course.theme.overrides, TEMPLATES)
        if problems:
            raise CourseError(problems)
        return {
            name[len("templates/") :]: content.decode("utf-8")
            for name, content in self.course.theme.overrides.items()
            if name.startswith("templates/")
        }

    @cached_property
    def env(self) -> ThemeSandbox | BuiltinPages:
        return self._environment(self.theme_templates)

    @cached_property
    def builtin_env(self) -> BuiltinPages:
        """The player's own templates alone: what a themed page is compared with."""
        return self._environment({})

    def _environment(self, overrides: dict[str, str]) -> ThemeSandbox | BuiltinPages:
        # the course's templates are data from anyone: rendered in a sandbox (sandbox.py);
        # a course without templates runs only the player's own, which need none
        pages = ThemeSandbox if overrides else BuiltinPages
        env = pages(
            theme_names=overrides,
            plain_types=PLAIN_TYPES,
            loader=jinja2.ChoiceLoader([theme_loader(overrides), jinja2.FileSystemLoader(str(TEMPLATES))]),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=jinja2.StrictUndefined,
            auto_reload=False,  # templates do not change during a build: no stat() per page
        )
        lang = self.lang
        env.filters.update(
            number=lambda v: i18n.format_number(v, lang),
            percent=lambda v: i18n.format_percent(v, lang),
            points=lambda v: i18n.format_points(v, lang),
            duration=lambda v: i18n.format_duration(v, lang),
            fill=lambda text, **values: _fill(text, values),
        )
        env.globals.update(
            course=self.course,
            t=self.strings,
            lang=lang,
            items=self.items,
            keys=self.keys,
            logo=self.course.theme.logo,
            first_href=self.items[0].href if self.items else "results.html",
            outline=self._outline(),
            lesson_parts=lesson_parts,
            initial_order=initial_order,
            quizzes=self.course.quizzes,
            Lesson=Lesson,
            Quiz=Quiz,
        )
        return env

    def _outline(self) -> list[dict[str, Any]]:
        """Top-level entries: ``{"module": Module|None, "items": [...]}``, consecutive loose items grouped."""
        groups: list[dict[str, Any]] = []
        for entry in self.course.structure:
            if isinstance(entry, Module):
                groups.append({"module": entry, "items": list(entry.items)})
            elif groups and groups[-1]["module"] is None:
                groups[-1]["items"].append(entry)
            else:
                groups.append({"module": None, "items": [entry]})
        return groups

    def _render(self, template: str, *, page: str, page_kind: str, item: Lesson | Quiz | None = None, position: int | None = None, **extra: Any) -> bytes:
        prev_link = next_link = None
        if page_kind == "home":
            next_link = self._link(self.items[0]) if self.items else None
        elif page_kind == "results":
            prev_link = self._link(self.items[-1]) if self.items else None
        elif position is not None:
            prev_link = self._link(self.items[position - 1]) if position > 0 else {"href": "index.html", "title": self.strings["home"]}
            next_link = self._link(self.items[position + 1]) if position + 1 < len(self.items) else {"href": "results.html", "title": self.strings["results"]}
        context = dict(page=page, page_kind=page_kind, item=item, prev_link=prev_link, next_link=next_link, **extra)
        html = self.env.render(template, **context)
        if self.theme_templates and not self.course.allow_html:
            self._refuse_theme_scripts(html, self.builtin_env.render(template, **context), page)
        return html.encode("utf-8")

    def _refuse_theme_scripts(self, themed: str, builtin: str, page: str) -> None:
        """A course's templates restyle pages; with ``allow_html`` off they add no script,
        handler or frame to what the player's own templates give (docs/security.md)."""
        added = sorted(page_active_markup(themed) - page_active_markup(builtin))
        if not added:
            return
        snippet = added[0][:80]
        where, line = self._template_line(added[0])
        raise CourseError([Problem(where, line, 1, "error",
                                   f"the page {page} would run code the player does not ({snippet!r}): a theme template "
                                   "may not add scripts, event handlers, frames or script URLs unless course.yml sets "
                                   "allow_html: true")])

    def _template_line(self, markup: str) -> tuple[str, int]:
        """The course template (and line) that holds ``markup`` as written; line 1 of the first
        when the template built it from pieces."""
        probes = [markup[:40], markup[:20]]
        for probe in probes:
            for name, source in sorted(self.theme_templates.items()):
                at = source.lower().find(probe.lower())
                if at >= 0:
                    return f"theme/templates/{name}", source.count("\n", 0, at) + 1
        return f"theme/templates/{sorted(self.theme_templates)[0]}", 1

    @staticmethod
    def _link(item: Lesson | Quiz) -> dict[str, str]:
        return {"href": item.href, "title": item.title}


def _fill(text: str, values: dict[str, Any]) -> str:
    """``"Question {n} of {total}"`` with its values (the same placeholders the runtime fills)."""
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    return text
