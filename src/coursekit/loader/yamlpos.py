"""YAML with positions: plain Python values that remember where they were written.

PyYAML's composer (the C one when available) gives nodes with marks; we turn them into
``YMap`` / ``YList`` / scalars, keeping the position of every key and every value so the
loader can point at the exact key or list entry at fault.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import yaml

try:  # libyaml is ten times faster on big courses; fall back silently when absent
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

from ..model import SourcePos
from . import limits
from .textcheck import describe, first_forbidden


@dataclass(frozen=True, slots=True)
class Located:
    """A scalar value with its position (what ``YMap.at``/``YList.at`` return)."""

    value: object
    pos: SourcePos


class YMap(dict):
    """A mapping that knows where it, each key and each value were written."""

    __slots__ = ("pos", "_keys", "_values", "raw")

    def __init__(self, pos: SourcePos):
        super().__init__()
        self.pos = pos
        # (line, column) pairs; SourcePos objects are made only for the few positions
        # a message needs, which keeps loading big courses fast
        self._keys: dict = {}
        self._values: dict = {}
        #: the text as written of scalar values YAML typed (``Yes`` became True)
        self.raw: dict = {}

    def _set(self, key, key_lc, value_lc) -> None:
        self._keys[key] = key_lc
        self._values[key] = value_lc

    def text(self, key):
        """The value of ``key`` as the author wrote it when it is a scalar (``No`` stays
        ``"No"``, ``1.10`` stays ``"1.10"``), else the value itself."""
        return self.raw.get(key, self.get(key))

    def at(self, key) -> SourcePos:
        """Position of the value of ``key`` (of the mapping itself when absent)."""
        lc = self._values.get(key)
        return SourcePos(self.pos.path, *lc) if lc else self.pos

    def key_at(self, key) -> SourcePos:
        lc = self._keys.get(key)
        return SourcePos(self.pos.path, *lc) if lc else self.pos


class YList(list):
    """A list that knows where it and each entry were written."""

    __slots__ = ("pos", "_items", "raw")

    def __init__(self, pos: SourcePos):
        super().__init__()
        self.pos = pos
        self._items: list = []
        self.raw: dict = {}

    def text(self, index: int):
        """Entry ``index`` as the author wrote it when it is a typed scalar."""
        return self.raw.get(index, self[index])

    def at(self, index: int) -> SourcePos:
        if index < len(self._items):
            return SourcePos(self.pos.path, *self._items[index])
        return self.pos


_STR_TAG = "tag:yaml.org,2002:str"


class YamlError(Exception):
    """The text is not valid YAML; ``pos`` says where, ``message`` what."""

    def __init__(self, pos: SourcePos, message: str):
        self.pos = pos
        self.message = message
        super().__init__(f"{pos}: {message}")


def parse_yaml(text: str, path: str, line_offset: int = 0, column_offset: int = 0):
    """Parse one YAML document. Positions are 1-based and shifted by the offsets
    (front matter and fenced blocks start further down their file).

    Returns plain values (``YMap``, ``YList``, str, int, float, bool, None...).
    Raises ``YamlError`` for a syntax error, a duplicate key, or a document past the
    limits (nesting depth, aliases, values: see limits.py).
    """
    loader = _Loader(text)
    try:
        return _Builder(loader, path, line_offset, column_offset).run()
    except yaml.MarkedYAMLError as exc:
        mark, problem = _explain(exc, text)
        line = (mark.line if mark else 0) + 1 + line_offset
        column = (mark.column if mark else 0) + 1 + (column_offset if mark and mark.line == 0 else 0)
        raise YamlError(SourcePos(path, line, column), f"invalid YAML: {_one_line(problem)}") from None
    except yaml.YAMLError as exc:
        # libyaml's reader errors ("control characters are not allowed") carry no mark
        # attribute but say where in their text: keep the first line, find the position
        raise YamlError(_reader_pos(exc, text, path, line_offset, column_offset),
                        f"invalid YAML: {_one_line(str(exc))}") from None
    finally:
        loader.dispose()


def _one_line(message: str) -> str:
    return " ".join(str(message).split("\n")[0].split())


def _reader_pos(exc, text: str, path: str, line_offset: int, column_offset: int) -> SourcePos:
    index = getattr(exc, "position", None)
    if not isinstance(index, int) or not 0 <= index <= len(text):
        return SourcePos(path, 1 + line_offset, 1 + column_offset)
    before = text[:index]
    line = before.count("\n")
    column = index - (before.rfind("\n") + 1) + 1
    return SourcePos(path, line + 1 + line_offset, column + (column_offset if line == 0 else 0))


def _explain(exc: yaml.MarkedYAMLError, text: str):
    """``(mark, message)``: where the author should look, and what to do, in plain words.

    PyYAML's messages ("while parsing a block mapping: did not find expected key") name
    parser states; authors need the mistake they made. Both libyaml's and the pure-Python
    wordings are recognised.
    """
    mark = exc.problem_mark or exc.context_mark
    context = exc.context or ""
    problem = exc.problem or context or "not valid YAML"
    lines = text.split("\n")
    char = ""
    if mark is not None and mark.line < len(lines) and mark.column < len(lines[mark.line]):
        char = lines[mark.line][mark.column]
    if char == "\t" or "tab character" in problem:
        return mark, "a tab is used for indentation here: YAML indentation must use spaces"
    if "mapping values are not allowed" in problem:
        message = "a ': ' inside a value: put the whole value in quotes"
        written = lines[mark.line].strip() if mark is not None and mark.line < len(lines) else ""
        key, sep, value = written.removeprefix("- ").partition(": ")
        if sep and '"' not in value and value.strip():
            message += f', like this: {key}: "{value.strip()}"'
        return mark, message
    if "escape" in problem:
        return mark, f"{problem} in this quoted value: write the character itself, or a valid escape such as \\u00e9"
    if "quoted scalar" in context and exc.context_mark is not None:
        return exc.context_mark, "this quote is never closed: add the closing quote at the end of the value"
    if "flow sequence" in context and exc.context_mark is not None:
        return exc.context_mark, "this list opened with '[' is never closed with ']' (or a ',' is missing between entries)"
    if "flow mapping" in context and exc.context_mark is not None:
        return exc.context_mark, "this mapping opened with '{' is never closed with '}' (or a ',' is missing between entries)"
    if "undefined alias" in problem:
        return mark, "a value cannot start with '*' (YAML reads it as an alias): put the value in quotes"
    if "cannot start any token" in problem and char:
        return mark, f"a value cannot start with '{char}': put the value in quotes"
    if "expected key" in problem or "block end" in problem or "'-' indicator" in problem:
        if mark is not None and mark.line < len(lines):
            current = lines[mark.line]
            if mark.column > len(current) - len(current.lstrip(" ")):
                return mark, (
                    "unexpected text after a quoted value: put the whole value in quotes, "
                    "and double a quote used inside it ('L''hygiène')"
                )
        return mark, "this line is not indented like the lines around it (a key or '- ' entry is misaligned)"
    if context and exc.problem and "found" not in context and context != problem:
        problem = f"{context}: {problem}"
    return mark, problem


_INT_TAG = "tag:yaml.org,2002:int"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_SCALAR_TAGS = {_STR_TAG, _INT_TAG, _FLOAT_TAG, "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null",
                "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary"}
_OPEN = object()  # an anchor whose collection is still being read
#: first characters of plain scalars some implicit resolver (int, bool, null...) may claim
_IMPLICIT_FIRST = frozenset(ch for ch in _Loader.yaml_implicit_resolvers if ch)


class _Frame:
    """A mapping or list being read: what was read so far, and where."""

    __slots__ = ("value", "lc", "anchor", "start_total", "key", "key_lc", "key_event", "merges")

    def __init__(self, value, lc, anchor, start_total):
        self.value = value
        self.lc = lc
        self.anchor = anchor
        self.start_total = start_total
        self.key = _OPEN  # _OPEN: the next scalar is a key
        self.key_lc = None
        self.key_event = None
        self.merges: list = []


class _Builder:
    """Builds values from the parser's events, without recursion and without ever
    expanding an alias: an alias shares the anchored value (every reader of the result
    only reads), while counting every value it repeats against ``MAX_YAML_VALUES``, so
    a "billion laughs" document costs what its text costs, then stops with a position."""

    def __init__(self, loader, path, line_offset, column_offset):
        self.loader = loader
        self.path = path
        self.line_offset = line_offset
        self.column_offset = column_offset
        self.anchors: dict = {}
        self.aliases = 0
        #: values read so far, each alias counting as all the values it repeats
        self.total = 0

    def lc(self, mark) -> tuple[int, int]:
        if mark.line == 0:
            return 1 + self.line_offset, mark.column + 1 + self.column_offset
        return mark.line + 1 + self.line_offset, mark.column + 1

    def error(self, mark, message: str):
        return YamlError(SourcePos(self.path, *self.lc(mark)), message)

    def run(self):
        loader = self.loader
        loader.get_event()  # stream start
        if loader.check_event(yaml.StreamEndEvent):
            return None
        loader.get_event()  # document start
        result = self.document()
        loader.get_event()  # document end
        if not loader.check_event(yaml.StreamEndEvent):
            event = loader.get_event()
            raise self.error(event.start_mark, "invalid YAML: expected a single document in the file, but found another one ('---')")
        return result

    def document(self):
        # the hot loop of every load: names bound locally, the common scalar inline
        get_event = self.loader.get_event
        scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
        starts = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
        ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
        max_values, max_depth = limits.MAX_YAML_VALUES, limits.MAX_YAML_DEPTH
        line_offset, column_offset = self.line_offset, self.column_offset
        check_text, scalar, anchors = self.check_text, self.scalar, self.anchors
        stack: list[_Frame] = []
        while True:
            event = get_event()
            kind = type(event)
            raw = None
            mark = event.start_mark
            if kind is scalar_event:
                value = event.value
                if event.tag is None and (not event.implicit[0] or (value and value[0] not in _IMPLICIT_FIRST)):
                    check_text(value, event)  # quoted, or plain and no resolver applies: text
                else:
                    value = scalar(event)
                    if value is not None and not isinstance(value, str):
                        raw = event.value
                self.total += 1
                if self.total > max_values:
                    self.count(0, event)
                if event.anchor is not None:
                    anchors[event.anchor] = (value, 1, raw)
                lc = (1 + line_offset, mark.column + 1 + column_offset) if mark.line == 0 else (mark.line + 1 + line_offset, mark.column + 1)
            elif kind is alias_event:
                self.aliases += 1
                if self.aliases > limits.MAX_YAML_ALIASES:
                    raise self.error(mark, f"too many aliases ('*name'): at most {limits.MAX_YAML_ALIASES} in one YAML document ({limits.DOCS})")
                anchored = anchors.get(event.anchor)
                if anchored is None:
                    raise self.error(mark, "a value cannot start with '*' (YAML reads it as an alias): put the value in quotes")
                if anchored is _OPEN:
                    raise self.error(mark, f"alias '*{event.anchor}' is inside the value it names: a value cannot contain itself")
                value, size, raw = anchored
                self.count(size, event)
                lc = self.lc(mark)
            elif kind in starts:
                if len(stack) >= max_depth:
                    raise self.error(mark, f"lists and mappings nest too deeply here: at most {max_depth} levels ({limits.DOCS})")
                lc = self.lc(mark)
                pos = SourcePos(self.path, *lc)
                container = YMap(pos) if kind is starts[0] else YList(pos)
                self.count(1, event)
                stack.append(_Frame(container, lc, event.anchor, self.total - 1))
                if event.anchor is not None:
                    anchors[event.anchor] = _OPEN
                continue
            elif kind in ends:
                frame = stack.pop()
                value, lc = frame.value, frame.lc
                if frame.merges:
                    self.merge(frame)
                if frame.anchor is not None:
                    anchors[frame.anchor] = (value, self.total - frame.start_total, None)
            else:  # pragma: no cover - the parser sends nothing else inside a document
                raise self.error(mark, f"invalid YAML: unexpected {kind.__name__}")
            if not stack:
                return value
            self.add(stack[-1], value, raw, lc, event)

    def count(self, size: int, event) -> None:
        self.total += size
        if self.total > limits.MAX_YAML_VALUES:
            raise self.error(event.start_mark, f"this YAML document holds too many values: at most {limits.MAX_YAML_VALUES}, an alias counting as every value it repeats ({limits.DOCS})")

    def scalar(self, event):
        value = event.value
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(yaml.ScalarNode, value, event.implicit)
        if tag == _STR_TAG:
            self.check_text(value, event)
            return value
        if tag == _MERGE_TAG:
            return value
        if tag not in _SCALAR_TAGS:
            raise self.error(event.start_mark, f"invalid YAML: unknown tag '{event.tag}': remove it (coursekit reads plain YAML values only)")
        if tag in (_INT_TAG, _FLOAT_TAG) and len(value) > limits.MAX_NUMBER_CHARS:
            raise self.error(event.start_mark, f"this number is too long ({len(value)} characters, at most {limits.MAX_NUMBER_CHARS}): put it in quotes if it is text")
        node = yaml.ScalarNode(tag, value, event.start_mark, event.end_mark, event.style)
        result = self.loader.yaml_constructors[tag](self.loader, node)
        if isinstance(result, float) and not math.isfinite(result):
            raise self.error(event.start_mark, f"'{value}' is not a finite number: write a number such as 1 or 0.5 (or put text in quotes)")
        return result

    def check_text(self, value: str, event) -> None:
        bad = first_forbidden(value)
        if bad is not None:
            raise self.error(event.start_mark, f"this text holds {describe(bad.group())}, which no export can carry: remove it")

    def add(self, frame: _Frame, value, raw, lc, event) -> None:
        container = frame.value
        if isinstance(container, YList):
            if raw is not None:
                container.raw[len(container)] = raw
            container.append(value)
            container._items.append(lc)
            return
        if frame.key is _OPEN:  # a key
            if isinstance(value, (YMap, YList)):
                raise YamlError(SourcePos(self.path, *lc), "invalid YAML: a key must be plain text")
            frame.key, frame.key_lc, frame.key_event = value, lc, event
            return
        key, key_lc, key_event = frame.key, frame.key_lc, frame.key_event
        frame.key = _OPEN
        if key == "<<" and isinstance(key_event, yaml.ScalarEvent) and key_event.implicit[0] and key_event.tag is None:
            sources = value if isinstance(value, YList) else [value]
            if not all(isinstance(source, YMap) for source in sources):
                raise self.error(event.start_mark, "invalid YAML: '<<' merges a mapping or a list of mappings")
            frame.merges.extend(sources)
            return
        if key in container:
            first = container._keys[key]
            raise YamlError(SourcePos(self.path, *key_lc), f"duplicate key '{key}' (first written at line {first[0]})")
        container[key] = value
        if raw is not None:
            container.raw[key] = raw
        container._set(key, key_lc, lc)

    @staticmethod
    def merge(frame: _Frame) -> None:
        """``<<: *base``: keys written in the mapping win, then the first source that has
        the key (YAML's merge rule)."""
        container = frame.value
        for source in frame.merges:
            for key, value in source.items():
                if key not in container:
                    container[key] = value
                    if key in source.raw:
                        container.raw[key] = source.raw[key]
                    container._set(key, source._keys.get(key), source._values.get(key))
