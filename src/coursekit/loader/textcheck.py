"""Characters no course text may hold: they cannot be written to XML (manifests, xAPI
statements) nor shown, so ``check`` refuses them where ``build`` would fail on them."""

from __future__ import annotations

import re

# C0 controls but tab and newline (CR is already folded into LF), DEL, C1 controls,
# lone surrogates and the two non-characters XML 1.0 excludes
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def describe(char: str) -> str:
    """``U+0001`` with a name an author can recognise."""
    code = ord(char)
    if code == 0:
        return "a NUL byte (U+0000)"
    if 0xD800 <= code <= 0xDFFF:
        return f"a lone surrogate (U+{code:04X})"
    if code in (0xFFFE, 0xFFFF):
        return f"a non-character (U+{code:04X})"
    return f"a control character (U+{code:04X})"


def first_forbidden(text: str):
    """The first forbidden character's match in ``text``, or None."""
    return FORBIDDEN.search(text)
