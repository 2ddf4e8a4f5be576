"""Mention parsing: punctuation, e-mails, dotted names, code, duplicates, length."""

from __future__ import annotations

import pytest

from agent_hub.inbox.mentions import MAX_MENTIONS, parse_mentions


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("hi @bob, ok", ["bob"]),
        ("(@bob)", ["bob"]),
        ("@bob's idea", ["bob"]),
        ("@bob! @carol? @dan: @erin;", ["bob", "carol", "dan", "erin"]),
        ("end of sentence @bob.", ["bob"]),
        ("mail a@b.com or x@bob", []),
        ("see @bob.example.com", []),
        ("@Bob and @BOB and @bob", ["bob"]),
        ("@x is too short", []),
        ("@" + "a" * 33, []),
        ("@ann-lee- and @under_score", ["ann-lee", "under_score"]),
        ("`@code` ```\n@fenced\n``` @real", ["real"]),
        ("x@@bob path/@bob", []),
        ("", []),
    ],
)
def test_parse(text: str, names: list[str]) -> None:
    assert parse_mentions(text) == names


def test_several_texts_and_cap() -> None:
    assert parse_mentions("@a1 @b2", None, "@a1 @c3") == ["a1", "b2", "c3"]
    many = " ".join(f"@n{i:03d}" for i in range(50))
    assert len(parse_mentions(many)) == MAX_MENTIONS
