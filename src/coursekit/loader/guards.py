"""Checks against hostile course folders, run by the loader once everything is read.

- ids that differ only in letter case (``Intro`` and ``intro``) would give pages such as
  ``lesson-Intro.html`` and ``lesson-intro.html``, one file on Windows and macOS;
- theme templates must compile, and cannot name Python internals (they render in a sandbox,
  see ``coursekit.player.sandbox``; checking here makes ``check`` report what ``build`` would);
- with ``allow_html`` off, SVG, HTML and XML files a course ships (assets and theme files)
  must hold no script (``coursekit.active_content``).

Asset and theme file names need no check here: they are rewritten to safe names
(``coursekit.names.safe_segment``), and the package writer refuses anything else.
"""

from __future__ import annotations

from ..model import Module, SourcePos
from ..names import case_key

#: theme files the player ships (templates render in the sandbox; player.css is CSS)
_THEME_TEMPLATES = "templates/"
#: theme files a page could load as code
SCRIPT_SUFFIXES = (".js", ".mjs", ".cjs", ".wasm")


#: longest id: it names files (``lesson-<id>.html``), and Windows paths stop at 260 characters
MAX_ID_LENGTH = 100
#: longest path of a file in a package, leaving room for the folder a learner unpacks into
MAX_HREF_LENGTH = 180


def check(loader, structure, theme, allow_html: bool) -> None:
    """Run every check; problems go to ``loader.diags``."""
    check_id_case(loader.ids, loader.diags)
    check_lengths(loader, loader.diags)
    if theme is not None and theme.overrides:
        check_theme_templates(theme.overrides, loader.diags)
    if not allow_html:
        check_active_files(loader, theme, loader.diags)


def check_id_case(ids: dict, diags) -> None:
    """``ids``: id -> (position, what), in the order they were claimed."""
    first: dict[str, tuple[str, SourcePos, str]] = {}
    for value, (pos, what) in ids.items():
        key = case_key(value)
        if key in first:
            other, other_pos, other_what = first[key]
            diags.error(pos, f"{what} id '{value}' differs from the {other_what} id '{other}' at {other_pos} only in "
                             "letter case: their files would be one on Windows and macOS (use ids that differ in more than case)")
        else:
            first[key] = (value, pos, what)


def check_lengths(loader, diags) -> None:
    for value, (pos, what) in loader.ids.items():
        if len(value) > MAX_ID_LENGTH:
            diags.error(pos, f"{what} id is {len(value)} characters long: at most {MAX_ID_LENGTH} (it names the "
                             "files of the export, and Windows cannot unpack long paths)")
    for rel, href in sorted(loader.assets.used.items()):
        if len(href) > MAX_HREF_LENGTH:
            diags.error(SourcePos(rel, 1, 1), f"this file would be shipped as a path of {len(href)} characters: at most "
                                              f"{MAX_HREF_LENGTH} (Windows cannot unpack long paths); use shorter folder names")


def check_theme_templates(overrides, diags) -> None:
    if not any(name.startswith(_THEME_TEMPLATES) for name in overrides):
        return
    from ..player.sandbox import check_templates
    from ..player.site import TEMPLATES

    diags.extend(check_templates(overrides, TEMPLATES))


def check_active_files(loader, theme, diags) -> None:
    from ..active_content import active_problems, is_markup

    candidates = [(rel, loader.root / rel) for rel in sorted(loader.assets.used)]
    if theme is not None:
        candidates += [(f"theme/{name}", loader.root / "theme" / name) for name in sorted(theme.overrides)
                       if not name.startswith(_THEME_TEMPLATES)]
    if theme is not None:
        for name in sorted(theme.overrides):
            if name.lower().endswith(SCRIPT_SUFFIXES):
                diags.error(SourcePos(f"theme/{name}", 1, 1), "a script file in the theme: a theme restyles the player, it "
                                                             "does not run code; refused unless course.yml sets allow_html: true")
    for rel, path in candidates:
        try:
            with open(path, "rb") as handle:
                head = handle.read(512)
                if is_markup(rel, head) is None:
                    continue
                data = head + handle.read()
        except OSError:
            continue  # unreadable files are reported where they are read
        for line, message in active_problems(rel, data):
            diags.error(SourcePos(rel, line, 1), f"{message}; refused unless course.yml sets allow_html: true")
