"""docs/security-checklist.md: all 40 rows of the security bar are proven, each naming its tests,
and every test it names exists (a renamed or deleted test breaks this, not the checklist's word)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECKLIST = ROOT / "docs" / "security-checklist.md"
REF = re.compile(r"`((?:[\w./-]+\.py)?)::(\w+)`|`([\w./-]+/test_\w+\.py|ui/tests/[\w.-]+\.spec\.ts)`")


def _rows() -> dict[int, str]:
    rows = {}
    for line in CHECKLIST.read_text(encoding="utf-8").splitlines():
        found = re.match(r"^\| (\d+) \| (.*)\|$", line)
        if found:
            rows[int(found.group(1))] = found.group(2)
    return rows


def _file(name: str) -> Path:
    if name.startswith("ui/"):
        return ROOT / name
    return ROOT / "tests" / name.removeprefix("tests/")


def _python_tests(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}


def _exists(path: Path, name: str) -> bool:
    return name in _python_tests(path)


def test_every_row_is_proven_by_named_tests_that_exist() -> None:
    rows = _rows()
    assert sorted(rows) == list(range(1, 41))
    problems = []
    for number, text in rows.items():
        if re.search(r"\bissue\b|\(open\)|not run here", text):
            problems.append(f"row {number}: still points elsewhere: {text[:80]}")
        current: Path | None = None
        named = 0
        for qualified, test, plain in REF.findall(text):
            if plain:
                current = _file(plain)
                if not current.exists():
                    problems.append(f"row {number}: no file {plain}")
                elif plain.startswith("ui/"):
                    named += 1  # a browser spec, named by file (its titles are the UI's to change)
                continue
            if qualified:
                current = _file(qualified)
            if current is None or not current.exists():
                problems.append(f"row {number}: no file for ::{test}")
                continue
            named += 1
            if not _exists(current, test):
                problems.append(f"row {number}: {current.relative_to(ROOT)} has no test {test}")
        if named == 0:
            problems.append(f"row {number}: names no test")
    assert problems == []
