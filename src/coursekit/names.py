"""Safe, deterministic names for files and identifiers in exports."""

from __future__ import annotations

import re
import unicodedata
import zlib

_UNSAFE = re.compile(r"[^a-z0-9._-]+")
_DASHES = re.compile(r"-{2,}")
#: names Windows refuses whatever their extension (``aux.png`` is the device AUX)
WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul", "conin$", "conout$", "clock$"]
    + [f"{p}{n}" for p in ("com", "lpt") for n in (*"123456789", "¹", "²", "³")]
)
#: longest segment we write: Windows paths stop at 260 characters in many unzip tools
MAX_SEGMENT = 100


def fold(text: str) -> str:
    """Drop accents: ``schéma`` -> ``schema``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def case_key(name: str) -> str:
    """What two names must not share to coexist on a case-insensitive file system (Windows,
    macOS): Unicode case folding of the NFC form (``Été`` and ``e\u0301te\u0301`` meet)."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())


def is_windows_reserved(segment: str) -> bool:
    """``aux``, ``CON.txt``, ``lpt1.tar.gz``: a device name before the first dot."""
    return segment.split(".", 1)[0].rstrip(" ").lower() in WINDOWS_RESERVED


def slugify(text: str) -> str:
    """Lower-case ASCII with ``-`` for anything outside ``[a-z0-9-]`` (the spec's slug rule)."""
    slug = re.sub(r"[^a-z0-9-]+", "-", fold(text).lower())
    return _DASHES.sub("-", slug).strip("-") or "course"


def safe_segment(segment: str) -> str:
    """One path segment reduced to ``[a-z0-9._-]``, safe for every LMS's unzip and for
    Windows, macOS and Linux: no device name, no trailing dot, not too long."""
    name = _UNSAFE.sub("-", fold(segment).lower())
    name = _DASHES.sub("-", name).strip("-").rstrip(".")
    if not name or set(name) <= {"."}:
        return "file"
    if is_windows_reserved(name):
        stem, dot, rest = name.partition(".")
        name = f"{stem}_{dot}{rest}"
    if len(name) > MAX_SEGMENT:
        # keep the extension, and a checksum so that two long names stay apart
        stem, dot, ext = name.rpartition(".")
        if not dot or len(ext) > 10:
            stem, ext = name, ""
        tag = f"-{zlib.crc32(segment.encode('utf-8')):08x}"
        name = stem[: MAX_SEGMENT - len(tag) - len(ext) - 1].rstrip(".-") + tag + (f".{ext}" if ext else "")
    return name


def safe_path(path: str) -> str:
    """A ``/``-separated relative path with every segment made safe."""
    return "/".join(safe_segment(s) for s in path.split("/") if s not in ("", "."))
