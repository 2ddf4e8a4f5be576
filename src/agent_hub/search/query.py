"""Turning a user's query into a safe FTS5 MATCH expression.

Postgres parses the raw text itself (`websearch_to_tsquery` never raises). For SQLite we
mirror its web-search grammar closely enough that both engines find the same things:
words are ANDed, `"quoted phrases"` stay phrases, `or` between words means OR, `-word`
excludes, and English stop words are dropped (as Postgres' `english` configuration does).
Every term reaches FTS5 double-quoted and made only of letters and digits, so no user
input is ever read as FTS5 syntax (`*`, `:`, `AND`, `NEAR`, column filters, ...).
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')
_WORD = re.compile(r"[^\W_]+")

# Snowball's English stop list, as used by Postgres' `english` text search configuration.
STOP_WORDS = frozenset(
    """
i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she
her hers herself it its itself they them their theirs themselves what which who whom this that
these those am is are was were be been being have has had having do does did doing a an the and
but if or because as until while of at by for with about against between into through during
before after above below to from up down in out on off over under again further then once here
there when where why how all any both each few more most other some such no nor not only own
same so than too very s t can will just don should now
""".split()
)


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text) if w.lower() not in STOP_WORDS]


def fts5_match(raw: str) -> str | None:
    """The FTS5 expression for `raw`, or None when nothing searchable is left."""
    groups: list[tuple[list[str], list[str]]] = [([], [])]
    for match in _TOKEN.finditer(raw):
        phrase, bare = match.group(1), match.group(2)
        if phrase is not None:
            words = _words(phrase)
            if words:
                groups[-1][0].append('"' + " ".join(words) + '"')
            continue
        if bare.lower() == "or":
            if groups[-1][0]:
                groups.append(([], []))
            continue
        negative = bare.startswith("-") and len(bare) > 1
        terms = ['"' + w + '"' for w in _words(bare[1:] if negative else bare)]
        (groups[-1][1] if negative else groups[-1][0]).extend(terms)
    parts = []
    for positive, negative in groups:
        if not positive:  # FTS5 cannot express a pure negation
            continue
        expr = " AND ".join(positive)
        if negative:
            expr = f"({expr}) NOT ({' OR '.join(negative)})"
        parts.append(f"({expr})")
    return " OR ".join(parts) or None


def like_pattern(raw: str) -> str:
    """`%raw%` for a case-insensitive LIKE, with the wildcards in `raw` escaped (escape `\\`)."""
    escaped = raw.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
