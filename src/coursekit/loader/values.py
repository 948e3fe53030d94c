"""Typed values of course.yml and front matter (texts, lists, durations), each reported
at its position when it is not what the spec says."""

from __future__ import annotations

import re

from ..diagnostics import shown
from .yamlpos import YList, YMap

DURATION = re.compile(r"P(?!\Z)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?\Z")


class ValueReader:
    """Part of the course loader: needs ``self.diags``."""

    def text_value(self, data: YMap, key: str, required: bool = False) -> str | None:
        if key not in data:
            return None
        value = data.text(key)
        if isinstance(value, (int, float)):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.diags.error(data.at(key), f"'{key}' must be non-empty text")
            return None
        return value.strip()

    def duration_value(self, data: YMap) -> str | None:
        duration = data.get("duration")
        if duration is None:
            return None
        if not (isinstance(duration, str) and DURATION.match(duration)):
            self.diags.error(data.at("duration"), f"'duration' must be an ISO 8601 duration such as 'PT1H30M', not {shown(duration)}")
            return None
        return duration

    def string_list(self, data: YMap, key: str) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.diags.error(data.at(key), f"'{key}' must be a list of texts")
            return ()
        result = []
        for index, item in enumerate(value):
            if isinstance(value, YList):
                item = value.text(index)
            if isinstance(item, (str, int, float)) and str(item).strip():
                result.append(str(item))
            else:
                pos = value.at(index) if isinstance(value, YList) else data.at(key)
                self.diags.error(pos, f"each entry of '{key}' must be non-empty text, not {shown(item)}")
        return tuple(result)
