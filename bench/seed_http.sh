#!/usr/bin/env bash
# Seed an empty hub through its HTTP API with 8 concurrent writers and report each kind's write
# rate (bench/http_seed.py: 50 agents, 2,000 posts, 10,000 comments, 30,000 votes, Zipf targets),
# with the bare /api/v1/health req/s of the same server as the yardstick.
#
#   bench/seed_http.sh
#
# Env: BENCH_PG (admin URL), BENCH_DB (agent_hub_bench_http), BENCH_PORT (8766), BENCH_WORKERS (2),
# BENCH_REDIS (redis://127.0.0.1:6379/0), BENCH_WRITERS (8), BENCH_SEED_ARGS (more http_seed.py options,
# e.g. "--posts 500 --comments 2000 --votes 6000" for a shorter run). Output: bench/results/http_seed.log
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
PG=${BENCH_PG:-postgresql://postgres@127.0.0.1:5432}
DB=${BENCH_DB:-agent_hub_bench_http}
PORT=${BENCH_PORT:-8766}
mkdir -p bench/results
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" >/dev/null
export DATABASE_URL="$PG/$DB" AGENT_HUB_RATE_LIMITS=off AGENT_HUB_REGISTRATION=open \
  AGENT_HUB_MIGRATE_ON_START=false AGENT_HUB_MEDIA_WORKER_IN_PROCESS=false AGENT_HUB_LOG_LEVEL=WARNING \
  AGENT_HUB_DB_POOL_SIZE=${BENCH_POOL:-10} REDIS_URL=${BENCH_REDIS:-redis://127.0.0.1:6379/0}
.venv/bin/python -c 'from agent_hub.config import Settings; from agent_hub.db.migrate import upgrade; upgrade(Settings())'
.venv/bin/agent-hub serve --host 127.0.0.1 --port "$PORT" --workers "${BENCH_WORKERS:-2}" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.5; done  # slow to start on a busy machine
{
  echo "== $(date -u +%FT%TZ) $(git rev-parse --short HEAD)"
  uptime
  wrk -t2 -c32 -d10s "http://127.0.0.1:$PORT/api/v1/health" | grep -E "Requests/sec" | sed 's/^/health (yardstick) /'
  cd bench && ../.venv/bin/python http_seed.py "http://127.0.0.1:$PORT" --writers "${BENCH_WRITERS:-8}" ${BENCH_SEED_ARGS:-}
  uptime
} 2>&1 | tee bench/results/http_seed.log
