"""YAML with positions: plain Python values that remember where they were written.

PyYAML's composer (the C one when available) gives nodes with marks; we turn them into
``YMap`` / ``YList`` / scalars, keeping the position of every key and every value so the
loader can point at the exact key or list entry at fault.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

try:  # libyaml is ten times faster on big courses; fall back silently when absent
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

from ..model import SourcePos


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
_MERGE_TAG = "tag:yaml.org,2002:merge"


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
    Raises ``YamlError`` for a syntax error or a duplicate key.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        return _Builder(loader, path, line_offset, column_offset).build(node)
    except yaml.MarkedYAMLError as exc:
        mark, problem = _explain(exc, text)
        line = (mark.line if mark else 0) + 1 + line_offset
        column = (mark.column if mark else 0) + 1 + (column_offset if mark and mark.line == 0 else 0)
        raise YamlError(SourcePos(path, line, column), f"invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise YamlError(SourcePos(path, 1 + line_offset, 1), f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()


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


class _Builder:
    def __init__(self, loader, path, line_offset, column_offset):
        self.loader = loader
        self.path = path
        self.line_offset = line_offset
        self.column_offset = column_offset

    def pos(self, node) -> SourcePos:
        return SourcePos(self.path, *self.lc(node))

    def lc(self, node) -> tuple[int, int]:
        mark = node.start_mark
        if mark.line == 0:
            return 1 + self.line_offset, mark.column + 1 + self.column_offset
        return mark.line + 1 + self.line_offset, mark.column + 1

    def build(self, node):
        if isinstance(node, yaml.ScalarNode):
            if node.tag == _STR_TAG:  # most scalars: skip the constructor's dispatch
                return node.value
            return self.loader.construct_object(node, deep=True)
        if isinstance(node, yaml.MappingNode):
            result = YMap(self.pos(node))
            if any(key.tag == _MERGE_TAG for key, _ in node.value):
                self.loader.flatten_mapping(node)  # resolves `<<` merge keys
            for key_node, value_node in node.value:
                key = self.build(key_node)
                if isinstance(key, (YMap, YList)):
                    raise YamlError(self.pos(key_node), "invalid YAML: a key must be plain text")
                if key in result:
                    first = result._keys[key]
                    raise YamlError(
                        self.pos(key_node), f"duplicate key '{key}' (first written at line {first[0]})"
                    )
                value = result[key] = self.build(value_node)
                if value is not None and not isinstance(value, str) and isinstance(value_node, yaml.ScalarNode):
                    result.raw[key] = value_node.value
                result._set(key, self.lc(key_node), self.lc(value_node))
            return result
        result = YList(self.pos(node))
        for index, item in enumerate(node.value):
            value = self.build(item)
            result.append(value)
            if value is not None and not isinstance(value, str) and isinstance(item, yaml.ScalarNode):
                result.raw[index] = item.value
            result._items.append(self.lc(item))
        return result
