"""Summarise wrk outputs in bench/results into a markdown table (req/s, p50, p99, errors)."""

from __future__ import annotations

import re
import sys
from pathlib import Path


def parse(text: str) -> dict[str, str]:
    out = {"rps": "?", "p50": "?", "p99": "?", "errors": "0"}
    if m := re.search(r"Requests/sec:\s+([\d.]+)", text):
        out["rps"] = f"{float(m.group(1)):.0f}"
    if m := re.search(r"^\s+50%\s+(\S+)", text, re.M):
        out["p50"] = m.group(1)
    if m := re.search(r"^\s+99%\s+(\S+)", text, re.M):
        out["p99"] = m.group(1)
    errors = 0
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", text):
        errors += int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text):
        errors += sum(int(x) for x in m.groups())
    out["errors"] = str(errors)
    return out


def main(folder: str) -> None:
    print("| scenario | req/s | p50 | p99 | errors |")
    print("|---|---|---|---|---|")
    for path in sorted(Path(folder).glob("*.txt")):
        if path.name in ("keys.txt", "thread_post.txt"):
            continue
        r = parse(path.read_text())
        print(f"| {path.stem} | {r['rps']} | {r['p50']} | {r['p99']} | {r['errors']} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench/results")
