"""Markdown to HTML, once, at load time: markdown-it-py configured as the spec says.

CommonMark + GFM tables and strikethrough + footnotes + ``::: note|tip|warning``
callouts. Raw HTML is escaped unless the course allows it. Every relative link and image
is resolved through ``AssetResolver`` and rewritten to the file's safe name in exports.
Plugins extend the parser through the ``prepare_markdown`` hook.
"""

from __future__ import annotations

import bisect
import html
import re
from typing import Callable
from urllib.parse import unquote

from markdown_it import MarkdownIt
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin

from ..model import SourcePos

CALLOUTS = ("note", "tip", "warning")
_CALLOUT_LABELS = {
    "en": {"note": "Note", "tip": "Tip", "warning": "Warning"},
    "fr": {"note": "À noter", "tip": "Astuce", "warning": "Attention"},
}
# Text with none of these characters renders to itself, escaped: skipping the parser for
# the many short strings of a quiz (choices, feedback) keeps loading 1000 lessons fast.
_MARKDOWN_SYNTAX = re.compile(r"[\\`*_\[\]<>!#&~|:=+\-]|^\s*\d+[.)]\s|\n\s*\n|^ {4}|\s{2}\n")
_TAGS = re.compile(r"<[^>]+>")
# tags that separate words; inline ones (<em>, <a>...) must not: "<em>bouchons</em>?" is "bouchons?"
_BLOCK_TAGS = re.compile(
    r"</?(?:p|br|hr|div|li|ul|ol|dl|dt|dd|h[1-6]|table|thead|tbody|tr|td|th|blockquote|pre|aside|section|img)\b[^>]*>",
    re.IGNORECASE,
)
_SPACES = re.compile(r"\s+")


def plain_text(html_text: str) -> str:
    """The text of rendered HTML, whitespace collapsed (for reports and metadata)."""
    return _SPACES.sub(" ", html.unescape(_TAGS.sub("", _BLOCK_TAGS.sub(" ", html_text)))).strip()


def _callout_renderer(kind: str, language: str):
    labels = _CALLOUT_LABELS.get(language.split("-")[0].lower(), _CALLOUT_LABELS["en"])

    def render(self, tokens, idx, options, env):
        if tokens[idx].nesting == 1:
            return (
                f'<aside class="ck-callout ck-callout-{kind}" role="note">\n'
                f'<p class="ck-callout-title">{labels[kind]}</p>\n'
            )
        return "</aside>\n"

    return render


def make_markdown(allow_html: bool, language: str, prepare: Callable[[MarkdownIt], None] | None = None) -> MarkdownIt:
    """The parser every lesson, prompt and description goes through."""
    md = MarkdownIt("commonmark", {"html": allow_html}).enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    for kind in CALLOUTS:
        md.use(container_plugin, name=kind, render=_callout_renderer(kind, language))
    if prepare is not None:
        prepare(md)
    _record_spans(md)
    _watch_nesting(md)
    return md


