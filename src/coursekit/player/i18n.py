"""Interface strings and locale formatting for the pages rendered at build time.

The same strings reach the browser (the runtime formats scores with ``Intl``), so both sides
speak the course's language. English is the fallback for any language without a catalogue.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

_HERE = Path(__file__).parent / "i18n"
FALLBACK = "en"
#: languages whose decimal separator is a comma (the build-time subset of CLDR we need)
_COMMA_DECIMAL = {"fr", "de", "es", "it", "pt", "nl", "ru", "pl", "cs", "sv", "da", "nb", "fi", "tr"}
_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def base_language(tag: str) -> str:
    """``fr-FR`` -> ``fr``."""
    return (tag or FALLBACK).split("-")[0].lower()


@lru_cache(maxsize=None)
def strings_for(tag: str) -> dict[str, str]:
    """The interface strings for a BCP 47 tag, English for what a catalogue lacks."""
    strings = json.loads((_HERE / f"{FALLBACK}.json").read_text("utf-8"))
    path = _HERE / f"{base_language(tag)}.json"
    if path.is_file():
        strings.update(json.loads(path.read_text("utf-8")))
    return strings


def format_number(value: float, tag: str) -> str:
    """A number as the course's readers write it: ``0,5`` in French, no useless ``.0``."""
    text = f"{value:g}" if value != int(value) else str(int(value))
    if base_language(tag) in _COMMA_DECIMAL:
        text = text.replace(".", ",")
    return text


def format_percent(value: float, tag: str) -> str:
    """``70 %`` (narrow no-break space, as Intl writes it) in French, ``70%`` in English."""
    number = format_number(value, tag)
    return f"{number}\u202f%" if base_language(tag) == "fr" else f"{number}%"


def format_points(value: float, tag: str) -> str:
    strings = strings_for(tag)
    # French uses the singular below 2 ("0,5 point", "1 point"), English only for exactly 1
    singular = value < 2 if base_language(tag) == "fr" else value == 1
    return strings["point" if singular else "points"].replace("{n}", format_number(value, tag))


def format_duration(iso: str | None, tag: str) -> str | None:
    """``PT1H30M`` -> ``1 h 30 min``; an unparsable value is shown as written."""
    if not iso:
        return None
    match = _DURATION.match(iso)
    if not match:
        return iso
    days, hours, minutes, seconds = match.groups()
    total_minutes = int(days or 0) * 1440 + int(hours or 0) * 60 + int(minutes or 0) + round(float(seconds or 0) / 60)
    hours, minutes = divmod(total_minutes, 60)
    parts = ([f"{hours}\u00a0h"] if hours else []) + ([f"{minutes}\u00a0min"] if minutes or not hours else [])
    return " ".join(parts)
