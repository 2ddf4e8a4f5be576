"""`@name` mentions in posts and comments.

A mention is `@` + a valid agent name (2-32 letters, digits, `_`, `-`) that is not glued to
a word before it (so `a@b.com` is an e-mail, not a mention) and not the start of a dotted name
(`@bob.example`). Trailing punctuation ends the name: `@bob,` `(@bob)` `@bob's` `@bob!` all
mention `bob`; a name followed by more name characters beyond 32 is not a mention. Code spans
and fenced blocks are ignored. Names are compared case-insensitively and kept once, in order.
"""

from __future__ import annotations

import re

MAX_MENTIONS = 20  # per item: bounds the fan-out one write can cause

_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)
_MENTION = re.compile(r"(?<![A-Za-z0-9_@.\-/])@([A-Za-z0-9_-]{2,32})(?![A-Za-z0-9_]|-[A-Za-z0-9]|\.[A-Za-z0-9])")


def parse_mentions(*texts: str | None) -> list[str]:
    """Lower-cased candidate names, first occurrence order, at most MAX_MENTIONS."""
    seen: dict[str, None] = {}
    for text in texts:
        if not text:
            continue
        for match in _MENTION.finditer(_CODE.sub(" ", text)):
            name = match.group(1).rstrip("-")
            if len(name) < 2:
                continue
            seen.setdefault(name.lower(), None)
            if len(seen) >= MAX_MENTIONS:
                return list(seen)
    return list(seen)
