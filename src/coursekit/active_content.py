"""Scripts hidden in course files a learner may open: SVG, HTML, XHTML and XML assets.

A lesson may link to ``diagram.svg`` or ``handout.html``; the learner's browser opens it from
the package's origin, where a script could read and forge the learner's tracking data. With
``allow_html`` off, such a file must hold no active content: ``active_problems`` lists, with
their lines, the script elements, event handlers, ``javascript:`` URLs, ``<foreignObject>``,
frames, external references and entity declarations it finds.

SVG and XML are parsed as XML with a parser that never loads a DTD, never expands an entity
and never touches the network (browsers parse them as strict XML too, so what the parser
sees is what a browser runs). HTML is scanned conservatively on its text, raw and with
character references decoded: lenient HTML parsers disagree, so anything that looks like
active content is refused.
"""

from __future__ import annotations

import html
import re
from typing import Iterator

#: parsed as XML: an XHTML element in any of these runs in a browser
XML_SUFFIXES = (".svg", ".xhtml", ".xht", ".xml", ".xsl", ".xslt", ".rdf")
#: scanned as HTML
HTML_SUFFIXES = (".html", ".htm", ".shtml", ".mht", ".mhtml", ".hta")
#: elements that run code or pull in other documents
ACTIVE_ELEMENTS = frozenset({
    "script", "foreignobject", "iframe", "frame", "frameset", "embed", "object", "applet",
    "handler", "listener", "base", "portal", "import",
})
#: attributes whose value is fetched or followed
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "data", "codebase", "background", "poster", "srcset"})
_SCHEMES = ("javascript:", "vbscript:", "livescript:", "data:text/html", "data:application/xhtml", "data:image/svg", "data:text/xml", "data:application/xml")
_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.I)
_SPACE = re.compile(r"[\s\x00-\x20]+")
_CSS_ACTIVE = re.compile(r"@import|expression\s*\(|url\s*\(\s*['\"]?\s*(?:[a-z][a-z0-9+.-]*:|//)|behavior\s*:|-moz-binding", re.I)
_HTML_ACTIVE = re.compile(
    r"<\s*(script|iframe|frame|frameset|embed|object|applet|base|portal)\b"
    r"|http-equiv\s*=\s*[\"']?\s*refresh"
    r"|\bon[a-z]+\s*="
    r"|(?:java|vb|live)script\s*:"
    r"|data\s*:\s*(?:text/html|application/xhtml|image/svg)"
    r"|@import|expression\s*\(",
    re.I,
)
MAX_SCANNED = 50 * 1024 * 1024


def is_markup(name: str, data: bytes) -> str | None:
    """``"xml"``, ``"html"`` or None: how a browser would take the file if a learner opened it.
    A file without a known type that starts like markup is sniffed as HTML by browsers."""
    lower = name.lower()
    if lower.endswith(".svgz"):
        return "xml"
    if lower.endswith(XML_SUFFIXES):
        return "xml"
    if lower.endswith(HTML_SUFFIXES):
        return "html"
    if "." not in lower.rsplit("/", 1)[-1]:
        head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        if head.startswith(b"<"):
            return "html"
    return None


def active_problems(name: str, data: bytes) -> list[tuple[int, str]]:
    """``(line, message)`` for each piece of active content in the file ``name``."""
    if name.lower().endswith(".svgz"):
        data = _gunzip(data)
        if data is None:
            return [(1, f"a compressed SVG that does not inflate to at most {MAX_SCANNED // (1024 * 1024)} MB cannot be checked for scripts")]
        name = name[:-1]
    kind = is_markup(name, data)
    if kind is None:
        return []
    if len(data) > MAX_SCANNED:
        return [(1, f"a markup file larger than {MAX_SCANNED // (1024 * 1024)} MB cannot be checked for scripts")]
    if kind == "xml":
        return list(_xml_problems(data))
    return list(_html_problems(data))


def _value_problem(attr: str, value: str, element: str) -> str | None:
    flat = _SPACE.sub("", html.unescape(value)).lower()
    if flat.startswith(_SCHEMES) or any(s in flat for s in ("javascript:", "vbscript:")):
        return f"a script URL in {attr}= of <{element}>"
    if attr in URL_ATTRIBUTES and _EXTERNAL.match(value.strip()) and element != "a" and not value.strip().startswith("#"):
        return f"an external reference ({value.strip()[:60]}) in {attr}= of <{element}>: an export must not load files from elsewhere"
    if attr == "style" and _CSS_ACTIVE.search(value):
        return f"active or external CSS in style= of <{element}>"
    return None


