"""The Jinja environment pages are rendered in: a course's theme templates are data, not code.

A course folder may come from anyone, and its ``theme/templates/*.html`` are Jinja templates.
They render in ``ThemeSandbox``, an ``ImmutableSandboxedEnvironment``: no attribute starting
with ``_``, no function internals, no mutation of lists and dicts, so no way to reach Python
objects such as ``os``. On top of Jinja's sandbox, the resources a template can spend are
bounded: numbers passed to calls and filters, the size of strings and lists it builds, the
size of a page, and the time a page takes (a watchdog stops a page that loops too long).

Every failure (syntax, sandbox violation, a bound reached, an undefined name) becomes a
``CourseError`` positioned in the theme file: ``theme/templates/lesson.html:3:1: error: ...``.
"""

from __future__ import annotations

import ctypes
import threading
from contextlib import contextmanager
import time
import traceback
from typing import Any, Callable, Mapping

import jinja2
from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from ..diagnostics import CourseError, Problem

#: where the course's templates live, as positions name them
THEME_PREFIX = "theme/templates/"
#: the largest string or list a template may build, and the largest number it may pass
MAX_VALUE_SIZE = 1_000_000
MAX_ARGUMENT = 100_000
#: the largest page (characters), and the longest a page may take to render
MAX_PAGE = 20_000_000
PAGE_SECONDS = 3.0


class TemplateLimit(SecurityError):
    """A theme template went past one of the bounds above."""


class TemplateTimeout(BaseException):
    """Raised inside a page that renders for too long (by the watchdog thread). A
    ``BaseException`` so that no ``except Exception`` inside Jinja swallows it."""


def _size(value: Any) -> int:
    return len(value) if isinstance(value, (str, bytes, list, tuple)) else 0


#: what one page may build in all (strings and lists, kept or thrown away): values kept in
#: a list or a namespace could otherwise add up to gigabytes, each under MAX_VALUE_SIZE
MAX_BUILT = 50_000_000
_page = threading.local()


def _spend(size: int) -> None:
    left = getattr(_page, "left", None)
    if left is None:
        return
    _page.left = left - size
    if _page.left < 0:
        raise TemplateLimit(f"the template built more than {MAX_BUILT} characters or items for one page")


def _check_size(value: Any) -> Any:
    size = _size(value)
    if size > MAX_VALUE_SIZE:
        raise TemplateLimit(f"a value of {size} items or characters is more than a template may build ({MAX_VALUE_SIZE})")
    _spend(size)
    return value


def _check_arguments(args, kwargs) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) > MAX_ARGUMENT:
            raise TemplateLimit(f"the number {value} is larger than a template may pass to a call ({MAX_ARGUMENT})")


def _bounded(function: Callable) -> Callable:
    """A filter or test whose arguments (after the value) and result are bounded."""
    # a @pass_context / @pass_environment filter gets that first, then the value
    skip = 2 if hasattr(function, "jinja_pass_arg") else 1

    name = getattr(function, "__name__", "")

    def bounded(*args, **kwargs):
        _check_arguments(args[skip:], kwargs)
        if len(args) >= skip:
            value, rest = args[skip - 1], args[skip:]
            # what would be built is estimated first: these multiply their input
            if name == "do_format" and isinstance(value, str):
                _check_estimate(_format_estimate(value, (*rest, *kwargs.values())))
            elif name == "do_replace" and len(rest) >= 2:
                _check_estimate(_replace_estimate(str(value), str(rest[0]), str(rest[1])))
            elif name == "do_join":
                _check_estimate(_join_estimate(value, rest[0] if rest else kwargs.get("d", "")))
            elif name == "do_indent" and isinstance(value, str):
                width = rest[0] if rest else kwargs.get("width", 4)
                _check_estimate(len(value) + (value.count("\n") + 1) * (width if isinstance(width, int) else len(str(width))))
        return _check_size(function(*args, **kwargs))

    if skip == 2:
        bounded.jinja_pass_arg = function.jinja_pass_arg  # type: ignore[attr-defined]
    return bounded


class _Generator(jinja2.compiler.CodeGenerator):
    """Compiles ``a ~ b`` through the environment, so that concatenation is bounded too."""

    def visit_Concat(self, node: nodes.Concat, frame) -> None:
        self.write("environment.bounded(")
        super().visit_Concat(node, frame)
        self.write(")")


