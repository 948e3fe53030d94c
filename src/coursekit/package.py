"""The deterministic package writer.

Exporters add files by name; the writer produces a zip (or a folder) whose bytes depend
only on those files: entries sorted, timestamps and permissions fixed. Output is
written under a temporary name and renamed, so an interrupted build never leaves a
half-written package where the final one should be.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import re
import shutil
import stat
import sys
import zipfile
from pathlib import Path
from typing import Iterator

from .interrupts import deferred
from .names import case_key, is_windows_reserved

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
        #: case_key of every file and folder -> its name, to refuse names that only a
        #: case-sensitive file system keeps apart
        self._keys: dict[str, str] = {}
        self._folders: set[str] = set()

    def add(self, name: str, data: bytes | str) -> None:
        """Add (or replace) a file. ``name`` is a relative ``/``-separated path."""
        check_entry_name(name)
        if name not in self._files:
            self._claim(name)
        if isinstance(data, str):
            data = data.encode("utf-8")
        self._files[name] = data

    def _claim(self, name: str) -> None:
        """Refuse a name that folds like another one (``Intro.html``/``intro.html``), or a
        file where another entry needs a folder (``a`` and ``a/b``)."""
        parts = name.split("/")
        for depth in range(1, len(parts) + 1):
            path = "/".join(parts[:depth])
            is_folder = depth < len(parts)
            key = case_key(path)
            other = self._keys.get(key)
            if other is not None and other != path:
                raise PackageError(f"{name!r} and {other!r} differ only in letter case: "
                                   "Windows and macOS would unpack them as one file")
            if other is not None and is_folder != (path in self._folders):
                raise PackageError(f"{path!r} would be both a file and a folder in the package")
            self._keys[key] = path
            if is_folder:
                self._folders.add(path)

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
        refuse_link(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
        try:
            tmp.write_bytes(self.zip_bytes())
            install(tmp, target)
        finally:
            with deferred():
                remove(tmp)
        return target

    def write_dir(self, target: Path) -> Path:
        """Write the files into the folder ``target``, replacing it whole at the end: at
        every moment ``target`` is either the previous folder or the new one."""
        target = Path(target)
        refuse_link(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
        with deferred():
            remove(tmp)
        try:
            for name in self.names:
                path = tmp / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(self._files[name])
            install(tmp, target)
        finally:
            with deferred():
                remove(tmp)  # the new folder if it was not installed, else the old one
        return target


# --- putting an output in place -----------------------------------------------------------------


def refuse_link(target: Path) -> None:
    """Outputs are never written through, or in place of, a symbolic link: the link may
    point anywhere (another course's export, a system folder)."""
    if os.path.islink(target):
        raise PackageError(f"{target} is a symbolic link: coursekit does not replace links "
                           "or write through them; remove it or choose another output folder")


def install(new: Path, target: Path) -> None:
    """Move ``new`` to ``target``. A previous ``target`` ends up at ``new`` (for the caller
    to remove, or to put back), and no interruption leaves ``target`` missing: the two are
    exchanged in one step (``renameat2(RENAME_EXCHANGE)``) where the system allows it; elsewhere the two
    renames run with stop signals held, and the first is undone if the second fails."""
    refuse_link(target)
    if not os.path.lexists(target):
        os.rename(new, target)
        return
    if _exchange(new, target):
        return
    aside = new.with_name(new.name + ".old")
    with deferred():
        remove(aside)
        os.rename(target, aside)
        try:
            os.rename(new, target)
        except BaseException:
            os.rename(aside, target)
            raise
        os.rename(aside, new)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_renameat2 = None


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically; False when the system cannot (then nothing happened)."""
    global _renameat2
    if not sys.platform.startswith("linux"):
        return False
    if _renameat2 is None:
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
            _renameat2 = libc.renameat2
            _renameat2.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
        except (OSError, AttributeError):
            _renameat2 = False
    if not _renameat2:
        return False
    if _renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EPERM):
        return False  # the file system cannot exchange: fall back to two renames
    raise OSError(code, os.strerror(code), str(b))


def remove(path: Path) -> None:
    """Remove a file or folder (never following a link), if it is there."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISDIR(mode):
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


# --- entry names -------------------------------------------------------------------------------

#: characters Windows refuses in file names, besides control characters
_WINDOWS_FORBIDDEN = re.compile(r'[<>:"|?*\\\x00-\x1f\x7f]')


def check_entry_name(name: str) -> None:
    """Refuse names an LMS would mis-extract or reject (see reference/scorm.md, section 1),
    and names Windows, macOS or Linux cannot create when a learner unpacks the package."""
    if not isinstance(name, str) or not name or name.startswith("/") or _WINDOWS_FORBIDDEN.search(name):
        raise PackageError(f"unsafe file name in package: {name!r}")
    parts = name.split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise PackageError(f"unsafe file name in package: {name!r}")
    for part in parts:
        if is_windows_reserved(part):
            raise PackageError(f"file name in package is a Windows device name ({part.split('.')[0].upper()}): {name!r}")
        if part.endswith((".", " ")):
            raise PackageError(f"file name in package ends with a dot or space (Windows drops it): {name!r}")
        if len(part) > 255:
            raise PackageError(f"file name in package is longer than 255 characters: {name[:60]!r}...")
    if not name.isascii() or any(c.isspace() for c in name):
        raise PackageError(f"file name in package is not plain ASCII without spaces: {name!r}")
    if parts[-1] in STRAY_NAMES or parts[0] == "__MACOSX":
        raise PackageError(f"stray system file in package: {name!r}")
    if name.lower().endswith(FORBIDDEN_SUFFIXES):
        raise PackageError(f"LMSs refuse packages holding server scripts: {name!r}")