def _xml_problems(data: bytes) -> Iterator[tuple[int, str]]:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=False, remove_comments=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else 1
        yield line or 1, f"not well-formed XML ({exc.msg}): a browser would not show it, and it cannot be checked for scripts"
        return
    except (ValueError, RecursionError, MemoryError) as exc:
        yield 1, f"cannot be read as XML ({type(exc).__name__}), so it cannot be checked for scripts"
        return
    tree = root.getroottree()
    dtd = tree.docinfo.internalDTD
    if dtd is not None and (list(dtd.entities()) or list(dtd.elements())):
        yield 1, "declares entities or elements in a DOCTYPE: a browser expands them, so they may hide a script"
    for node in (*root.itersiblings(preceding=True), *root.itersiblings()):
        if isinstance(node, etree._ProcessingInstruction) and node.target.lower() == "xml-stylesheet":
            yield node.sourceline or 1, "an <?xml-stylesheet?> instruction: a stylesheet (XSLT) may run scripts"
    for el in root.iter():
        line = el.sourceline or 1
        if isinstance(el, etree._ProcessingInstruction):
            if el.target.lower() == "xml-stylesheet":
                yield line, "an <?xml-stylesheet?> instruction: a stylesheet (XSLT) may run scripts"
            continue
        if not isinstance(el.tag, str):
            continue
        local = etree.QName(el).localname
        lowered = local.lower()
        if lowered in ACTIVE_ELEMENTS:
            yield line, f"a <{local}> element (scripts and embedded documents run when a learner opens the file)"
        if lowered == "style" and el.text and _CSS_ACTIVE.search(el.text):
            yield line, "active or external CSS in a <style> element"
        if lowered == "meta" and (el.get("http-equiv") or "").lower() == "refresh":
            yield line, "a <meta http-equiv=refresh> redirect"
        for key, value in el.attrib.items():
            attr = etree.QName(key).localname.lower()
            if attr.startswith("on"):
                yield line, f"an event handler {attr}= on <{local}> (it runs a script)"
                continue
            why = _value_problem(attr, value, lowered)
            if why:
                yield line, why


def _gunzip(data: bytes) -> bytes | None:
    import zlib

    try:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out = inflater.decompress(data, MAX_SCANNED + 1)
    except zlib.error:
        return None
    return out if len(out) <= MAX_SCANNED else None


def _decode(data: bytes) -> str:
    """The text as a browser would decode it: a byte-order mark decides (UTF-16 and UTF-32
    hide ``<script>`` from a UTF-8 reading); NUL characters are dropped."""
    for bom, codec in ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
                       (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(codec, errors="replace").replace("\x00", "")
    if data[:200].count(b"\x00") > 20:  # UTF-16 without a mark, as some browsers sniff it
        codec = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
        return data.decode(codec, errors="replace").replace("\x00", "")
    return data.decode("utf-8", errors="replace").replace("\x00", "")


def _html_problems(data: bytes) -> Iterator[tuple[int, str]]:
    text = _decode(data)
    seen = set()
    for source in (text, html.unescape(text)):
        for match in _HTML_ACTIVE.finditer(source):
            line = source.count("\n", 0, match.start()) + 1
            what = " ".join(match.group(0).split())[:40]
            if (line, what.lower()) in seen:
                continue
            seen.add((line, what.lower()))
            yield line, f"active content in an HTML file ({what!r}): scripts, frames, embedded objects and handlers run when a learner opens it"


# --- pages rendered from a course's own templates ----------------------------------------------

_SCRIPT_ELEMENT = re.compile(r"<\s*script\b.*?(?:<\s*/\s*script\s*>|\Z)", re.I | re.S)
_TAG = re.compile(r"<\s*[!/]?[a-zA-Z][^>]*>?")


def page_active_markup(page: str) -> set[str]:
    """The pieces of a rendered page that can run code: every script element, and every tag
    holding an active element, an event handler, a script URL or a refresh. Author text is
    escaped in the player's pages, so only markup a template wrote can show here.

    A page rendered from a course's templates may hold only pieces the player's own templates
    give for the same page (``coursekit.player.site``): a theme restyles, it does not run code."""
    found = {" ".join(m.group(0).split()) for m in _SCRIPT_ELEMENT.finditer(page)}
    for match in _TAG.finditer(_SCRIPT_ELEMENT.sub("", page)):
        tag = match.group(0)
        flat = _SPACE.sub("", html.unescape(tag)).lower()
        if _HTML_ACTIVE.search(tag) or _HTML_ACTIVE.search(html.unescape(tag)) or any(s in flat for s in _SCHEMES):
            found.add(" ".join(tag.split()))
    return found
