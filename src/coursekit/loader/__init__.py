"""Course folder -> one immutable ``Course``, with every problem reported at its position.

``load_course(path)`` returns the course or raises ``CourseError`` holding every problem
found (errors and warnings); ``read_course(path)`` returns ``(course_or_None, problems)``
for callers that want warnings of a clean course too (``coursekit check``).
"""

from __future__ import annotations

import os
import pickle
import posixpath
import re
import sys
import threading
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from ..diagnostics import CourseError, Diagnostics, Problem, did_you_mean
from ..model import Author, Course, Lesson, Module, Quiz, SourcePos, Theme
from ..names import slugify
from .files import AssetRegistry, CourseFiles, SourceError, decode
from .markdown import MarkdownRenderer, make_markdown, plain_text
from .questions import ID_PATTERN, ID_RULE, QuestionParser, check_keys, is_number
from .yamlpos import YamlError, YList, YMap, parse_yaml

COURSE_FILE = "course.yml"
COURSE_KEYS = {
    "title", "id", "slug", "language", "description", "version", "authors", "keywords",
    "duration", "objectives", "passing_score", "structure", "exports", "theme", "allow_html",
}
LESSON_KEYS = {"title", "id", "duration", "objectives"}
QUIZ_KEYS = {"title", "id", "passing_score", "weight", "shuffle", "questions", "description"}
MODULE_KEYS = {"module", "id", "items"}
THEME_KEYS = {"primary_color", "logo"}

IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+\Z")
SLUG = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*\Z")
DURATION = re.compile(r"P(?!\Z)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?\Z")
COLOR = re.compile(r"#[0-9A-Fa-f]{6}\Z")
LEADING_NUMBER = re.compile(r"^\d+[-_.]")
FENCE_INFO = "question"
#: courses with fewer lessons and quizzes load in one process (a fork costs more than it saves)
PARALLEL_MIN_ITEMS = 200


def _can_fork() -> bool:
    """Forking is safe on POSIX when no other thread could hold a lock the child needs;
    ``COURSEKIT_LOAD_JOBS=1`` turns it off."""
    if os.environ.get("COURSEKIT_LOAD_JOBS") == "1" or not hasattr(os, "fork") or sys.platform == "darwin":
        return False
    return threading.active_count() == 1 and (os.cpu_count() or 1) > 1


def load_course(path, *, plugin_manager=None, export_options: Mapping[str, Mapping] | None = None) -> Course:
    """Load the course folder at ``path``; raise ``CourseError`` if it has any error."""
    course, problems = read_course(path, plugin_manager=plugin_manager, export_options=export_options)
    if course is None:
        raise CourseError(problems)
    return course


def read_course(path, *, plugin_manager=None, export_options: Mapping[str, Mapping] | None = None):
    """``(course, problems)``; ``course`` is None when any problem is an error.

    ``plugin_manager`` contributes Markdown extensions and extra checks;
    ``export_options`` maps each installed format to its ``Exporter.options`` so that
    ``exports`` in course.yml is validated (both default to the installed plugins when
    a plugin manager is given).
    """
    root = Path(path)
    diags = Diagnostics()
    if export_options is None and plugin_manager is not None:
        from ..plugins import exporters

        export_options = {name: cls.options for name, cls in exporters(plugin_manager).items()}
    course = _CourseLoader(root, diags, plugin_manager, export_options).load()
    if course is not None and plugin_manager is not None and not diags.errors:
        for problems in plugin_manager.hook.extra_checks(course=course):
            for problem in problems or ():
                if not isinstance(problem, Problem):
                    raise TypeError(f"extra_checks must return Problem objects, got {problem!r}")
                diags.extend([problem])
    problems = diags.problems
    if any(p.is_error for p in problems):
        return None, problems
    return course, problems


