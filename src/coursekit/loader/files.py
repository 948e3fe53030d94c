"""Reading course files safely: text decoding with positions, paths kept inside the course."""

from __future__ import annotations

import dataclasses
import errno
import mimetypes
import os
import re
import stat
from pathlib import Path
from urllib.parse import unquote

from ..diagnostics import Diagnostics, shown
from ..model import Asset, SourcePos
from ..names import safe_path
from . import limits
from .textcheck import describe, first_forbidden


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
    bad = first_forbidden(text)
    if bad is not None:
        before = text[: bad.start()]
        line = before.count("\n") + 1
        column = bad.start() - (before.rfind("\n") + 1) + 1
        raise SourceError(
            SourcePos(rel, line, column),
            f"this file holds {describe(bad.group())} here, which no export can carry: remove it",
        )
    return text


def read_limited(path: Path, limit: int) -> bytes:
    """The bytes of a regular file, refusing anything else without opening it (a FIFO
    would block, a device never end) and reading at most ``limit`` bytes; raises
    ``OSError`` or ``ValueError`` with a message for the author."""
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise ValueError(f"{_kind(info.st_mode)}, not a regular file")
    if info.st_size > limit:
        raise ValueError(f"too big ({_size(info.st_size)}; at most {_size(limit)}, {limits.DOCS})")
    with open(path, "rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:  # it grew since
        raise ValueError(f"too big (more than {_size(limit)}, {limits.DOCS})")
    return data


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "a special file"


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MiB" if n >= 1024 * 1024 else f"{n} bytes"


def _is_inside(real: str, real_root: str) -> bool:
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


class Inventory:
    """Every file and folder of the course, found once without following a link and
    without opening anything: links that lead outside the course, FIFOs, devices and
    sockets, and folders that cannot be read are reported where they are."""

    def __init__(self, root: Path, diags: Diagnostics):
        self.root = root
        self.real_root = os.path.realpath(root)
        #: course-relative path -> size in bytes, of every regular file (or link to one)
        self.files: dict[str, int] = {}
        #: course-relative path of each link to a folder inside the course -> its real
        #: course-relative path
        self.linked_dirs: dict[str, str] = {}
        #: links that lead out of the course: course-relative path -> real path
        self.outside: dict[str, str] = {}
        self.complete = True
        entries = 0
        stack = [""]
        while stack:
            folder = stack.pop()
            try:
                with os.scandir(root / folder if folder else root) as it:
                    found = sorted(it, key=lambda e: e.name)
            except OSError as exc:
                diags.error(SourcePos(folder or ".", 1, 1), f"cannot read the folder '{folder or '.'}': {exc.strerror}")
                continue
            for entry in found:
                if entry.name.startswith("."):
                    continue
                entries += 1
                if entries > limits.MAX_FOLDER_ENTRIES:
                    diags.error(SourcePos("course.yml", 1, 1), f"the course folder holds more than {limits.MAX_FOLDER_ENTRIES} files and folders ({limits.DOCS})")
                    self.complete = False
                    return
                rel = f"{folder}/{entry.name}" if folder else entry.name
                self._entry(entry, rel, stack, diags)
        
    def _entry(self, entry, rel: str, stack: list, diags: Diagnostics) -> None:
        pos = SourcePos(rel, 1, 1)
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError as exc:
            diags.error(pos, f"cannot read '{rel}': {exc.strerror}")
            return
        mode = info.st_mode
        if stat.S_ISLNK(mode):
            real = os.path.realpath(entry.path)
            if not _is_inside(real, self.real_root):
                self.outside[rel] = real  # reported at its use, or by ``report_outside``
                return
            try:
                info = os.stat(entry.path)
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    diags.error(pos, f"'{rel}' is a link that leads back to itself: remove it")
                return  # a dangling link: reported only if something uses it
            mode = info.st_mode
            if stat.S_ISDIR(mode):
                self.linked_dirs[rel] = os.path.relpath(real, self.real_root).replace(os.sep, "/")
                return  # its target is walked where it really is
        if stat.S_ISDIR(mode):
            stack.append(rel)
        elif stat.S_ISREG(mode):
            self.files[rel] = info.st_size
        else:
            diags.error(pos, f"'{rel}' is {_kind(mode)}: a course folder holds only regular files and folders")

    def report_outside(self, diags: Diagnostics, reported: set[str]) -> None:
        """Links out of the course that no file used (those used were reported there)."""
        for rel, real in self.outside.items():
            if rel not in reported:
                diags.error(SourcePos(rel, 1, 1), f"'{rel}' is a link to {real}, outside the course folder: copy what it links to into the course instead")

    def under(self, folder: str) -> list[str]:
        """Course-relative paths of the files below ``folder``, sorted (through a link to
        a folder inside the course too)."""
        real = self.linked_dirs.get(folder, folder)
        prefix = real + "/"
        return sorted(folder + "/" + rel[len(prefix):] for rel in self.files if rel.startswith(prefix))


class CourseFiles:
    """The course folder: resolves references, refusing anything that leaves it."""

    def __init__(self, root: Path):
        self.root = root
        self.real_root = Path(os.path.realpath(root))
        # the same image is often linked from many lessons: check each path once
        self._found: dict[str, str] = {}
        self._real_root = str(self.real_root)
        self._real_dirs: dict[str, str] = {}
        self._listings: dict[str, list[str]] = {}
        self._hints = 0
        #: course-relative path -> size, of every file found by ``locate``
        self.sizes: dict[str, int] = {}
        #: links leading out of the course reported where a file used them
        self.reported_outside: set[str] = set()

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def locate(self, reference: str, base_dir: str, pos: SourcePos, diags: Diagnostics, what: str) -> str | None:
        """Course-relative path of ``reference`` written in a file of ``base_dir``, or None
        after reporting why it cannot be used."""
        if not isinstance(reference, str) or not reference.strip():
            diags.error(pos, f"{what}: expected a path")
            return None
        bad = first_forbidden(reference)
        if bad is not None:
            diags.error(pos, f"{what} {shown(reference)} holds {describe(bad.group())}: no file has such a name")
            return None
        if len(reference) > 1024:
            diags.error(pos, f"{what}: a path of {len(reference)} characters is too long (at most 1024)")
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
        # the real folder, not only the file: a linked folder (lessons -> /elsewhere) may
        # lead out of the course as surely as a linked file
        real = os.path.realpath(full) if link else self._real(folder) + "/" + rel.rpartition("/")[2]
        if not _is_inside(real, self._real_root):
            diags.error(pos, f"{what} '{reference}' resolves outside the course folder (a link to {real})")
            # the link on the way (the file or a folder above it) is reported here, at its use
            parts = rel.split("/")
            self.reported_outside.update("/".join(parts[:n]) for n in range(1, len(parts) + 1))
            return None
        try:
            info = os.stat(real)  # never opened here: a FIFO would block the loader
        except OSError:
            diags.error(pos, f"{what} '{reference}' not found")
            return None
        if not stat.S_ISREG(info.st_mode):
            diags.error(pos, f"{what} '{reference}' is not a file" + ("" if stat.S_ISDIR(info.st_mode) else f" but {_kind(info.st_mode)}"))
            return None
        limit = limits.MAX_TEXT_FILE_BYTES if what == "structure entry" else limits.MAX_ASSET_FILE_BYTES
        if info.st_size > limit:
            diags.error(pos, f"{what} '{reference}' is too big ({_size(info.st_size)}; at most {_size(limit)}, {limits.DOCS})")
            return None
        self.sizes[rel] = info.st_size
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

        self._hints += 1
        if self._hints > 100:  # enough hints for one course: keep a flood of misses cheap
            return ""
        folder = rel.rpartition("/")[0]
        names = self._listings.get(folder)
        if names is None:  # listed once: a lesson may name thousands of missing images
            try:
                with os.scandir(self.root / folder if folder else self.root) as it:
                    names = sorted(e.name for e in it)[:1000]
            except (OSError, ValueError):
                names = []
            self._listings[folder] = names
        if not names:
            return ""
        match = difflib.get_close_matches(rel.rpartition("/")[2], names, n=1, cutoff=0.6)
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
        self._listed_order: dict = {}
        #: the course folder's files, set by the loader once it has walked the folder
        self.inventory: Inventory | None = None
        #: course-relative path -> where it was first referenced (for read errors)
        self.first_use: dict[str, SourcePos] = {}

    def _href_table(self) -> dict[str, str]:
        """A safe href for every file of the course folder, assigned in sorted path order.

        Two names that fold alike (``Été.png``, ``ete.png``) get ``-2``, ``-3``...
        suffixes; assigning them over the whole folder, not in the order lessons happen to
        reference them, keeps every href stable whatever is loaded first or in parallel.
        """
        if self._table is None:
            paths = list(self.inventory.files) if self.inventory is not None else []
            self._table = {}
            taken: set[str] = set()
            for rel in sorted(paths):
                self._table[rel] = _unique(_asset_href(rel), taken)
        return self._table

    def add(self, rel: str, pos: SourcePos | None = None) -> str:
        """Record that ``rel`` is exported; returns its href."""
        href = self.used.get(rel)
        if pos is not None:
            self.first_use.setdefault(rel, pos)
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
                if len(self._listed_order) != len(self.listed):  # built once, not once per link
                    self._listed_order = {path: n for n, path in enumerate(self.listed)}
                page = _PAGE_MARK.format(self._listed_order[rel])
            return page + (f"#{fragment}" if fragment else "")
        href = self.add(rel, pos)
        return href + (f"#{fragment}" if fragment else "")

    def fill_page_links(self, item):
        """``item`` with page placeholders replaced by the pages' hrefs."""
        order = list(self.listed)

        def fill(match: re.Match) -> str:
            return self.pages.get(order[int(match.group(1))], "#")

        return _replace_strings(item, lambda text: _PAGE_MARK_RE.sub(fill, text) if "@@ck-page-" in text else text)

    def read_assets(self) -> tuple[Asset, ...]:
        """The referenced files with their bytes, sorted by href; a file that cannot be
        read is reported where it was first referenced."""
        result = []
        for rel, href in sorted(self.used.items(), key=lambda item: item[1]):
            media_type = mimetypes.guess_type(rel)[0] or "application/octet-stream"
            try:
                data = read_limited(self.files.root / rel, limits.MAX_ASSET_FILE_BYTES)
            except (OSError, ValueError) as exc:
                pos = self.first_use.get(rel, SourcePos(rel, 1, 1))
                self.diags.error(pos, f"cannot read '{rel}': {getattr(exc, 'strerror', None) or exc}")
                continue
            result.append(Asset(rel, href, media_type, data))
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