class ThemeSandbox(ImmutableSandboxedEnvironment):
    code_generator_class = _Generator
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, theme_names=(), plain_types=(), **options: Any):
        super().__init__(finalize=self._count_output, **options)
        #: the templates the course overrides: an error without a better position is theirs
        self.theme_names = frozenset(theme_names)
        # lipsum(n=...) builds text in one call, before any bound could look at it
        self.globals.pop("lipsum", None)
        self._output = 0
        self._safe_attributes: dict[tuple[type, str], bool] = {}
        #: types whose public attributes are plain data (see ``getattr``)
        self.plain_types = frozenset(plain_types)
        for table in (self.filters, self.tests):
            for name, function in list(table.items()):
                table[name] = _bounded(function)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        # Jinja's checks depend only on the object's type and the attribute's name (function
        # internals, ``_`` names, mutating methods): decided once per pair, pages ask often
        key = (type(obj), attr)
        safe = self._safe_attributes.get(key)
        if safe is None:
            safe = self._safe_attributes[key] = super().is_safe_attribute(obj, attr, value)
        return safe

    def unsafe_undefined(self, obj: Any, attribute: str):
        # Jinja returns an undefined value that fails later with a puzzling message; say what
        # was refused, where it was asked for
        raise SecurityError(f"access to attribute {attribute!r} of {type(obj).__name__!r} object is unsafe")

    # --- bounds -------------------------------------------------------------------------------

    @staticmethod
    def bounded(value: Any) -> Any:
        return _check_size(value)

    def concat(self, parts) -> str:  # type: ignore[override]
        # block captures, macros and call blocks join their output here
        parts = list(parts)
        size = sum(map(len, parts))
        if size > MAX_PAGE:
            raise TemplateLimit(f"a template built more than {MAX_PAGE} characters")
        _spend(size)
        return "".join(parts)

    def _count_output(self, value: Any) -> Any:
        """Called on every ``{{ ... }}``: the page stops growing at ``MAX_PAGE``. (An
        environment renders one page at a time: each export has its own.)"""
        self._output += len(value) if isinstance(value, str) else 16
        if self._output > MAX_PAGE:
            raise TemplateLimit(f"the page is longer than {MAX_PAGE} characters")
        return value

    def getattr(self, obj: Any, attribute: str) -> Any:
        # The course model is plain data (frozen dataclasses of strings, numbers and tuples):
        # its public attributes are what Jinja's checks would allow anyway, read directly
        if type(obj) in self.plain_types and not attribute.startswith("_"):
            try:
                return getattr(obj, attribute)
            except AttributeError:
                pass
        return super().getattr(obj, attribute)

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > 64 and abs(left) > 1:
            raise TemplateLimit(f"{left} ** {right} is too large a number for a template")
        if operator == "*":
            count = right if _size(left) else left if _size(right) else None
            if isinstance(count, int) and count * max(_size(left), _size(right)) > MAX_VALUE_SIZE:
                raise TemplateLimit("repeating a value this many times is more than a template may build")
        if operator == "%" and isinstance(left, str):
            items = tuple(right.values()) if isinstance(right, dict) else right if isinstance(right, tuple) else (right,)
            _check_estimate(_format_estimate(left, items))
        return _check_size(super().call_binop(context, operator, left, right))

    def call(__self, __context, __obj, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        _check_arguments(args, kwargs)
        # str.format comes wrapped by Jinja's sandbox; the bound method is kept as __wrapped__
        method = getattr(__obj, "__wrapped__", __obj)
        if isinstance(getattr(method, "__self__", None), str):
            name = getattr(method, "__name__", "")
            text = method.__self__
            if name == "replace" and len(args) >= 2:
                _check_estimate(_replace_estimate(text, str(args[0]), str(args[1])))
            elif name == "join" and args:
                _check_estimate(_join_estimate(args[0], text))
            elif name == "format":
                _check_estimate(_format_estimate(text, (*args, *kwargs.values())))
            elif name == "format_map" and args and isinstance(args[0], dict):
                _check_estimate(_format_estimate(text, tuple(args[0].values())))
            elif name == "expandtabs":
                _check_estimate(len(text) * max(1, args[0] if args and isinstance(args[0], int) else 8))
        return _check_size(super().call(__context, __obj, *args, **kwargs))

    def format_string(self, s, args, kwargs, format_func=None):
        # older Jinja releases route str.format and format_map here rather than through call()
        items = (*args, *kwargs.values())
        if format_func is not None and getattr(format_func, "__name__", "") == "format_map" and args and isinstance(args[0], dict):
            items = tuple(args[0].values())
        _check_estimate(_format_estimate(s, items))
        return _check_size(super().format_string(s, args, kwargs, format_func))

    # --- rendering a page ------------------------------------------------------------------------

    def render(self, template_name: str, **context: Any) -> str:
        """Render one page, bounded in size and time; failures become a positioned ``CourseError``."""
        self._output = 0
        _page.left = MAX_BUILT
        try:
            template = self.get_template(template_name)
            with _watchdog(PAGE_SECONDS):
                return template.render(**context)
        except jinja2.TemplateSyntaxError as exc:
            raise CourseError([self._problem(exc.filename or exc.name or template_name, exc.lineno,
                                             f"template syntax: {exc.message}")]) from None
        except TemplateTimeout as exc:
            error, message = exc, f"rendering took longer than {PAGE_SECONDS:g} s: a loop in the template?"
        except jinja2.TemplateNotFound as exc:
            error, message = exc, f"template not found: {exc.name}"
        except SecurityError as exc:
            error, message = exc, f"not allowed in a template: {exc}"
        except RecursionError as exc:
            error, message = exc, "template recursion too deep (a macro calling itself?)"
        except MemoryError as exc:
            error, message = exc, "the template used too much memory"
        except (jinja2.TemplateError, TypeError, ValueError, AttributeError, LookupError, ArithmeticError) as exc:
            error, message = exc, f"template error: {exc}"
        finally:
            _page.left = None
        raise CourseError([self._problem(*self._running_at(error, template_name), message)]) from None

    def _problem(self, name: str, line: int | None, message: str) -> Problem:
        if not name.startswith(THEME_PREFIX):
            bare = name.rsplit("/", 1)[-1]
            name = THEME_PREFIX + bare if bare in self.theme_names else f"coursekit template {bare}"
        return Problem(name, line or 1, 1, "error", message)

    def _running_at(self, exc: BaseException, template_name: str) -> tuple[str, int | None]:
        """Template file and line an error happened at: the last course template frame of the
        traceback. Jinja rewrites the frames of the errors it handles to template lines; a
        timeout is raised from outside, so its lines are the compiled code's, mapped back."""
        found: tuple[str, int | None] = (template_name, None)
        for frame in traceback.extract_tb(exc.__traceback__):
            if not frame.filename.startswith(THEME_PREFIX):
                continue
            line = frame.lineno
            if isinstance(exc, TemplateTimeout):
                try:
                    line = self.get_template(frame.filename[len(THEME_PREFIX):]).get_corresponding_lineno(line or 1)
                except Exception:
                    line = None
            found = (frame.filename, line)
        return found


def _check_estimate(size: int) -> None:
    if size > MAX_VALUE_SIZE:
        raise TemplateLimit(f"this would build about {size} characters, more than a template may build ({MAX_VALUE_SIZE})")


def _text_size(value: Any) -> int:
    return len(value) if isinstance(value, str) else 32


def _format_estimate(text: str, items) -> int:
    """An upper bound of ``text % items`` or ``text.format(*items)``: every placeholder may
    take the largest item (and a width, which ``_check_format`` bounds)."""
    _check_format(text)
    placeholders = text.count("%") + text.count("{")
    largest = max((_text_size(v) for v in items), default=0)
    return len(text) + placeholders * (largest + MAX_ARGUMENT // 10)


def _replace_estimate(text: str, old: str, new: str) -> int:
    if old == "":
        raise TemplateLimit("replace with an empty pattern is not allowed in a template")
    return len(text) + text.count(old) * len(new)


def _join_estimate(items: Any, separator: Any) -> int:
    if isinstance(items, str):
        count, total = len(items), len(items)
    elif isinstance(items, (list, tuple)):
        count, total = len(items), sum(_text_size(v) for v in items)
    else:
        return 0  # a generator: its items were bounded when they were made
    return total + count * _text_size(separator)


def _check_format(text: str) -> None:
    """``%0999999999d`` or ``{:>999999999}`` would allocate a gigabyte."""
    import re

    for width in re.findall(r"\d{6,}", text):
        if int(width) > MAX_ARGUMENT:
            raise TemplateLimit(f"a format width of {width} is larger than a template may use")


class _Watchdog:
    """Raises ``TemplateTimeout`` in a thread whose page renders for too long.

    Pure-Python loops cannot be interrupted otherwise from any thread (a signal alarm only
    works in the main thread, and builds may run in worker threads). One thread watches every
    page being rendered; it ends after a second without pages, so that no thread is left
    once a build is done (the loader only forks a process that has no other thread)."""

    IDLE_SECONDS = 1.0

    def __init__(self) -> None:
        self.wake = threading.Condition()
        self.pages: dict[object, tuple[int, float]] = {}
        self.thread: threading.Thread | None = None

    @contextmanager
    def __call__(self, seconds: float):
        token = object()
        with self.wake:
            self.pages[token] = (threading.get_ident(), time.monotonic() + seconds)
            # no notify: the watchdog wakes at least every IDLE_SECONDS, before any new
            # deadline (waking it for every page would cost a thread switch per page)
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="coursekit-template-watchdog", daemon=True)
                self.thread.start()
        try:
            yield
        finally:
            with self.wake:  # once out of the lock, the watchdog can no longer stop this page
                self.pages.pop(token, None)

    def _run(self) -> None:
        with self.wake:
            idle_since = None
            while True:
                now = time.monotonic()
                for token, (thread_id, deadline) in list(self.pages.items()):
                    if deadline <= now:
                        del self.pages[token]
                        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(TemplateTimeout))
                if self.pages:
                    idle_since = None
                    self.wake.wait(min(self.IDLE_SECONDS, max(0.01, min(d for _, d in self.pages.values()) - now)))
                    continue
                idle_since = idle_since or now
                if now - idle_since >= self.IDLE_SECONDS:
                    self.thread = None
                    return
                self.wake.wait(self.IDLE_SECONDS)


