"""The ``structure`` of course.yml: modules, lessons and quizzes in order, ids unique across
them, links between pages, and big courses loaded in two processes."""

from __future__ import annotations

import os
import pickle
import posixpath
import re
import sys
import threading
from pathlib import Path

from .. import children
from ..diagnostics import shown
from ..model import Lesson, Module, Quiz, SourcePos
from ..names import slugify
from . import limits
from .markdown import markdown_units, units_line
from .questions import ID_PATTERN, ID_RULE, check_keys
from .yamlpos import YList, YMap

MODULE_KEYS = {"module", "id", "items"}
LEADING_NUMBER = re.compile(r"^\d+[-_.]")
#: what an unforeseen failure while reading one file is reported as
INTERNAL_ERROR = "coursekit could not read this file (an internal error: please report it)"
#: courses with fewer lessons and quizzes load in one process (a fork costs more than it saves)
PARALLEL_MIN_ITEMS = 200


def _can_fork() -> bool:
    """Forking is safe on POSIX when no other thread could hold a lock the child needs;
    ``COURSEKIT_LOAD_JOBS=1`` turns it off."""
    if os.environ.get("COURSEKIT_LOAD_JOBS") == "1" or not hasattr(os, "fork") or sys.platform == "darwin":
        return False
    return threading.active_count() == 1 and (os.cpu_count() or 1) > 1


class StructureLoader:
    """Part of the course loader: needs ``self.diags``, ``self.files``, ``self.assets``,
    ``self.ids``, ``self.read_text``/``read_yaml`` and the lesson and quiz loaders."""

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
        if structure is None and "structure" not in data:
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
        if len(tasks) > limits.MAX_ITEMS:
            self.diags.error(tasks[limits.MAX_ITEMS][1], f"a course lists at most {limits.MAX_ITEMS} lessons and quizzes ({limits.DOCS})")
            return ()
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
        self.read_texts(tasks)
        if len(tasks) < PARALLEL_MIN_ITEMS or not _can_fork():
            return [self.load_item(*task) for task in tasks]
        half = len(tasks) // 2
        ids_before = set(self.ids)
        read_end, write_end = os.pipe()
        pid = children.fork()  # the child dies with its parent; reaped on any exit
        if pid == 0:  # the child: load its half, send it back, never return into the caller
            status = 1
            try:
                os.close(read_end)
                mark = len(self.diags._problems)
                items = [self.load_item(*task) for task in tasks[half:]]
                claims = [(k, v) for k, v in self.ids.items() if k not in ids_before]
                result = (items, self.diags._problems[mark:], self.assets.used, self.assets.pages,
                          claims, self.assets.forward_links, self.assets.first_use, self.files.sizes,
                          self.files.reported_outside)
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
        theirs, problems, used, pages, claims, forward, first_use, sizes, outside = pickle.loads(payload)
        self.files.reported_outside.update(outside)
        self.diags.extend(problems)
        for rel in used:
            self.assets.add(rel, first_use.get(rel))
        self.files.sizes.update(sizes)
        self.assets.pages.update(pages)
        self.assets.forward_links = self.assets.forward_links or forward
        for value, (pos, what) in claims:  # the child's claims come later in structure order
            self.claim_id(value, pos, what)
        return mine + theirs

    def read_texts(self, tasks: list) -> None:
        """Read every listed file first, in structure order, and weigh the Markdown work
        each one will cost: a file or a course past its budget is refused here, before
        the slow part, at the line (or structure entry) where the budget runs out. Done
        before any fork, so one process or two find exactly the same."""
        self.texts: dict[str, str | None] = {}
        course_units = 0
        for rel, pos, _ in tasks:
            text = self.read_text(rel)
            if text is not None:
                blocks = rel.endswith(".md")
                units = markdown_units(text, blocks)
                if units > limits.MAX_MARKDOWN_UNITS:
                    line = units_line(text, limits.MAX_MARKDOWN_UNITS, blocks)
                    self.diags.error(
                        SourcePos(rel, line + 1, 1),
                        f"this file is too dense to load in reasonable time: at most {limits.MAX_MARKDOWN_UNITS} "
                        f"lines and Markdown marks, passed on this line ({limits.DOCS}): split it",
                    )
                    text = None
                elif course_units + units > limits.MAX_COURSE_MARKDOWN_UNITS:
                    self.diags.error(
                        pos,
                        f"the lessons and quizzes up to this one hold too much Markdown for one course: at most "
                        f"{limits.MAX_COURSE_MARKDOWN_UNITS} lines and Markdown marks in all ({limits.DOCS})",
                    )
                    text = None
                else:
                    course_units += units
            self.texts[rel] = text

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
        texts = getattr(self, "texts", None)
        text = texts.pop(rel, None) if texts is not None and rel in texts else self.read_text(rel)
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
                self.diags.error(id_pos, f"invalid id {shown(module_id)}: {ID_RULE}")
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
        try:
            return self._load_item(rel, pos, module_id)
        except (Exception, RecursionError) as exc:  # noqa: BLE001 - last resort, see below
            # Every known way a file can be wrong is reported where it is wrong; should an
            # unforeseen one still raise, the author gets a position and the other files
            # are still checked, instead of a crash. The hostile-input tests assert this
            # message never appears for the cases they know.
            self.diags.error(SourcePos(rel, 1, 1), f"{INTERNAL_ERROR} ({type(exc).__name__}: {str(exc)[:200]})")
            return None

    def _load_item(self, rel: str, pos: SourcePos, module_id: str | None):
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
                self.diags.error(meta.at("id"), f"invalid id {shown(value)}: {ID_RULE}")
                return None
            self.claim_id(value, meta.at("id"), what)
            return value
        value = self.default_id(rel)
        self.claim_id(value, pos, what)
        return value

    def warn_unlisted(self) -> None:
        listed = getattr(self, "listed", {})
        for folder, suffixes in (("lessons", (".md",)), ("quizzes", (".yml", ".yaml"))):
            for rel in self.inventory.under(folder):
                if rel.endswith(suffixes):
                    if rel not in listed and rel not in getattr(self, "written", ()):
                        self.diags.warning(SourcePos(rel, 1, 1), f"'{rel}' is not listed in course.yml 'structure': it will not be exported")


class _IdOnly:
    """Lets the model's ``href`` properties name a page before the item itself exists."""

    __slots__ = ("id",)

    def __init__(self, value: str):
        self.id = value
