#!/usr/bin/env bash
# Build the Next.js UI (ui/) as a standalone server, the same way inside the image
# (deploy/images/ui.Dockerfile) and in CI.
#
# Usage: install-ui.sh [--ui DIR] [--out DIR] [--no-build]
#   --ui DIR    the Next.js app (default: ui/ of the repo this script is in)
#   --out DIR   assemble the runnable app here: server.js, .next/static, public/
#               (run it with `node server.js` from DIR)
#   --no-build  only assemble --out from the existing build (the UI tests do this after
#               their own `next build`, so they run the artifact the image runs)
#
# The app must set `output: "standalone"` in its next.config. When ui/package.json
# does not exist yet, the script says so and exits 0.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ui="$(cd "$here/../.." && pwd)/ui"
out=""

while [ $# -gt 0 ]; do
  case "$1" in
    --ui) ui="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install-ui.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

if [ ! -f "$ui/package.json" ]; then
  echo "install-ui.sh: $ui/package.json not found; nothing to build yet"
  exit 0
fi

cd "$ui"
export NEXT_TELEMETRY_DISABLED=1 npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
if [ "$build" = 1 ]; then
  if [ -f package-lock.json ]; then
    npm ci
  else
    echo "install-ui.sh: no package-lock.json; using npm install (commit a lock file for reproducible builds)" >&2
    npm install
  fi
  npm run build
elif [ -z "$out" ]; then
  echo "install-ui.sh: --no-build needs --out" >&2
  exit 2
fi

if [ ! -f .next/standalone/server.js ]; then
  echo "install-ui.sh: .next/standalone/server.js missing; set output: \"standalone\" in next.config" >&2
  exit 1
fi

if [ -n "$out" ]; then
  mkdir -p "$out"
  cp -a .next/standalone/. "$out/"
  mkdir -p "$out/.next"
  rm -rf "$out/.next/static"
  cp -a .next/static "$out/.next/static"
  if [ -d public ]; then
    rm -rf "$out/public"
    cp -a public "$out/public"
  fi
  # Next.js writes its cache here at run time; the pod mounts an emptyDir over it.
  mkdir -p "$out/.next/cache"
  echo "install-ui.sh: standalone app assembled in $out"
fi
