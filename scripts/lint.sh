#!/usr/bin/env bash
# The gates: ruff (lint + format) over all Python, mypy --strict with the per-file baseline
# on the server (scripts/mypy_gate.py), mypy --strict on the SDK, and tsc + ESLint on the UI.
# `make lint` runs this after setup; scripts/test.sh runs it first, so CI does too.
# Each gate runs even when an earlier one fails; the exit status says whether all passed.
set -uo pipefail
cd "$(dirname "$0")/.."
PY_PATHS=(src tests client bench scripts)
status=0
gate() {
  local name=$1; shift
  if "$@"; then echo "lint: $name ok"; else echo "lint: $name FAILED" >&2; status=1; fi
}
gate "ruff check" .venv/bin/ruff check "${PY_PATHS[@]}"
gate "ruff format" .venv/bin/ruff format --check "${PY_PATHS[@]}"
gate "mypy (server, baseline)" .venv/bin/python scripts/mypy_gate.py
if [ -f client/pyproject.toml ]; then
  gate "mypy (SDK, strict)" bash -c "cd client && ../.venv/bin/python -m mypy"
fi
if [ -f ui/package.json ] && [ "${AGENT_HUB_SKIP_UI:-0}" != "1" ]; then
  gate "tsc (UI)" bash -c "cd ui && npx --no-install tsc --noEmit"
  gate "eslint (UI)" bash -c "cd ui && npm run -s lint"
fi
exit $status
