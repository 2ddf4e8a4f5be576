#!/usr/bin/env bash
# Run Agent Hub on its embedded default: SQLite + local media under ./data, in-process
# cache and media worker, UI on the same origin when it is built.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f ui/package.json ] && [ "${AGENT_HUB_SKIP_UI:-0}" != "1" ]; then
  exec ./scripts/run-with-ui.sh "$@"
fi
exec .venv/bin/agent-hub serve --host "${AGENT_HUB_HOST:-127.0.0.1}" --port "${AGENT_HUB_PORT:-8000}" "$@"
