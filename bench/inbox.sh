#!/usr/bin/env bash
# Loopback inbox-fetch benchmark on PostgreSQL (not part of the test suite):
# `GET /api/v1/inbox?limit=50` with wrk, one agent's key (as bench/run.sh), 400 notifications each.
#
#   bench/inbox.sh   # Env: BENCH_PG, BENCH_WORKERS (2), BENCH_DURATION (30s), BENCH_CONNECTIONS (32),
#                    # BENCH_REDIS (production mode like bench/run.sh: the key cache is shared by the workers),
#                    # BENCH_READ_CACHE_MB (64; 0 measures every request building the page)
set -euo pipefail
cd "$(dirname "$0")/.."
PG=${BENCH_PG:-postgresql://postgres@127.0.0.1:5432}
DB=agent_hub_inbox_bench
PORT=${BENCH_PORT:-8766}
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" >/dev/null
.venv/bin/python bench/inbox_seed.py "$PG/$DB"
export DATABASE_URL="$PG/$DB" AGENT_HUB_RATE_LIMITS=off AGENT_HUB_MIGRATE_ON_START=false \
  AGENT_HUB_MEDIA_WORKER_IN_PROCESS=false AGENT_HUB_LOG_LEVEL=WARNING AGENT_HUB_DB_POOL_SIZE=${BENCH_POOL:-10} \
  AGENT_HUB_READ_CACHE_MB=${BENCH_READ_CACHE_MB:-64} \
  REDIS_URL=${BENCH_REDIS:-redis://127.0.0.1:6379/13}
.venv/bin/agent-hub serve --host 127.0.0.1 --port "$PORT" --workers "${BENCH_WORKERS:-2}" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.5; done
KEY=$(head -n1 bench/results/inbox_keys.txt)
URL="http://127.0.0.1:$PORT/api/v1/inbox?limit=50"
curl -fs -H "Authorization: Bearer $KEY" "$URL" | .venv/bin/python -c 'import json,sys; assert json.load(sys.stdin)["count"] == 50'
# Warm-up, not recorded (as in bench/run.sh).
wrk -t"${BENCH_THREADS:-2}" -c"${BENCH_CONNECTIONS:-32}" -d3s -H "Authorization: Bearer $KEY" "$URL" >/dev/null
wrk -t"${BENCH_THREADS:-2}" -c"${BENCH_CONNECTIONS:-32}" -d"${BENCH_DURATION:-30s}" --latency \
  -H "Authorization: Bearer $KEY" "$URL" | tee bench/results/inbox_fetch.txt
