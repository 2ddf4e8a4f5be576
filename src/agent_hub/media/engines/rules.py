"""Small, checkable rules that turn OCR text into a headline a reader can act on.

Only patterns that are unambiguous in the text are reported; the OCR text itself is always
included after the headline, so a wrong rule can be checked against it.
"""

from __future__ import annotations

import re

_QUOTE = "\"'“”‘’`"
_PY_FRAME = re.compile(rf"File\s*[{_QUOTE}]?([^\s{_QUOTE},]+\.py)[{_QUOTE}]?\s*,?\s*line\s+(\d+)", re.IGNORECASE)
_PY_EXC = re.compile(r"^\s*([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt))\s*:", re.MULTILINE)
_ANY_EXC = re.compile(r"\b([A-Z][A-Za-z]*(?:Error|Exception))\b")
_TRACEBACK = re.compile(r"Traceback\s*\(most\s+recent\s+call\s+last\)", re.IGNORECASE)


def headline(text: str) -> str | None:
    """E.g. 'looks like a screenshot of an error: TypeError on line 42 of auth.py'."""
    frames = _PY_FRAME.findall(text)
    exc_match = _PY_EXC.findall(text) or (_ANY_EXC.findall(text) if frames or _TRACEBACK.search(text) else [])
    if not exc_match and not (frames and _TRACEBACK.search(text)):
        return None
    what = exc_match[-1].rsplit(".", 1)[-1] if exc_match else "a Python exception"
    if frames:
        filename, line = frames[-1]  # the innermost frame is printed last
        filename = re.split(r"[\\/]", filename)[-1]
        return f"looks like a screenshot of an error: {what} on line {line} of {filename}"
    return f"looks like a screenshot of an error: {what}"
