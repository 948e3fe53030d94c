"""Lessons: front matter, Markdown body rendered once, inline ``question`` blocks."""

from __future__ import annotations

from ..model import Lesson, SourcePos
from . import limits
from .markdown import plain_text
from .questions import check_keys
from .yamlpos import YMap

LESSON_KEYS = {"title", "id", "duration", "objectives"}
FENCE_INFO = "question"


class LessonLoader:
    """Part of the course loader: needs ``self.diags``, ``self.md``, ``self.questions``."""

    def load_lesson(self, rel, pos, module_id, lesson_id, meta, body, body_line) -> Lesson | None:
        if meta is not None:
            check_keys(meta, LESSON_KEYS, self.diags, "lesson front matter")
        title = self.text_value(meta, "title") if meta is not None else None
        duration = self.duration_value(meta) if meta is not None else None
        objectives = self.string_list(meta, "objectives") if meta is not None else ()
        base_dir = rel.rpartition("/")[0]
        lines = body.split("\n")
        env: dict = {}
        tokens = self.md.parse(body, env)
        file_pos = SourcePos(rel, 1, 1)
        self.md.check_nesting(env, file_pos, body_line)

        if title is None and not (meta is not None and "title" in meta):
            title = self.take_title(tokens)
            if title is None:
                where = meta.pos if meta is not None else file_pos
                self.diags.error(where, "lesson has no title: add 'title:' to the front matter or start with a '# ' heading")
        for token in tokens:  # the page's own <h1> is the title: body headings go one level down
            if token.type in ("heading_open", "heading_close"):
                token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"

        questions = []
        for index, token in enumerate(tokens):
            if token.type == "fence" and token.info.strip() == FENCE_INFO:
                first_line = body_line + token.map[0] + 1  # 0-based line after the opening fence
                if len(questions) >= limits.MAX_QUESTIONS_PER_ITEM:
                    self.diags.error(SourcePos(rel, first_line, 1), f"a lesson holds at most {limits.MAX_QUESTIONS_PER_ITEM} question blocks ({limits.DOCS})")
                    break
                data, ok = self.read_yaml(token.content, rel, first_line, 0)
                if not ok:
                    continue
                question = self.questions.parse(data, SourcePos(rel, first_line + 1, 1), base_dir, f"q{len(questions) + 1}")
                if question is None:
                    continue
                if any(q.id == question.id for q in questions):
                    self.diags.error(data.at("id") if isinstance(data, YMap) else SourcePos(rel, first_line + 1, 1), f"question id '{question.id}' is used twice in this lesson")
                    continue
                questions.append(question)
                token.type, token.tag, token.nesting = "html_block", "", 0
                token.content = f"<!--ck-question:{question.id}-->\n"
        self.md.rewrite_links(tokens, lines, body_line, base_dir, file_pos)
        html = self.md.render_tokens(tokens, env)
        objectives_html = tuple(self.md.inline(o, base_dir, meta.at("objectives")) for o in objectives)
        if lesson_id is None or title is None:
            return None
        return Lesson(
            id=lesson_id,
            title=title,
            html=html,
            source=rel,
            duration=duration,
            objectives_html=objectives_html,
            questions=tuple(questions),
            module_id=module_id,
            pos=pos,
        )

    @staticmethod
    def take_title(tokens) -> str | None:
        """The first ``#`` heading's text, removed from the body (it becomes the page title)."""
        for index, token in enumerate(tokens):
            if token.type == "heading_open" and token.tag == "h1":
                title = plain_text(tokens[index + 1].content) or tokens[index + 1].content.strip()
                del tokens[index : index + 3]
                return title or None
        return None

    def split_front_matter(self, text: str, rel: str):
        """``(meta YMap | None | False on error, body, body_line)``: body_line is the 0-based
        line index where the body starts in the file."""
        if not text.startswith("---"):
            return None, text, 0
        lines = text.split("\n")
        if lines[0].strip() != "---":
            return None, text, 0
        for index in range(1, len(lines)):
            if lines[index].rstrip() in ("---", "..."):
                meta_text = "\n".join(lines[1:index])
                data, ok = self.read_yaml(meta_text, rel, 1)
                if not ok:
                    return False, "", 0
                if data is None:
                    data = YMap(SourcePos(rel, 1, 1))
                if not isinstance(data, YMap):
                    self.diags.error(SourcePos(rel, 2, 1), "the front matter must be a mapping (title: ..., id: ...)")
                    return False, "", 0
                return data, "\n".join(lines[index + 1 :]), index + 1
        self.diags.error(SourcePos(rel, 1, 1), "front matter opened with '---' is never closed: add a '---' line after it")
        return False, "", 0