class MarkdownRenderer:
    """Renders Markdown for one course; links go through ``resolve_link``.

    ``resolve_link(target, base_path, pos, is_image) -> str | None`` returns the href to
    write (None keeps the original), reporting problems itself.
    """

    def __init__(self, md: MarkdownIt, resolve_link, warn, error=None):
        self.md = md
        self.resolve_link = resolve_link
        self.warn = warn
        self.error = error or warn

    def check_nesting(self, env: dict, pos: SourcePos, line_offset: int = 0) -> None:
        """Report content nested past markdown-it's limit (it would be dropped)."""
        line = env.get(TOO_DEEP)
        if line is not None:
            where = SourcePos(pos.path, pos.line + line_offset + line, 1)
            self.error(where, NESTING_MESSAGE.format(self.md.options.maxNesting))

    # --- short strings ---------------------------------------------------------------

    def inline(self, text: str, base_path: str, pos: SourcePos) -> str:
        """Markdown inline (a choice, an objective): no enclosing paragraph."""
        text = str(text)
        if not _MARKDOWN_SYNTAX.search(text):
            return html.escape(text, quote=False)
        env: dict = {}
        tokens = self.md.parseInline(text, env)
        self._rewrite(tokens, text.split("\n"), 0, base_path, pos)
        return self.md.renderer.render(tokens, self.md.options, env).strip()

    def block(self, text: str, base_path: str, pos: SourcePos) -> str:
        """Markdown blocks (a prompt, an explanation, a description)."""
        text = str(text)
        if not _MARKDOWN_SYNTAX.search(text):
            return f"<p>{html.escape(text.strip(), quote=False)}</p>"
        env: dict = {}
        tokens = self.md.parse(text, env)
        self.check_nesting(env, pos)
        self._rewrite(tokens, text.split("\n"), 0, base_path, pos)
        return self.md.renderer.render(tokens, self.md.options, env)

    # --- whole lessons ---------------------------------------------------------------

    def parse(self, text: str, env: dict):
        return self.md.parse(text, env)

    def render_tokens(self, tokens, env: dict) -> str:
        return self.md.renderer.render(tokens, self.md.options, env)

    def rewrite_links(self, tokens, lines: list[str], line_offset: int, base_path: str, pos: SourcePos) -> None:
        self._rewrite(tokens, lines, line_offset, base_path, pos)

    def _rewrite(self, tokens, lines, line_offset, base_path, pos: SourcePos) -> None:
        """Resolve every link and image, each reported at its own position.

        Positions come from where the parser found each link (``_record_spans``) mapped
        back to the source line by line: the work is linear in the text and the number
        of links, whatever the links look like (a target written with entities or
        escapes is not found verbatim and must not send a search through the file)."""
        finder = _PositionFinder(lines, line_offset, pos)
        for token in tokens:
            if token.map:
                finder.block(token.map[0])
            children = token.children if token.type == "inline" else [token]
            if not children:
                continue
            content = token.content if token.type == "inline" else None
            finder.inline(content, token.map)
            for child in children:
                if child.type == "image":
                    attr, is_image = "src", True
                elif child.type == "link_open":
                    attr, is_image = "href", False
                else:
                    continue
                target = child.attrGet(attr)
                if target is None:
                    continue
                where = finder.find(target, child.meta.get(_SPAN) if child.meta else None)
                if is_image and not child.content.strip() and not _children_text(child):
                    self.warn(where, f"image '{unquote(target)}' has no alt text: describe it for screen readers")
                new = self.resolve_link(target, base_path, where, is_image)
                if new is not None:
                    child.attrSet(attr, new)


class _PositionFinder:
    """Maps a link found at an offset of an inline token's text to its line and column
    in the source, in time proportional to the text (bisect on the token's line starts,
    searches bounded by the link's own span)."""

    #: how far past the expected column a target is looked for when the parsed line
    #: differs from the source line (a table cell, a heading's closing '#')
    WINDOW = 4096

    def __init__(self, lines: list[str], line_offset: int, pos: SourcePos):
        self.lines = lines
        self.line_offset = line_offset
        self.pos = pos
        self.block_line = 0
        self.content = None
        self.map = None
        self.starts: list[int] | None = None
        #: per source line: where the parsed text starts in it (None: not a suffix)
        self.prefix: dict[int, int | None] = {}
        #: per source line: column after the last link found on it
        self.cursor: dict[int, int] = {}

    def block(self, line: int) -> None:
        self.block_line = line

    def inline(self, content, token_map) -> None:
        self.content, self.map = content, token_map
        self.starts = None  # computed on the first link: most inline text has none

    def _at(self, line_index: int, column: int) -> SourcePos:
        return SourcePos(self.pos.path, self.pos.line + self.line_offset + line_index, max(column, 1))

    def find(self, target: str, span) -> SourcePos:
        content = self.content
        if content is None or span is None or self.map is None or not 0 <= span[0] <= span[1] <= len(content):
            return self._at(self.block_line, 1)
        start, end = span
        candidates = [target]
        decoded = unquote(target)
        if decoded != target:
            candidates.append(decoded)
        offset = -1
        for candidate in candidates:  # the target inside the link's own text
            offset = content.find(candidate, start, end)
            if offset >= 0:
                break
        found = offset >= 0
        if not found:
            offset, candidate = start, ""
        if self.starts is None:
            self.starts = [0] + [m.end() for m in _NEWLINE.finditer(content)]
        row = bisect.bisect_right(self.starts, offset) - 1
        line_start = self.starts[row]
        k = offset - line_start
        index = self.map[0] + row
        if index >= len(self.lines):
            return self._at(self.block_line, 1)
        source = self.lines[index]
        prefix = self.prefix.get(index, _UNKNOWN)
        if prefix is _UNKNOWN:
            line_end = self.starts[row + 1] - 1 if row + 1 < len(self.starts) else len(content)
            parsed = content[line_start:line_end].rstrip()
            written = source.rstrip()
            prefix = self.prefix[index] = len(written) - len(parsed) if parsed and written.endswith(parsed) else None
        if prefix is not None:
            column = prefix + k
        else:  # look near the last link of this line, within a bounded window
            low = self.cursor.get(index, 0)
            # the target as written, or else the link's own text (verbatim in the source)
            needle = candidate if found else content[start : min(end, start + 40)].split("\n")[0]
            hit = source.find(needle, low, low + k + len(needle) + self.WINDOW) if needle else -1
            column = hit if hit >= 0 else low
        self.cursor[index] = column + 1
        return self._at(index, column + 1)


