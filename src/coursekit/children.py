"""Forked helper processes (the loader's second half on big courses): never left behind.

``fork()`` replaces ``os.fork()``: the child is killed by the kernel if the parent dies
(Linux ``PR_SET_PDEATHSIG``; elsewhere it exits at once if the parent is already gone), and
the parent remembers it, so that ``reap()``, called on every exit of the command line, kills
and waits for a child an interrupted load left running.
"""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1
_children: set[int] = set()


def _die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    # the parent may have died before prctl took effect: then we were re-parented
    if os.getppid() != parent:
        os._exit(1)


def fork() -> int:
    """``os.fork()`` whose child cannot outlive its parent."""
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        _children.clear()
        _die_with_parent(parent)
    else:
        _children.add(pid)
    return pid


def reap() -> None:
    """Kill and wait for every child still running; forget those already waited for."""
    for pid in sorted(_children):
        _children.discard(pid)
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # already waited for by its owner: not ours any more
            continue
        if done == 0:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass


atexit.register(reap)
