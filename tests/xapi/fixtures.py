"""pytest fixtures for the LRS tests: a real Ralph per test module, an LMS per package.

Import them into a test module (``from tests.xapi.fixtures import ralph, lms_for``)."""

from __future__ import annotations

import pytest

from tests.conftest import missing

from .lms import LMS
from .play import extract
from .ralph import Ralph, RalphError


@pytest.fixture(scope="module")
def ralph():
    """Ralph on 127.0.0.1 (fs backend, temporary home), stopped after the module. Outside CI
    a Ralph that cannot start skips; with CI=true it fails (conftest.missing)."""
    try:
        import ralph as _  # noqa: F401
    except ImportError:
        missing("the Python package ralph-malph[cli,lrs]")
    try:
        lrs = Ralph()
        lrs.start()
    except (RalphError, OSError) as exc:
        missing(f"a working Ralph LRS ({exc})")
    yield lrs
    lrs.close()


@pytest.fixture
def lms_for(ralph, tmp_path):
    """``lms_for(package_zip) -> LMS`` serving that package in front of Ralph."""
    started = []

    def make(package) -> LMS:
        folder = extract(package, tmp_path / f"pkg{len(started)}")
        lms = LMS(ralph, folder)
        started.append(lms)
        return lms

    yield make
    for lms in started:
        lms.close()


@pytest.fixture
def browser_context(chromium):
    """A fresh context (empty localStorage) whose console errors are collected."""
    context = chromium.new_context()
    errors: list[str] = []
    context.on("page", lambda page: page.on("pageerror", lambda e: errors.append(str(e))))
    context.errors = errors
    yield context
    context.close()
