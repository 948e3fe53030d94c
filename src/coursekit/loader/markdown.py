"""Markdown to HTML, once, at load time: markdown-it-py configured as the spec says.

CommonMark + GFM tables and strikethrough + footnotes + ``::: note|tip|warning``
callouts. Raw HTML is escaped unless the course allows it. Every relative link and image
is resolved through ``AssetResolver`` and rewritten to the file's safe name in exports.
Plugins extend the parser through the ``prepare_markdown`` hook.
"""

from __future__ import annotations

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
    return md


class MarkdownRenderer:
    """Renders Markdown for one course; links go through ``resolve_link``.

    ``resolve_link(target, base_path, pos, is_image) -> str | None`` returns the href to
    write (None keeps the original), reporting problems itself.
    """

    def __init__(self, md: MarkdownIt, resolve_link, warn):
        self.md = md
        self.resolve_link = resolve_link
        self.warn = warn

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
        block_line = None
        #: where the search for the next link target resumes, so that a target written
        #: twice in one block gets the position of each occurrence
        cursor = (0, 0)
        for token in tokens:
            if token.map:
                block_line = token.map[0]
                cursor = (block_line, 0)
            children = token.children if token.type == "inline" else [token]
            for child in children or ():
                if child.type == "image":
                    attr, is_image = "src", True
                elif child.type == "link_open":
                    attr, is_image = "href", False
                else:
                    continue
                target = child.attrGet(attr)
                if target is None:
                    continue
                where, cursor = self._locate(target, lines, block_line, cursor, line_offset, pos)
                if is_image and not child.content.strip() and not _children_text(child):
                    self.warn(where, f"image '{unquote(target)}' has no alt text: describe it for screen readers")
                new = self.resolve_link(target, base_path, where, is_image)
                if new is not None:
                    child.attrSet(attr, new)

    @staticmethod
    def _locate(target: str, lines: list[str], block_line, cursor, line_offset: int, pos: SourcePos):
        """``(position, next cursor)`` of ``target`` in the source: its line inside the
        block, its column. markdown-it hands targets back percent-encoded
        (``thermomètre.png`` becomes ``thermom%C3%A8tre.png``): the decoded form is
        looked for too."""
        candidates = [target]
        decoded = unquote(target)
        if decoded != target:
            candidates.append(decoded)
        if block_line is None:
            # inline text (a choice): the position of the value itself
            for number, line in enumerate(lines):
                for candidate in candidates:
                    column = line.find(candidate)
                    if column >= 0:
                        col = column + 1 + (pos.column - 1 if number == 0 else 0)
                        return SourcePos(pos.path, pos.line + number, col), cursor
            return pos, cursor
        start_line, start_column = cursor
        for number in range(start_line, len(lines)):
            offset = start_column if number == start_line else 0
            hits = [c for c in (lines[number].find(x, offset) for x in candidates) if c >= 0]
            if hits:
                column = min(hits)
                return SourcePos(pos.path, pos.line + line_offset + number, column + 1), (number, column + 1)
        return SourcePos(pos.path, pos.line + line_offset + block_line, 1), cursor


def _children_text(token) -> str:
    return "".join(c.content for c in (token.children or ()))
