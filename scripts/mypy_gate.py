"""Type-check gate: mypy --strict over src/, with a per-file baseline that may only shrink.

    python scripts/mypy_gate.py            # check (part of scripts/lint.sh and so `make test`)
    python scripts/mypy_gate.py --update   # record lower counts after fixing errors

The baseline (scripts/mypy-baseline.txt) lists, for each module that predates the gate, how many
mypy --strict errors it had. Counting per file, not per line, keeps the baseline stable when code
moves inside a file. The rules:

* a file that is not in the baseline (every new module) must have no errors;
* a file in the baseline may not have more errors than recorded;
* when a file has fewer errors than recorded, the gate fails until the baseline records the new
  count (``--update``), so an improvement cannot be undone later;
* ``--update`` only lowers counts and drops files that no longer exist or are clean; it never
  adds a file or raises a count. When you move or split a baselined module, move its line by
  hand in the same commit, keeping the total the same or lower.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scripts" / "mypy-baseline.txt"
ERROR = re.compile(r"^(?P<path>[^:\s]+\.py):\d+(?::\d+)?: error:")
HEADER = (
    "# mypy --strict errors per file that predate the type gate (scripts/mypy_gate.py).\n"
    "# Counts may only go down; a file not listed here must have none.\n"
)


def run_mypy() -> tuple[Counter[str], str]:
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary", "--no-pretty", "--hide-error-context"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if proc.returncode not in (0, 1):  # 2: mypy itself failed (bad config, crash)
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"mypy failed to run (exit {proc.returncode})")
    counts: Counter[str] = Counter()
    for line in proc.stdout.splitlines():
        if m := ERROR.match(line):
            counts[m["path"]] += 1
    return counts, proc.stdout


def read_baseline() -> dict[str, int]:
    baseline: dict[str, int] = {}
    if not BASELINE.exists():
        return baseline
    for raw in BASELINE.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            path, count = line.rsplit(None, 1)
            baseline[path] = int(count)
    return baseline


def write_baseline(baseline: dict[str, int]) -> None:
    body = "".join(f"{path} {count}\n" for path, count in sorted(baseline.items()) if count > 0)
    BASELINE.write_text(HEADER + body)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--update", action="store_true", help="record lower counts (never higher)")
    args = parser.parse_args(argv)

    counts, output = run_mypy()
    baseline = read_baseline()
    worse = {p: n for p, n in counts.items() if n > baseline.get(p, 0)}
    better = {p: counts.get(p, 0) for p, n in baseline.items() if counts.get(p, 0) < n}

    if args.update:
        if worse:
            print("mypy gate: --update never raises a count; fix these first:", file=sys.stderr)
        for path, n in better.items():
            baseline[path] = n
        baseline = {path: n for path, n in baseline.items() if n > 0}
        write_baseline(baseline)
        print(f"mypy gate: baseline updated ({sum(baseline.values())} errors in {len(baseline)} files)")
        return 1 if worse else 0

    status = 0
    if worse:
        status = 1
        for path, n in sorted(worse.items()):
            allowed = baseline.get(path, 0)
            why = "new module: must pass mypy --strict" if path not in baseline else f"baseline allows {allowed}"
            print(f"mypy gate: {path}: {n} errors ({why})", file=sys.stderr)
            for line in output.splitlines():
                if line.startswith(path + ":"):
                    print("  " + line, file=sys.stderr)
    if better:
        status = 1
        for path, n in sorted(better.items()):
            print(
                f"mypy gate: {path}: {n} errors, baseline says {baseline[path]}: record the progress", file=sys.stderr
            )
        print(
            "mypy gate: run `.venv/bin/python scripts/mypy_gate.py --update` and commit the baseline", file=sys.stderr
        )
    if status == 0:
        print(f"mypy gate: ok ({sum(counts.values())} baselined errors left in {len(counts)} files)")
    return status


if __name__ == "__main__":
    sys.exit(main())
