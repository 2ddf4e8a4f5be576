#!/usr/bin/env python3
"""Generate prometheusrule.yaml from rules.yaml (the one source of truth for alerts).

The PrometheusRule's spec is rules.yaml itself, indented under `spec:`, so the two can
never drift: tests/deploy checks that the committed file equals this script's output.

    python deploy/monitoring/sync_prometheusrule.py          # rewrite prometheusrule.yaml
    python deploy/monitoring/sync_prometheusrule.py --check  # exit 1 if it is stale
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RULES = HERE / "rules.yaml"
TARGET = HERE / "prometheusrule.yaml"

HEADER = """\
# GENERATED from rules.yaml by sync_prometheusrule.py: edit rules.yaml, then run
#   python deploy/monitoring/sync_prometheusrule.py
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: agent-hub
  labels:
    app.kubernetes.io/name: agent-hub
    app.kubernetes.io/component: monitoring
spec:
"""


def render(rules_text: str) -> str:
    body = []
    for line in rules_text.splitlines():
        # Drop rules.yaml's own leading comment block; keep everything from `groups:`.
        if not body and (line.startswith("#") or not line.strip()):
            continue
        body.append(("  " + line) if line.strip() else "")
    return HEADER + "\n".join(body) + "\n"


def main(argv: list[str]) -> int:
    expected = render(RULES.read_text(encoding="utf-8"))
    if "--check" in argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != expected:
            print(f"{TARGET} is stale: run python {Path(__file__).as_posix()}", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(expected, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
