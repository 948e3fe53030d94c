"""SIGINT, SIGTERM and SIGHUP as an exception, so that every ``finally`` runs on the way out.

The default action of SIGTERM and SIGHUP kills the process on the spot, leaving temporary
files and forked children behind; ``install()`` (called by the command line) turns each into
``Interrupted``. Code that must not be cut in the middle (swapping an output into place,
removing a temporary folder) runs under ``deferred()``: a signal arriving then is held and
raised once the block is done.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager

SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))

_lock = threading.Lock()
_depth = 0
_pending: int | None = None
#: set once ``Interrupted`` was raised: later signals only repeat what is already happening
_fired = False


class Interrupted(BaseException):
    """A signal asked the process to stop. A ``BaseException``, like ``KeyboardInterrupt``:
    ``except Exception`` in an exporter must not swallow it."""

    def __init__(self, signum: int):
        self.signum = signum
        super().__init__(signal.Signals(signum).name)


def _handler(signum, frame) -> None:
    global _pending, _fired
    with _lock:
        if _depth or _fired:
            _pending = _pending or signum
            return
        _fired = True
    raise Interrupted(signum)


def install() -> None:
    """Route the stop signals to ``Interrupted`` (main thread only, as Python requires)."""
    global _fired, _pending
    _fired, _pending = False, None
    for signum in SIGNALS:
        signal.signal(signum, _handler)


def hold() -> None:
    """Block the stop signals for the rest of the process, once its work is done. Python puts
    the default handlers back while the interpreter tears down, so a signal arriving then would
    kill the process with the signal's status although every output is in place; blocked, it
    is dropped at exit and the exit status tells what the run did."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)


@contextmanager
def deferred():
    """Hold stop signals for the duration of the block, then deliver the first one."""
    global _depth, _pending
    with _lock:
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            signum = _pending if not _depth and not _fired else None
            if signum is not None:
                _pending = None
        if signum is not None:
            # delivered again to the main thread, where the handler raises
            signal.raise_signal(signum)
