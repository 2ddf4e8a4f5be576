"""Word and character error rates (Levenshtein distance over tokens)."""

from __future__ import annotations

import re
from collections.abc import Sequence


def distance(a: Sequence[str], b: Sequence[str]) -> int:
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def wer(reference: str, hypothesis: str) -> float:
    ref = words(reference)
    return distance(ref, words(hypothesis)) / max(1, len(ref))


def cer(reference: str, hypothesis: str) -> float:
    ref = " ".join(reference.split())
    return distance(ref, " ".join(hypothesis.split())) / max(1, len(ref))
