"""The course loader: course.yml and everything it names, into one ``Course``.

``CourseLoader`` is assembled from parts, one module each: typed values (values.py), the
structure and its ids (structure.py), lessons (lessons.py) and quizzes (quizzes.py).
"""

from __future__ import annotations

import re
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..diagnostics import Diagnostics, did_you_mean, shown
from ..model import Author, Course, SourcePos, Theme
from ..names import slugify
from . import guards, limits
from .files import AssetRegistry, CourseFiles, Inventory, SourceError, decode, read_limited
from .lessons import LessonLoader
from .markdown import MarkdownRenderer, make_markdown, plain_text
from .questions import QuestionParser, check_keys
from .quizzes import QuizLoader
from .structure import StructureLoader
from .values import ValueReader
from .yamlpos import YamlError, YList, YMap, parse_yaml

COURSE_FILE = "course.yml"
COURSE_KEYS = {
    "title", "id", "slug", "language", "description", "version", "authors", "keywords",
    "duration", "objectives", "passing_score", "structure", "exports", "theme", "allow_html",
}
THEME_KEYS = {"primary_color", "logo"}

IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+\Z")
SLUG = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*\Z")
COLOR = re.compile(r"#[0-9A-Fa-f]{6}\Z")


def _frozen(value: Any) -> Any:
    """Plain read-only values without positions (for ``Course.exports``)."""
    if isinstance(value, dict):
        return MappingProxyType({str(k): _frozen(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


class CourseLoader(ValueReader, StructureLoader, LessonLoader, QuizLoader):
    """Loads one course folder with ``load()``; problems go to ``diags``, never raised."""

    def __init__(self, root: Path, diags: Diagnostics, pm, export_options):
        self.root = root
        self.diags = diags
        self.pm = pm
        self.export_options = export_options
        self.files = CourseFiles(root)
        self.assets = AssetRegistry(self.files, diags)
        #: every module, lesson and quiz id -> (where it is defined, "module"|"lesson"|"quiz")
        self.ids: dict[str, tuple[SourcePos, str]] = {}

    def read_text(self, rel: str) -> str | None:
        try:
            return decode(read_limited(self.root / rel, limits.MAX_TEXT_FILE_BYTES), rel)
        except SourceError as exc:
            self.diags.error(exc.pos, exc.message)
        except OSError as exc:
            self.diags.error(SourcePos(rel, 1, 1), f"cannot read file: {exc.strerror}")
        except ValueError as exc:
            self.diags.error(SourcePos(rel, 1, 1), f"cannot read this file: it is {exc}")
        return None

    def read_yaml(self, text: str, rel: str, line_offset: int = 0, column_offset: int = 0):
        try:
            return parse_yaml(text, rel, line_offset, column_offset), True
        except YamlError as exc:
            self.diags.error(exc.pos, exc.message)
            return None, False

    def load(self) -> Course | None:
        diags = self.diags
        if not self.root.is_dir():
            diags.error(SourcePos(str(self.root), 1, 1), "not a course folder (no such folder)")
            return None
        if not (self.root / COURSE_FILE).is_file():
            diags.error(SourcePos(COURSE_FILE, 1, 1), f"no {COURSE_FILE} in {self.root}: every course folder needs one")
            return None
        # one walk of the folder, before anything is opened: links out of the course,
        # FIFOs, devices and unreadable folders are refused wherever they are
        self.inventory = Inventory(self.root, diags)
        self.assets.inventory = self.inventory
        if self.files.locate(COURSE_FILE, "", SourcePos(COURSE_FILE, 1, 1), diags, "course file") is None:
            return None
        text = self.read_text(COURSE_FILE)
        if text is None:
            return None
        data, ok = self.read_yaml(text, COURSE_FILE)
        if not ok:
            return None
        if not isinstance(data, YMap):
            diags.error(SourcePos(COURSE_FILE, 1, 1), "course.yml must be a mapping of keys (title, structure...)")
            return None
        check_keys(data, COURSE_KEYS, diags, COURSE_FILE)
        for key in ("title", "structure"):
            if key not in data:
                diags.error(SourcePos(COURSE_FILE, 1, 1), f"course.yml has no '{key}' (required)")

        title = self.text_value(data, "title", required=True) or ""
        slug = data.get("slug", slugify(self.root.resolve().name))
        if "slug" in data and not (isinstance(slug, str) and SLUG.match(slug)):
            diags.error(data.at("slug"), f"invalid slug {shown(slug)}: use lower-case letters, digits and '-'")
        course_id = data.get("id", f"urn:coursekit:{slug}")
        if "id" in data and not (isinstance(course_id, str) and IRI.match(course_id)):
            diags.error(data.at("id"), f"'id' must be an absolute IRI such as 'https://example.org/courses/x' or 'urn:x:y', not {shown(course_id)}")
        language = data.get("language", "en")
        if not (isinstance(language, str) and LANGUAGE.match(language)):
            hint = ""
            if isinstance(language, str) and LANGUAGE.match(language.replace("_", "-")):
                hint = f" (write '{language.replace('_', '-')}': '-', not '_')"
            diags.error(data.at("language"), f"'language' must be a BCP 47 tag such as 'fr' or 'fr-FR', not {shown(language)}{hint}")
            language = "en"
        allow_html = data.get("allow_html", False)
        if not isinstance(allow_html, bool):
            diags.error(data.at("allow_html"), f"'allow_html' must be true or false, not {shown(allow_html)}")
            allow_html = False
        passing_score = data.get("passing_score", 80)
        if not (isinstance(passing_score, int) and not isinstance(passing_score, bool) and 0 <= passing_score <= 100):
            diags.error(data.at("passing_score"), f"'passing_score' must be a whole number from 0 to 100, not {shown(passing_score)}")
            passing_score = 80
        self.passing_score = passing_score

        prepare = self.pm.hook.prepare_markdown if self.pm is not None else None
        md = make_markdown(allow_html, language, (lambda m: prepare(md=m)) if prepare else None)
        self.md = MarkdownRenderer(md, self.assets.resolve_link, diags.warning, diags.error)
        self.questions = QuestionParser(self.md, diags)

        description_html = description = None
        if data.get("description") not in (None, ""):
            if isinstance(data["description"], str):
                description_html = self.md.block(data["description"], "", data.at("description"))
                description = plain_text(description_html)
            else:
                diags.error(data.at("description"), "'description' must be text (Markdown)")
        version = data.text("version")
        if version is not None:
            if isinstance(version, (str, int, float)):
                version = str(version)
            else:
                diags.error(data.at("version"), f"'version' must be text such as '1.2.0', not {shown(version)}")
                version = None
        duration = self.duration_value(data)
        objectives = self.string_list(data, "objectives")
        objectives_html = tuple(self.md.inline(o, "", data.at("objectives")) for o in objectives)

        structure = self.load_structure(data)
        self.warn_unlisted()
        theme = self.load_theme(data)
        exports, export_formats = self.load_exports(data)
        guards.check(self, structure, theme, allow_html)  # hostile input: id case, theme templates, scripts in files

        self.inventory.report_outside(diags, self.files.reported_outside)
        self.check_course_size()
        if diags.errors:
            return None
        assets = self.assets.read_assets()
        if diags.errors:
            return None
        return Course(
            id=course_id,
            slug=slug,
            title=title,
            structure=structure,
            language=language,
            description_html=description_html,
            description=description,
            version=version,
            authors=self.load_authors(data),
            keywords=self.string_list(data, "keywords"),
            duration=duration,
            objectives_html=objectives_html,
            objectives=tuple(plain_text(o) for o in objectives_html),
            passing_score=passing_score,
            exports=exports,
            export_formats=export_formats,
            theme=theme,
            allow_html=allow_html,
            assets=assets,
            root=str(self.root.resolve()),
        )

    def load_authors(self, data: YMap) -> tuple[Author, ...]:
        value = data.get("authors")
        if value is None:
            return ()
        if isinstance(value, (str, YMap)):
            value = YList(data.at("authors"))
            value.append(data["authors"])
        if not isinstance(value, list):
            self.diags.error(data.at("authors"), "'authors' must be a list of names or of {name, email}")
            return ()
        authors = []
        for index, entry in enumerate(value):
            if isinstance(entry, str) and entry.strip():
                authors.append(Author(entry.strip()))
            elif isinstance(entry, YMap):
                check_keys(entry, {"name", "email"}, self.diags, "an author")
                name = entry.get("name")
                email = entry.get("email")
                if not isinstance(name, str) or not name.strip():
                    self.diags.error(entry.pos, "an author needs a 'name'")
                    continue
                if email is not None and not (isinstance(email, str) and re.fullmatch(r"[^@\s]+@[^@\s]+", email)):
                    self.diags.error(entry.at("email"), f"invalid email {shown(email)}")
                    email = None
                authors.append(Author(name.strip(), email))
            else:
                self.diags.error(value.at(index), "an author is a name or a mapping with 'name' and 'email'")
        return tuple(authors)

    def check_course_size(self) -> None:
        """All the files the course uses together stay under ``MAX_COURSE_BYTES``
        (checked on their sizes, before any asset is read)."""
        sizes = dict(self.files.sizes)
        for rel in self.assets.used:
            sizes.setdefault(rel, self.inventory.files.get(rel, 0))
        total = sum(sizes.values())
        if total > limits.MAX_COURSE_BYTES:
            self.diags.error(
                SourcePos(COURSE_FILE, 1, 1),
                f"the files of this course add up to {total / 2**20:.1f} MiB: at most "
                f"{limits.MAX_COURSE_BYTES // 2**20} MiB ({limits.DOCS})",
            )

    def load_theme(self, data: YMap) -> Theme:
        overrides = {}
        for rel in self.inventory.under("theme"):
            if any(part.startswith(".") for part in rel.split("/")):
                continue
            pos = SourcePos(rel, 1, 1)
            if self.files.locate(rel, "", pos, self.diags, "theme file"):
                try:
                    overrides[rel[len("theme/"):]] = read_limited(self.root / rel, limits.MAX_ASSET_FILE_BYTES)
                except (OSError, ValueError) as exc:
                    self.diags.error(pos, f"cannot read this theme file: {getattr(exc, 'strerror', None) or exc}")
        theme = data.get("theme")
        if theme is None:
            return Theme(overrides=MappingProxyType(overrides))
        if not isinstance(theme, YMap):
            self.diags.error(data.at("theme"), "'theme' must be a mapping with 'primary_color' and/or 'logo'")
            return Theme()
        check_keys(theme, THEME_KEYS, self.diags, "theme")
        color = theme.get("primary_color")
        if "primary_color" in theme and color is None:
            # `primary_color: #2a7ae2` is a YAML comment: the colour silently vanishes
            self.diags.error(
                theme.key_at("primary_color"),
                "'primary_color' has no value: '#' starts a comment in YAML, so write the colour in quotes: primary_color: \"#2a7ae2\"",
            )
        elif color is not None and not (isinstance(color, str) and COLOR.match(color)):
            self.diags.error(theme.at("primary_color"), f"'primary_color' must be written '#RRGGBB' (quoted in YAML), not {shown(color)}")
            color = None
        logo = None
        if theme.get("logo") is not None:
            rel = self.files.locate(theme["logo"], "", theme.at("logo"), self.diags, "logo")
            if rel is not None:
                logo = self.assets.add(rel, theme.at("logo"))
        return Theme(primary_color=color, logo=logo, overrides=MappingProxyType(overrides))

    def load_exports(self, data: YMap):
        exports = data.get("exports")
        if exports is None:
            return MappingProxyType({}), ()
        if not isinstance(exports, YMap):
            self.diags.error(data.at("exports"), "'exports' must map format names to their options")
            return MappingProxyType({}), ()
        result = {}
        for name, options in exports.items():
            name = str(name)
            if options is None:
                options = YMap(exports.at(name))
            if not isinstance(options, YMap):
                self.diags.error(exports.at(name), f"the options of '{name}' must be a mapping (or empty)")
                continue
            if self.export_options is not None:
                known = self.export_options.get(name)
                if known is None:
                    self.diags.warning(
                        exports.key_at(name),
                        f"no installed exporter is named '{name}'{did_you_mean(name, self.export_options)}",
                    )
                else:
                    for key, value in options.items():
                        if key not in known:
                            self.diags.error(options.key_at(key), f"unknown option '{key}' for '{name}'{did_you_mean(key, known)}")
                            continue
                        why = known[key].problem(_frozen(value))
                        if why:
                            self.diags.error(options.at(key), f"exports.{name}.{key} {why}")
            result[name] = _frozen(options)
        return MappingProxyType(result), tuple(result)