_watchdog = _Watchdog()


class BuiltinPages(jinja2.Environment):
    """The environment of a course without templates of its own: only the player's templates
    run, course values are only rendered (escaped), so there is nothing to contain and the
    sandbox's cost is not paid. Same interface as ``ThemeSandbox``."""

    def __init__(self, theme_names=(), plain_types=(), **options: Any):
        super().__init__(**options)

    def render(self, template_name: str, **context: Any) -> str:
        return self.get_template(template_name).render(**context)


def theme_loader(overrides: Mapping[str, str]) -> jinja2.BaseLoader:
    """The course's templates by name, each compiled under the file name positions show."""

    def load(name: str):
        if name in overrides:
            return overrides[name], THEME_PREFIX + name, lambda: True
        return None

    return jinja2.FunctionLoader(load)


def check_templates(overrides: Mapping[str, bytes], builtin_dir) -> list[Problem]:
    """Problems found in the course's templates without rendering them: syntax, and what the
    sandbox would refuse anyway (``_`` attributes), so that ``check`` reports them too."""
    problems = []
    env = ThemeSandbox(loader=jinja2.FileSystemLoader(str(builtin_dir)))
    for name, raw in sorted(overrides.items()):
        if not name.startswith("templates/"):
            continue
        path = "theme/" + name
        try:
            source = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Problem(path, raw[: exc.start].count(b"\n") + 1, 1, "error", "this template is not UTF-8 text"))
            continue
        try:
            tree = env.parse(source, name=name[len("templates/"):], filename=path)
        except jinja2.TemplateSyntaxError as exc:
            problems.append(Problem(path, exc.lineno or 1, 1, "error", f"template syntax: {exc.message}"))
            continue
        except RecursionError:
            problems.append(Problem(path, 1, 1, "error", "template nested too deeply"))
            continue
        for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Filter)):
            if isinstance(node, nodes.Filter):  # |attr("__init__"), |map(attribute="__class__")
                values = [getattr(a, "value", None) for a in (*node.args, *(k.value for k in node.kwargs))]
                attr = next((v for v in values if isinstance(v, str) and v.startswith("_")), None)
            else:
                attr = node.attr if isinstance(node, nodes.Getattr) else getattr(node.arg, "value", None)
            if isinstance(attr, str) and attr.startswith("_"):
                problems.append(Problem(path, node.lineno, 1, "error",
                                        f"not allowed in a template: '{attr}' (theme templates cannot reach Python internals)"))
        try:
            env.compile(source, name=name[len("templates/"):], filename=path)
        except jinja2.TemplateSyntaxError as exc:
            problems.append(Problem(path, exc.lineno or 1, 1, "error", f"template syntax: {exc.message}"))
        except RecursionError:
            problems.append(Problem(path, 1, 1, "error", "template nested too deeply"))
    return problems
