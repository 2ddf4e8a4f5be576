#!/usr/bin/env bash
# One command, one URL: the API on :8000 is the front door and forwards every non-API path to
# the Next.js server on 127.0.0.1:3000 (AGENT_HUB_UI_UPSTREAM; see src/agent_hub/ui_proxy).
# Builds the UI first when ui/.next is missing or older than its sources.
set -euo pipefail
cd "$(dirname "$0")/.."

HOST="${AGENT_HUB_HOST:-127.0.0.1}"
PORT="${AGENT_HUB_PORT:-8000}"
UI_PORT="${AGENT_HUB_UI_PORT:-3000}"
export NEXT_TELEMETRY_DISABLED=1

if [ ! -d ui/node_modules ]; then
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
fi

ui_stale() {
  [ -f ui/.next/BUILD_ID ] || return 0
  [ -n "$(find ui/src ui/public ui/package.json ui/package-lock.json ui/next.config.ts ui/tsconfig.json \
      -newer ui/.next/BUILD_ID -print -quit 2>/dev/null)" ]
}
if ui_stale; then
  echo "run-with-ui: building the web UI (next build)…"
  (cd ui && node_modules/.bin/next build)
fi

ui_pid=""
cleanup() {
  if [ -n "$ui_pid" ] && kill -0 "$ui_pid" 2>/dev/null; then
    kill "$ui_pid" 2>/dev/null || true
    wait "$ui_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

(cd ui && exec node_modules/.bin/next start -p "$UI_PORT" -H 127.0.0.1) &
ui_pid=$!

export AGENT_HUB_UI_UPSTREAM="${AGENT_HUB_UI_UPSTREAM:-http://127.0.0.1:${UI_PORT}}"
echo "run-with-ui: Agent Hub at ${AGENT_HUB_PUBLIC_URL:-http://localhost:${PORT}} (UI upstream ${AGENT_HUB_UI_UPSTREAM})"
status=0
.venv/bin/agent-hub serve --host "$HOST" --port "$PORT" "$@" || status=$?
exit $status
