#!/usr/bin/env bash
# The whole test suite: the gates (scripts/lint.sh), backend (SQLite and PostgreSQL, Redis),
# deployment checks, SDK, UI.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"  # tools installed into the venv (kubectl, agent-hub)
status=0
./scripts/lint.sh || status=$?
.venv/bin/pytest tests "$@" || status=$?
if [ -d client/tests ]; then
  .venv/bin/pytest client/tests || status=$?
fi
if [ -f ui/package.json ] && [ "${AGENT_HUB_SKIP_UI:-0}" != "1" ]; then
  (cd ui && npm run check:api && npm test) || status=$?
fi
exit $status