def _frozen(value: Any) -> Any:
    """Plain read-only values without positions (for ``Course.exports``)."""
    if isinstance(value, dict):
        return MappingProxyType({str(k): _frozen(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


class _CourseLoader:
    def __init__(self, root: Path, diags: Diagnostics, pm, export_options):
        self.root = root
        self.diags = diags
        self.pm = pm
        self.export_options = export_options
        self.files = CourseFiles(root)
        self.assets = AssetRegistry(self.files, diags)
        #: every module, lesson and quiz id -> (where it is defined, "module"|"lesson"|"quiz")
        self.ids: dict[str, tuple[SourcePos, str]] = {}

    # --- reading -----------------------------------------------------------------------

    def read_text(self, rel: str) -> str | None:
        try:
            return decode((self.root / rel).read_bytes(), rel)
        except SourceError as exc:
            self.diags.error(exc.pos, exc.message)
        except OSError as exc:
            self.diags.error(SourcePos(rel, 1, 1), f"cannot read file: {exc.strerror}")
        return None

    def read_yaml(self, text: str, rel: str, line_offset: int = 0, column_offset: int = 0):
        try:
            return parse_yaml(text, rel, line_offset, column_offset), True
        except YamlError as exc:
            self.diags.error(exc.pos, exc.message)
            return None, False

    # --- course.yml --------------------------------------------------------------------

    def load(self) -> Course | None:
        diags = self.diags
        if not self.root.is_dir():
            diags.error(SourcePos(str(self.root), 1, 1), "not a course folder (no such folder)")
            return None
        if not (self.root / COURSE_FILE).is_file():
            diags.error(SourcePos(COURSE_FILE, 1, 1), f"no {COURSE_FILE} in {self.root}: every course folder needs one")
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
            diags.error(data.at("slug"), f"invalid slug {slug!r}: use lower-case letters, digits and '-'")
        course_id = data.get("id", f"urn:coursekit:{slug}")
        if "id" in data and not (isinstance(course_id, str) and IRI.match(course_id)):
            diags.error(data.at("id"), f"'id' must be an absolute IRI such as 'https://example.org/courses/x' or 'urn:x:y', not {course_id!r}")
        language = data.get("language", "en")
        if not (isinstance(language, str) and LANGUAGE.match(language)):
            hint = ""
            if isinstance(language, str) and LANGUAGE.match(language.replace("_", "-")):
                hint = f" (write '{language.replace('_', '-')}': '-', not '_')"
            diags.error(data.at("language"), f"'language' must be a BCP 47 tag such as 'fr' or 'fr-FR', not {language!r}{hint}")
            language = "en"
        allow_html = data.get("allow_html", False)
        if not isinstance(allow_html, bool):
            diags.error(data.at("allow_html"), f"'allow_html' must be true or false, not {allow_html!r}")
            allow_html = False
        passing_score = data.get("passing_score", 80)
        if not (isinstance(passing_score, int) and not isinstance(passing_score, bool) and 0 <= passing_score <= 100):
            diags.error(data.at("passing_score"), f"'passing_score' must be a whole number from 0 to 100, not {passing_score!r}")
            passing_score = 80
        self.passing_score = passing_score

        prepare = self.pm.hook.prepare_markdown if self.pm is not None else None
        md = make_markdown(allow_html, language, (lambda m: prepare(md=m)) if prepare else None)
        self.md = MarkdownRenderer(md, self.assets.resolve_link, diags.warning)
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
                diags.error(data.at("version"), f"'version' must be text such as '1.2.0', not {version!r}")
                version = None
        duration = self.duration_value(data)
        objectives = self.string_list(data, "objectives")
        objectives_html = tuple(self.md.inline(o, "", data.at("objectives")) for o in objectives)

        structure = self.load_structure(data)
        self.warn_unlisted()
        theme = self.load_theme(data)
        exports, export_formats = self.load_exports(data)

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
            assets=self.assets.assets,
            root=str(self.root.resolve()),
        )

    def text_value(self, data: YMap, key: str, required: bool = False) -> str | None:
        if key not in data:
            return None
        value = data.text(key)
        if isinstance(value, (int, float)):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.diags.error(data.at(key), f"'{key}' must be non-empty text")
            return None
        return value.strip()

    def duration_value(self, data: YMap) -> str | None:
        duration = data.get("duration")
        if duration is None:
            return None
        if not (isinstance(duration, str) and DURATION.match(duration)):
            self.diags.error(data.at("duration"), f"'duration' must be an ISO 8601 duration such as 'PT1H30M', not {duration!r}")
            return None
        return duration

    def string_list(self, data: YMap, key: str) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.diags.error(data.at(key), f"'{key}' must be a list of texts")
            return ()
        result = []
        for index, item in enumerate(value):
            if isinstance(value, YList):
                item = value.text(index)
            if isinstance(item, (str, int, float)) and str(item).strip():
                result.append(str(item))
            else:
                pos = value.at(index) if isinstance(value, YList) else data.at(key)
                self.diags.error(pos, f"each entry of '{key}' must be non-empty text, not {item!r}")
        return tuple(result)

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
                    self.diags.error(entry.at("email"), f"invalid email {email!r}")
                    email = None
                authors.append(Author(name.strip(), email))
            else:
                self.diags.error(value.at(index), "an author is a name or a mapping with 'name' and 'email'")
        return tuple(authors)

    def load_theme(self, data: YMap) -> Theme:
        overrides = {}
        theme_dir = self.root / "theme"
        if theme_dir.is_dir():
            for path in sorted(theme_dir.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    rel = self.files.rel(path)
                    if self.files.locate(rel, "", SourcePos(rel, 1, 1), self.diags, "theme file"):
                        overrides[path.relative_to(theme_dir).as_posix()] = path.read_bytes()
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
            self.diags.error(theme.at("primary_color"), f"'primary_color' must be written '#RRGGBB' (quoted in YAML), not {color!r}")
            color = None
        logo = None
        if theme.get("logo") is not None:
            rel = self.files.locate(theme["logo"], "", theme.at("logo"), self.diags, "logo")
            if rel is not None:
                logo = self.assets.add(rel)
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

    # --- structure ---------------------------------------------------------------------

    def claim_id(self, value: str, pos: SourcePos, what: str) -> None:
        first = self.ids.get(value)
        if first is not None:
            first_pos, first_what = first
            self.diags.error(
                pos,
                f"{what} id '{value}' is already the id of the {first_what} at {first_pos}: "
                "ids must be unique across modules, lessons and quizzes",
            )
        else:
            self.ids[value] = (pos, what)

    def load_structure(self, data: YMap) -> tuple:
        structure = data.get("structure")
        if structure is None:
            return ()
        if not isinstance(structure, YList) or not structure:
            self.diags.error(data.at("structure"), "'structure' must be a non-empty list of lessons, quizzes and modules")
            return ()
        # First pass: which files, in which order (cheap: nothing is read yet).
        self.listed: dict[str, SourcePos] = {}
        self.written: set[str] = set()
        self.assets.listed = self.listed
        plan = []
        for index, entry in enumerate(structure):
            pos = structure.at(index)
            if isinstance(entry, YMap):
                plan.append(("module", self.plan_module(entry), pos))
            elif isinstance(entry, str):
                plan.append(("file", self.plan_file(entry, pos), pos))
            else:
                self.diags.error(pos, "a structure entry is a path to a lesson (.md) or quiz (.yml), or a module")
        tasks = []
        for kind, entry, pos in plan:
            if kind == "module" and entry is not None:
                module_id, title, planned, module_pos = entry
                tasks.extend((rel, p, module_id) for rel, p in planned)
            elif kind == "file" and entry is not None:
                tasks.append((entry, pos, None))
        loaded = dict(zip((t[0] for t in tasks), self.load_items(tasks)))
        if self.assets.forward_links:
            loaded = {rel: item and self.assets.fill_page_links(item) for rel, item in loaded.items()}
        result = []
        for kind, entry, pos in plan:
            if kind == "module" and entry is not None:
                module_id, title, planned, module_pos = entry
                items = tuple(loaded[rel] for rel, _ in planned if loaded.get(rel) is not None)
                result.append(Module(module_id, title, items, module_pos))
            elif kind == "file" and loaded.get(entry) is not None:
                result.append(loaded[entry])
        return tuple(result)

    def load_items(self, tasks: list) -> list:
        """Lessons and quizzes for ``tasks`` (``(rel, pos, module_id)``), in order.

        Reading and rendering the files is most of a load; on big courses the second half
        is done in a forked copy of this loader, so both cores work. Everything that
        crosses items is merged afterwards exactly as one process would have found it:
        ids claimed (first in structure order wins) and links to pages (placeholders
        filled once every page is known).
        """
        if len(tasks) < PARALLEL_MIN_ITEMS or not _can_fork():
            return [self.load_item(*task) for task in tasks]
        half = len(tasks) // 2
        ids_before = set(self.ids)
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: load its half, send it back, never return into the caller
            status = 1
            try:
                os.close(read_end)
                mark = len(self.diags._problems)
                items = [self.load_item(*task) for task in tasks[half:]]
                claims = [(k, v) for k, v in self.ids.items() if k not in ids_before]
                result = (items, self.diags._problems[mark:], self.assets.used, self.assets.pages,
                          claims, self.assets.forward_links)
                payload = pickle.dumps(result, pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_end, "wb") as pipe:
                    pipe.write(payload)
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        mine = [self.load_item(*task) for task in tasks[:half]]
        with os.fdopen(read_end, "rb") as pipe:
            payload = pipe.read()
        _, status = os.waitpid(pid, 0)
        if status != 0 or not payload:  # the child failed: do its half here, as without fork
            return mine + [self.load_item(*task) for task in tasks[half:]]
        theirs, problems, used, pages, claims, forward = pickle.loads(payload)
        self.diags.extend(problems)
        for rel in used:
            self.assets.add(rel)
        self.assets.pages.update(pages)
        self.assets.forward_links = self.assets.forward_links or forward
        for value, (pos, what) in claims:  # the child's claims come later in structure order
            self.claim_id(value, pos, what)
        return mine + theirs

    def plan_file(self, reference: str, pos: SourcePos) -> str | None:
        # remembered even when refused below: a listed file is never also "not listed"
        self.written.add(posixpath.normpath(reference))
        rel = self.files.locate(reference, "", pos, self.diags, "structure entry")
        if rel is None:
            return None
        if not rel.endswith((".md", ".yml", ".yaml")):
            self.diags.error(pos, f"'{reference}' is neither a lesson (.md) nor a quiz (.yml)")
            return None
        if rel in self.listed:
            self.diags.error(pos, f"'{reference}' is listed twice in structure (first at line {self.listed[rel].line})")
            return None
        self.listed[rel] = pos
        return rel

    def prepare_item(self, rel: str, pos: SourcePos):
        """``(id, meta, body, body_line)`` of a lesson, ``(id, data)`` of a quiz; None when unreadable."""
        text = self.read_text(rel)
        if text is None:
            return None
        if rel.endswith(".md"):
            meta, body, body_line = self.split_front_matter(text, rel)
            if meta is False:
                return None
            item_id = self.item_id(meta, rel, pos, "lesson")
            if item_id is not None:
                self.assets.pages[rel] = Lesson.href.fget(_IdOnly(item_id))
            return item_id, meta, body, body_line
        data, ok = self.read_yaml(text, rel)
        if not ok:
            return None
        if not isinstance(data, YMap):
            self.diags.error(SourcePos(rel, 1, 1), "a quiz must be a mapping with 'title' and 'questions'")
            return None
        item_id = self.item_id(data, rel, pos, "quiz")
        if item_id is not None:
            self.assets.pages[rel] = Quiz.href.fget(_IdOnly(item_id))
        return item_id, data

    def plan_module(self, entry: YMap):
        """``(id, title, [(rel, pos)...], pos)`` of a module entry, or None."""
        check_keys(entry, MODULE_KEYS, self.diags, "a module")
        title = self.text_value(entry, "module")
        if "module" not in entry:
            self.diags.error(entry.pos, "a module entry needs 'module: <title>' and 'items'")
            return None
        if title is None:
            return None
        module_id = entry.get("id")
        if module_id is None:
            module_id = slugify(title)
            id_pos = entry.key_at("module")
        else:
            id_pos = entry.at("id")
            if not (isinstance(module_id, str) and ID_PATTERN.match(module_id)):
                self.diags.error(id_pos, f"invalid id {module_id!r}: {ID_RULE}")
                return None
        self.claim_id(module_id, id_pos, "module")
        items = entry.get("items")
        if not isinstance(items, YList) or not items:
            self.diags.error(entry.at("items") if "items" in entry else entry.pos, f"module '{title}' needs 'items': a non-empty list of lessons and quizzes")
            return None
        planned = []
        for index, item in enumerate(items):
            pos = items.at(index)
            if isinstance(item, YMap):
                self.diags.error(pos, "modules do not nest: list lesson and quiz paths here")
            elif isinstance(item, str):
                planned.append((self.plan_file(item, pos), pos))
            else:
                self.diags.error(pos, "a module item is a path to a lesson (.md) or quiz (.yml)")
        return module_id, title, [(rel, pos) for rel, pos in planned if rel], entry.pos

    def load_item(self, rel: str, pos: SourcePos, module_id: str | None):
        prepared = self.prepare_item(rel, pos)
        if prepared is None:
            return None
        if rel.endswith(".md"):
            return self.load_lesson(rel, pos, module_id, *prepared)
        return self.load_quiz(rel, pos, module_id, *prepared)

    def default_id(self, rel: str) -> str:
        stem = Path(rel).stem
        candidate = LEADING_NUMBER.sub("", stem) or stem
        if ID_PATTERN.match(candidate):
            return candidate
        return slugify(candidate)

    def item_id(self, meta: YMap | None, rel: str, pos: SourcePos, what: str) -> str | None:
        if meta is not None and "id" in meta:
            value = meta["id"]
            if not (isinstance(value, str) and ID_PATTERN.match(value)):
                self.diags.error(meta.at("id"), f"invalid id {value!r}: {ID_RULE}")
                return None
            self.claim_id(value, meta.at("id"), what)
            return value
        value = self.default_id(rel)
        self.claim_id(value, pos, what)
        return value

    # --- lessons -----------------------------------------------------------------------

    def load_lesson(self, rel, pos, module_id, lesson_id, meta, body, body_line) -> Lesson | None:
        if meta is not None:
            check_keys(meta, LESSON_KEYS, self.diags, "lesson front matter")
        title = self.text_value(meta, "title") if meta is not None else None
        duration = self.duration_value(meta) if meta is not None else None
        objectives = self.string_list(meta, "objectives") if meta is not None else ()
        base_dir = rel.rpartition("/")[0]
        lines = body.split("\n")
        env: dict = {}
        tokens = self.md.parse(body, env)
        file_pos = SourcePos(rel, 1, 1)

        if title is None and not (meta is not None and "title" in meta):
            title = self.take_title(tokens)
            if title is None:
                where = meta.pos if meta is not None else file_pos
                self.diags.error(where, "lesson has no title: add 'title:' to the front matter or start with a '# ' heading")
        for token in tokens:  # the page's own <h1> is the title: body headings go one level down
            if token.type in ("heading_open", "heading_close"):
                token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"

        questions = []
        for index, token in enumerate(tokens):
            if token.type == "fence" and token.info.strip() == FENCE_INFO:
                first_line = body_line + token.map[0] + 1  # 0-based line after the opening fence
                data, ok = self.read_yaml(token.content, rel, first_line, 0)
                if not ok:
                    continue
                question = self.questions.parse(data, SourcePos(rel, first_line + 1, 1), base_dir, f"q{len(questions) + 1}")
                if question is None:
                    continue
                if any(q.id == question.id for q in questions):
                    self.diags.error(data.at("id") if isinstance(data, YMap) else SourcePos(rel, first_line + 1, 1), f"question id '{question.id}' is used twice in this lesson")
                    continue
                questions.append(question)
                token.type, token.tag, token.nesting = "html_block", "", 0
                token.content = f"<!--ck-question:{question.id}-->\n"
        self.md.rewrite_links(tokens, lines, body_line, base_dir, file_pos)
        html = self.md.render_tokens(tokens, env)
        objectives_html = tuple(self.md.inline(o, base_dir, meta.at("objectives")) for o in objectives)
        if lesson_id is None or title is None:
            return None
        return Lesson(
            id=lesson_id,
            title=title,
            html=html,
            source=rel,
            duration=duration,
            objectives_html=objectives_html,
            questions=tuple(questions),
            module_id=module_id,
            pos=pos,
        )

    @staticmethod
    def take_title(tokens) -> str | None:
        """The first ``#`` heading's text, removed from the body (it becomes the page title)."""
        for index, token in enumerate(tokens):
            if token.type == "heading_open" and token.tag == "h1":
                title = plain_text(tokens[index + 1].content) or tokens[index + 1].content.strip()
                del tokens[index : index + 3]
                return title or None
        return None

    def split_front_matter(self, text: str, rel: str):
        """``(meta YMap | None | False on error, body, body_line)``: body_line is the 0-based
        line index where the body starts in the file."""
        if not text.startswith("---"):
            return None, text, 0
        lines = text.split("\n")
        if lines[0].strip() != "---":
            return None, text, 0
        for index in range(1, len(lines)):
            if lines[index].rstrip() in ("---", "..."):
                meta_text = "\n".join(lines[1:index])
                data, ok = self.read_yaml(meta_text, rel, 1)
                if not ok:
                    return False, "", 0
                if data is None:
                    data = YMap(SourcePos(rel, 1, 1))
                if not isinstance(data, YMap):
                    self.diags.error(SourcePos(rel, 2, 1), "the front matter must be a mapping (title: ..., id: ...)")
                    return False, "", 0
                return data, "\n".join(lines[index + 1 :]), index + 1
        self.diags.error(SourcePos(rel, 1, 1), "front matter opened with '---' is never closed: add a '---' line after it")
        return False, "", 0

    # --- quizzes -----------------------------------------------------------------------

    def load_quiz(self, rel, pos, module_id, quiz_id, data) -> Quiz | None:
        check_keys(data, QUIZ_KEYS, self.diags, "a quiz")
        title = self.text_value(data, "title") or Path(rel).stem.replace("-", " ").replace("_", " ").strip().capitalize()
        passing = data.get("passing_score", self.passing_score)
        if not (isinstance(passing, int) and not isinstance(passing, bool) and 0 <= passing <= 100):
            self.diags.error(data.at("passing_score"), f"'passing_score' must be a whole number from 0 to 100, not {passing!r}")
        weight = data.get("weight", 1)
        if not is_number(weight) or weight < 0:
            self.diags.error(data.at("weight"), f"'weight' must be a number of 0 or more, not {weight!r}")
        shuffle = data.get("shuffle", False)
        if not isinstance(shuffle, bool):
            self.diags.error(data.at("shuffle"), f"'shuffle' must be true or false, not {shuffle!r}")
        base_dir = rel.rpartition("/")[0]
        description_html = None
        if isinstance(data.get("description"), str):
            description_html = self.md.block(data["description"], base_dir, data.at("description"))
        questions_data = data.get("questions")
        questions = []
        if not isinstance(questions_data, YList) or not questions_data:
            where = data.at("questions") if "questions" in data else SourcePos(rel, 1, 1)
            self.diags.error(where, "a quiz needs 'questions': a non-empty list")
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
            weight=weight if is_number(weight) else 1,
            shuffle=shuffle is True,
            description_html=description_html,
            module_id=module_id,
            pos=pos,
        )

    def warn_unlisted(self) -> None:
        listed = getattr(self, "listed", {})
        for folder, suffixes in (("lessons", (".md",)), ("quizzes", (".yml", ".yaml"))):
            base = self.root / folder
            if not base.is_dir():
                continue
            for path in sorted(base.rglob("*")):
                if path.suffix in suffixes and path.is_file():
                    rel = self.files.rel(path)
                    if rel not in listed and rel not in getattr(self, "written", ()):
                        self.diags.warning(SourcePos(rel, 1, 1), f"'{rel}' is not listed in course.yml 'structure': it will not be exported")


class _IdOnly:
    """Lets the model's ``href`` properties name a page before the item itself exists."""

    __slots__ = ("id",)

    def __init__(self, value: str):
        self.id = value
