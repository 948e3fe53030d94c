"""The course's colours as CSS variables, chosen so that text on them stays readable.

An author picks any ``primary_color``; the player derives the text colour to put on it and
the link colour to put on white, so a pale brand colour never fails WCAG contrast."""

from __future__ import annotations

import re

DEFAULT_PRIMARY = "#1d4f91"
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def _luminance(color: str) -> float:
    def channel(hex2: str) -> float:
        c = int(hex2, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(color[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def theme_css(primary: str | None) -> str:
    """``:root`` variables for the course colour (empty when the author set none)."""
    if not primary or not _HEX.match(primary):
        return ""
    on_primary = "#ffffff" if contrast(primary, "#ffffff") >= contrast(primary, "#111111") else "#111111"
    # links and focus rings sit on the white page: keep the brand colour only when it reads there
    link = primary if contrast(primary, "#ffffff") >= 4.5 else DEFAULT_PRIMARY
    return f":root{{--ck-primary:{primary};--ck-on-primary:{on_primary};--ck-link:{link}}}\n"