_UNKNOWN = object()
_NEWLINE = re.compile("\n")
_SPAN = "ck_span"


def _record_spans(md: MarkdownIt) -> None:
    """Wrap the inline rules that make links and images so each token remembers the
    offsets of its source text (``meta['ck_span']``) in the inline text parsed."""
    for name in ("link", "image", "autolink"):
        rule = next((r for r in md.inline.ruler.__rules__ if r.name == name), None)
        if rule is None:
            continue
        md.inline.ruler.at(name, _spanning(rule.fn))


def _spanning(rule):
    def wrapped(state, silent):
        start, before = state.pos, len(state.tokens)
        ok = rule(state, silent)
        if ok and not silent:
            for token in state.tokens[before:]:
                if token.type in ("link_open", "image"):
                    token.meta[_SPAN] = (start, state.pos)
                    break
        return ok

    return wrapped


def _watch_nesting(md: MarkdownIt) -> None:
    """markdown-it drops, silently, whatever is nested deeper than ``maxNesting``
    (quotes in quotes, lists in lists): note where, so the loader reports it."""
    block = md.block
    tokenize = block.tokenize
    limit = md.options.maxNesting

    def watched(state, start_line, end_line, *args):
        if state.level >= limit and state.skipEmptyLines(start_line) < end_line:
            first = state.env.get(TOO_DEEP)
            if first is None or start_line < first:
                state.env[TOO_DEEP] = start_line
        return tokenize(state, start_line, end_line, *args)

    block.tokenize = watched


#: env key: 0-based line (in the parsed text) where content nested too deeply starts
TOO_DEEP = "ck_too_deep"
NESTING_MESSAGE = (
    "quotes, lists and callouts are nested too deeply here (a list level counts twice): "
    "past {} levels the rest would be lost"
)


#: characters at which markdown-it's inline parser stops to try its rules (its
#: "terminator" characters): with the lines, a measure of the work a text costs
_MARKS = "\n!#$%&*+-:<=>@[\\]^_`{}~|"


#: lines that open a block (list item, quote, heading, table row) cost markdown-it
#: several times a plain line: measured, a list item costs about five
_BLOCK_START = re.compile(r"^[ \t]*(?:[-*+>#|]|\d{1,9}[.)])", re.MULTILINE)
BLOCK_START_UNITS = 4


def markdown_units(text: str, blocks: bool = True) -> int:
    """The work parsing ``text`` costs, in units: one per line, one per character that
    may start Markdown syntax, four more per line opening a block (counted at C speed,
    before any parsing). ``blocks=False`` for YAML, whose ``- `` lines are not Markdown."""
    units = sum(text.count(c) for c in _MARKS) + 1
    return units + BLOCK_START_UNITS * len(_BLOCK_START.findall(text)) if blocks else units


def units_line(text: str, budget: int, blocks: bool = True) -> int:
    """0-based line of ``text`` where its units pass ``budget``."""
    used = 0
    for number, line in enumerate(text.split("\n")):
        used += markdown_units(line, blocks)
        if used > budget:
            return number
    return 0


def _children_text(token) -> str:
    return "".join(c.content for c in (token.children or ()))
