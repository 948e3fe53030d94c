"""The deterministic package writer.

Exporters add files by name; the writer produces a zip (or a folder) whose bytes depend
only on those files: entries sorted, timestamps and permissions fixed. Output is
written under a temporary name and renamed, so an interrupted build never leaves a
half-written package where the final one should be.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path
from typing import Iterator

#: the timestamp of every zip entry (the zip format's earliest date)
FIXED_DATE = (1980, 1, 1, 0, 0, 0)
#: file types some LMSs refuse to import (Docebo), never written into a package
FORBIDDEN_SUFFIXES = (".php", ".py", ".sh", ".pl", ".rb", ".asp", ".aspx", ".jsp", ".cgi", ".htaccess")
#: files that are never stored even if a course folder holds them
STRAY_NAMES = (".DS_Store", "Thumbs.db", "desktop.ini")
#: compressed formats that deflate would only slow down
_STORED_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".mp3", ".mp4", ".webm", ".ogg", ".zip", ".woff2", ".pdf")


class PackageError(Exception):
    """A file name an exporter tried to add is not allowed in a package."""


class PackageWriter:
    """Collects ``name -> bytes`` in memory, then writes them out deterministically."""

    def __init__(self) -> None:
        self._files: dict[str, bytes] = {}

    def add(self, name: str, data: bytes | str) -> None:
        """Add (or replace) a file. ``name`` is a relative ``/``-separated path."""
        check_entry_name(name)
        if isinstance(data, str):
            data = data.encode("utf-8")
        self._files[name] = data

    def __contains__(self, name: str) -> bool:
        return name in self._files

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._files))

    def __len__(self) -> int:
        return len(self._files)

    def read(self, name: str) -> bytes:
        return self._files[name]

    @property
    def names(self) -> list[str]:
        """Every file name, sorted."""
        return sorted(self._files)

    # --- output -------------------------------------------------------------------------

    def zip_bytes(self) -> bytes:
        import io

        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name in self.names:
                info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
                info.create_system = 3  # unix, so the permissions below are read
                info.external_attr = 0o100644 << 16
                stored = name.lower().endswith(_STORED_SUFFIXES)
                info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
                archive.writestr(info, self._files[name], compresslevel=None if stored else 6)
        return buffer.getvalue()

    def write_zip(self, target: Path) -> Path:
        """Write the zip to ``target`` atomically (temporary name, then rename)."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
        try:
            tmp.write_bytes(self.zip_bytes())
            os.replace(tmp, target)
        finally:
            if tmp.exists():
                tmp.unlink()
        return target

    def write_dir(self, target: Path) -> Path:
        """Write the files into the folder ``target``, replacing it whole at the end."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            for name in self.names:
                path = tmp / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(self._files[name])
            if target.exists():
                os.replace(target, old)
            os.replace(tmp, target)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
            shutil.rmtree(old, ignore_errors=True)
        return target


def check_entry_name(name: str) -> None:
    """Refuse names an LMS would mis-extract or reject (see reference/scorm.md, section 1)."""
    if not name or name.startswith("/") or "\\" in name or ":" in name:
        raise PackageError(f"unsafe file name in package: {name!r}")
    parts = name.split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise PackageError(f"unsafe file name in package: {name!r}")
    if not name.isascii() or any(c.isspace() for c in name):
        raise PackageError(f"file name in package is not plain ASCII without spaces: {name!r}")
    if parts[-1] in STRAY_NAMES or parts[0] == "__MACOSX":
        raise PackageError(f"stray system file in package: {name!r}")
    if name.lower().endswith(FORBIDDEN_SUFFIXES):
        raise PackageError(f"LMSs refuse packages holding server scripts: {name!r}")
