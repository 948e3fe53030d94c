"""Reading course files safely: text decoding with positions, paths kept inside the course."""

from __future__ import annotations

import mimetypes
import os
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
            SourcePos(rel, line, column), f"invalid UTF-8 (byte 0x{data[exc.start]:02x}): save the file as UTF-8"
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
        if not full.exists() and not full.is_symlink():
            diags.error(pos, f"{what} '{reference}' not found{self._hint(rel)}")
            return None
        real = Path(os.path.realpath(full))
        if real != self.real_root and self.real_root not in real.parents:
            diags.error(pos, f"{what} '{reference}' resolves outside the course folder (a link to {real})")
            return None
        if not full.is_file():
            diags.error(pos, f"{what} '{reference}' is not a file")
            return None
        self._found[rel] = rel
        return rel

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
    """Every file lessons link to, read once, each given a unique safe href."""

    def __init__(self, files: CourseFiles, diags: Diagnostics):
        self.files = files
        self.diags = diags
        self._by_path: dict[str, Asset] = {}
        self._hrefs: set[str] = set()
        #: course-relative source path of a lesson or quiz -> its page href
        self.pages: dict[str, str] = {}

    def add(self, rel: str) -> Asset:
        asset = self._by_path.get(rel)
        if asset is None:
            href = safe_path(rel)
            if not href.startswith("assets/"):
                href = "assets/" + href
            stem, dot, ext = href.rpartition(".")
            if not dot or "/" in ext:
                stem, ext = href, ""
            n = 2
            while href in self._hrefs:  # two names that fold alike: keep both, deterministically
                href = f"{stem}-{n}.{ext}" if ext else f"{stem}-{n}"
                n += 1
            self._hrefs.add(href)
            media_type = mimetypes.guess_type(rel)[0] or "application/octet-stream"
            asset = Asset(rel, href, media_type, (self.files.root / rel).read_bytes())
            self._by_path[rel] = asset
        return asset

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
        page = self.pages.get(rel)
        if page is not None and not is_image:
            return page + (f"#{fragment}" if fragment else "")
        href = self.add(rel).href
        return href + (f"#{fragment}" if fragment else "")

    @property
    def assets(self) -> tuple[Asset, ...]:
        return tuple(sorted(self._by_path.values(), key=lambda a: a.href))
