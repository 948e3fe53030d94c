"""Reading course files safely: text decoding with positions, paths kept inside the course."""

from __future__ import annotations

import dataclasses
import mimetypes
import os
import re
import stat
from pathlib import Path
from urllib.parse import unquote

from ..diagnostics import Diagnostics
from ..model import Asset, SourcePos
from ..names import safe_path


class SourceError(Exception):
    def __init__(self, pos: SourcePos, message: str):
        self.pos = pos
        self.message = message
        super().__init__(message)


def decode(data: bytes, rel: str) -> str:
    """UTF-8 text with a BOM dropped and CRLF/CR turned into LF; raises ``SourceError``
    at the first invalid byte."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        line_start = before.rfind(b"\n") + 1
        column = len(before[line_start:].decode("utf-8", errors="replace")) + 1
        raise SourceError(
            SourcePos(rel, line, column),
            f"this file is not UTF-8 text (invalid byte 0x{data[exc.start]:02x} here): save it as UTF-8 in your editor",
        ) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


class CourseFiles:
    """The course folder: resolves references, refusing anything that leaves it."""

    def __init__(self, root: Path):
        self.root = root
        self.real_root = Path(os.path.realpath(root))
        # the same image is often linked from many lessons: check each path once
        self._found: dict[str, str] = {}
        self._real_root = str(self.real_root)
        self._real_dirs: dict[str, str] = {}

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def locate(self, reference: str, base_dir: str, pos: SourcePos, diags: Diagnostics, what: str) -> str | None:
        """Course-relative path of ``reference`` written in a file of ``base_dir``, or None
        after reporting why it cannot be used."""
        if not isinstance(reference, str) or not reference.strip():
            diags.error(pos, f"{what}: expected a path")
            return None
        if reference.startswith(("/", "\\")) or (len(reference) > 1 and reference[1] == ":"):
            diags.error(pos, f"{what} '{reference}' is an absolute path: write it relative to the file")
            return None
        if "\\" in reference:
            diags.error(pos, f"{what} '{reference}' uses '\\': write paths with '/'")
            return None
        parts: list[str] = [p for p in base_dir.split("/") if p] if base_dir else []
        for part in reference.split("/"):
            if part in ("", "."):
                continue
            if part == "..":
                if not parts:
                    diags.error(pos, f"{what} '{reference}' points outside the course folder")
                    return None
                parts.pop()
            else:
                parts.append(part)
        rel = "/".join(parts)
        if not rel:
            diags.error(pos, f"{what} '{reference}' names the course folder itself")
            return None
        if rel in self._found:
            return rel
        full = self.root / rel
        try:
            link = stat.S_ISLNK(os.lstat(full).st_mode)
        except OSError:
            diags.error(pos, f"{what} '{reference}' not found{self._hint(rel)}")
            return None
        folder, _, _ = rel.rpartition("/")
        real = self._real(folder) + "/" + rel.rpartition("/")[2]
        if link:
            real = os.path.realpath(full)
        if not (real == self._real_root or real.startswith(self._real_root + os.sep)):
            diags.error(pos, f"{what} '{reference}' resolves outside the course folder (a link to {real})")
            return None
        if not os.path.isfile(real):
            diags.error(pos, f"{what} '{reference}' " + ("is not a file" if os.path.exists(real) else "not found"))
            return None
        self._found[rel] = rel
        return rel

    def _real(self, folder: str) -> str:
        """Real path of a course folder (cached: many files share few folders)."""
        real = self._real_dirs.get(folder)
        if real is None:
            real = self._real_dirs[folder] = os.path.realpath(self.root / folder) if folder else self._real_root
        return real

    def _hint(self, rel: str) -> str:
        """`` (did you mean ...)`` for a near miss in the same folder (case, extension...)."""
        import difflib

        folder = (self.root / rel).parent
        if not folder.is_dir():
            return ""
        names = [p.name for p in folder.iterdir()]
        match = difflib.get_close_matches(Path(rel).name, names, n=1, cutoff=0.6)
        return f" (did you mean '{match[0]}'?)" if match else ""


class AssetRegistry:
    """Every file lessons link to, each given a unique safe href, read once at the end."""

    def __init__(self, files: CourseFiles, diags: Diagnostics):
        self.files = files
        self.diags = diags
        #: course-relative path -> href of every file referenced so far
        self.used: dict[str, str] = {}
        self._table: dict[str, str] | None = None
        #: course-relative source path of a lesson or quiz -> its page href
        self.pages: dict[str, str] = {}
        #: files listed in ``structure`` (in order), whose pages links may name before
        #: the file itself is loaded
        self.listed: dict = {}
        #: whether a link was written as a placeholder for a page not loaded yet
        self.forward_links = False

    def _href_table(self) -> dict[str, str]:
        """A safe href for every file of the course folder, assigned in sorted path order.

        Two names that fold alike (``Été.png``, ``ete.png``) get ``-2``, ``-3``...
        suffixes; assigning them over the whole folder, not in the order lessons happen to
        reference them, keeps every href stable whatever is loaded first or in parallel.
        """
        if self._table is None:
            paths = []
            for folder, dirs, names in os.walk(self.files.root):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                base = Path(folder).relative_to(self.files.root).as_posix()
                paths.extend(n if base == "." else f"{base}/{n}" for n in names)
            self._table = {}
            taken: set[str] = set()
            for rel in sorted(paths):
                self._table[rel] = _unique(_asset_href(rel), taken)
        return self._table

    def add(self, rel: str) -> str:
        """Record that ``rel`` is exported; returns its href."""
        href = self.used.get(rel)
        if href is None:
            table = self._href_table()
            href = table.get(rel)
            if href is None:  # reached through a linked folder the walk does not follow
                href = table[rel] = _unique(_asset_href(rel), set(table.values()))
            self.used[rel] = href
        return href

    def resolve_link(self, target: str, base_dir: str, pos: SourcePos, is_image: bool) -> str | None:
        """The href a Markdown link or image is rewritten to (None: leave it as written)."""
        if target.startswith("#") or not target:
            return None
        lowered = target.lower()
        if "://" in target or lowered.startswith(("mailto:", "tel:", "data:", "//")):
            if is_image and not lowered.startswith("data:"):
                self.diags.warning(
                    pos, f"image '{target}' is on the web: exports must work offline, copy it into the course"
                )
            return None
        if lowered.startswith("javascript:"):
            self.diags.error(pos, f"link '{target}': javascript: links are not allowed")
            return None
        path, _, fragment = target.partition("#")
        path = path.split("?", 1)[0]
        what = "image" if is_image else "link"
        rel = self.files.locate(unquote(path), base_dir, pos, self.diags, what)
        if rel is None:
            return None
        if rel in self.listed and not is_image:
            page = self.pages.get(rel)
            if page is None:  # a page further on: its id is not known yet
                self.forward_links = True
                page = _PAGE_MARK.format(list(self.listed).index(rel))
            return page + (f"#{fragment}" if fragment else "")
        href = self.add(rel)
        return href + (f"#{fragment}" if fragment else "")

    def fill_page_links(self, item):
        """``item`` with page placeholders replaced by the pages' hrefs."""
        order = list(self.listed)

        def fill(match: re.Match) -> str:
            return self.pages.get(order[int(match.group(1))], "#")

        return _replace_strings(item, lambda text: _PAGE_MARK_RE.sub(fill, text) if "@@ck-page-" in text else text)

    @property
    def assets(self) -> tuple[Asset, ...]:
        """The referenced files with their bytes, sorted by href."""
        result = []
        for rel, href in sorted(self.used.items(), key=lambda item: item[1]):
            media_type = mimetypes.guess_type(rel)[0] or "application/octet-stream"
            result.append(Asset(rel, href, media_type, (self.files.root / rel).read_bytes()))
        return tuple(result)


_PAGE_MARK = "@@ck-page-{}@@"
_PAGE_MARK_RE = re.compile(r"@@ck-page-(\d+)@@")


def _replace_strings(value, change):
    """``value`` (a model object, tuple or string) with ``change`` applied to every string."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, tuple):
        return tuple(_replace_strings(v, change) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        updates = {}
        for f in dataclasses.fields(value):
            old = getattr(value, f.name)
            new = _replace_strings(old, change)
            if new is not old and new != old:
                updates[f.name] = new
        return dataclasses.replace(value, **updates) if updates else value
    return value


def _asset_href(rel: str) -> str:
    href = safe_path(rel)
    return href if href.startswith("assets/") else "assets/" + href


def _unique(href: str, taken: set[str]) -> str:
    stem, dot, ext = href.rpartition(".")
    if not dot or "/" in ext:
        stem, ext = href, ""
    candidate, n = href, 2
    while candidate in taken:
        candidate = f"{stem}-{n}.{ext}" if ext else f"{stem}-{n}"
        n += 1
    taken.add(candidate)
    return candidate
