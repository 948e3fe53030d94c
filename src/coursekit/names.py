"""Safe, deterministic names for files and identifiers in exports."""

from __future__ import annotations

import re
import unicodedata

_UNSAFE = re.compile(r"[^a-z0-9._-]+")
_DASHES = re.compile(r"-{2,}")


def fold(text: str) -> str:
    """Drop accents: ``schéma`` -> ``schema``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def slugify(text: str) -> str:
    """Lower-case ASCII with ``-`` for anything outside ``[a-z0-9-]`` (the spec's slug rule)."""
    slug = re.sub(r"[^a-z0-9-]+", "-", fold(text).lower())
    return _DASHES.sub("-", slug).strip("-") or "course"


def safe_segment(segment: str) -> str:
    """One path segment reduced to ``[a-z0-9._-]``, safe for every LMS's unzip."""
    name = _UNSAFE.sub("-", fold(segment).lower())
    name = _DASHES.sub("-", name).strip("-")
    if not name or set(name) <= {"."}:
        return "file"
    return name


def safe_path(path: str) -> str:
    """A ``/``-separated relative path with every segment made safe."""
    return "/".join(safe_segment(s) for s in path.split("/") if s not in ("", "."))
