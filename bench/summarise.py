"""Summarise wrk outputs in bench/results into a markdown table (req/s, p50, p99, errors), with
the ratios that hold across machines: each scenario against the bare /api/v1/health of the same
run (the yardstick), votes against comment creation, and the mixed run against the cached hot
listing."""

from __future__ import annotations

import re
import sys
from pathlib import Path

NOT_SCENARIOS = frozenset({"keys.txt", "names.txt", "thread_post.txt"})
# (numerator, denominator, target) for the cross-scenario ratios.
RATIOS = (("vote", "comment_create", 0.9), ("mixed", "posts_hot", 0.4))


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
    results: dict[str, dict[str, str]] = {}
    for path in sorted(Path(folder).glob("*.txt")):
        if path.name not in NOT_SCENARIOS:
            results[path.stem] = parse(path.read_text())
    yard = results.get("health", {}).get("rps", "?")
    print("| scenario | req/s | p50 | p99 | errors | × health |")
    print("|---|---|---|---|---|---|")
    for name, r in results.items():
        share = f"{float(r['rps']) / float(yard):.3f}" if "?" not in (r["rps"], yard) else "?"
        print(f"| {name} | {r['rps']} | {r['p50']} | {r['p99']} | {r['errors']} | {share} |")
    for top, bottom, target in RATIOS:
        a, b = results.get(top, {}).get("rps"), results.get(bottom, {}).get("rps")
        if a and b and "?" not in (a, b):
            ratio = float(a) / float(b)
            verdict = "met" if ratio >= target else "not met"
            print(f"\n{top} / {bottom} = {ratio:.2f} (target ≥ {target}: {verdict})", end="")
    print()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench/results")
