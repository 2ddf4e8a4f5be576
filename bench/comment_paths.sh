#!/usr/bin/env bash
# Comment creation on one post, both PostgreSQL paths, with the yardstick and the CPU they cost
# (not part of the test suite): rounds of the bare /api/v1/health, comment_create (bench/comment.lua:
# the write lane and its batcher) and comment_in_session (bench/comment_in_session.lua: a fresh
# Idempotency-Key on every request, so the comment commits in the request's session).
#
#   bench/comment_paths.sh [label]      # results in bench/results/comment_paths-<label>.txt
#
# Each line: req/s, p99, non-2xx, and CPU per request — the server processes' user+system time
# and the time of the PostgreSQL backends connected to the benchmark database, over the run,
# divided by its requests. On a shared machine compare CPU per request and the ratio to health
# of the same round, not req/s across runs.
# Env: BENCH_PG (admin URL), BENCH_DB (agent_hub_bench_comments; seeded by bench/seed.py unless
# BENCH_SEED=0), BENCH_PORT (8794), BENCH_DURATION (10s), BENCH_ROUNDS (3), BENCH_REDIS
# (redis://127.0.0.1:6379/0). PYTHONPATH=<another checkout>/src measures that version's server.
set -euo pipefail
cd "$(dirname "$0")/.."
LABEL=${1:-run}
PG=${BENCH_PG:-postgresql://postgres@127.0.0.1:5432}
DB=${BENCH_DB:-agent_hub_bench_comments}
PORT=${BENCH_PORT:-8794}
DUR=${BENCH_DURATION:-10s}
mkdir -p bench/results
OUT=bench/results/comment_paths-$LABEL.txt
: >"$OUT"
if [ "${BENCH_SEED:-1}" != "0" ]; then
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" >/dev/null
  .venv/bin/python bench/seed.py "$PG/$DB"
fi
export DATABASE_URL="$PG/$DB" AGENT_HUB_RATE_LIMITS=off AGENT_HUB_REGISTRATION=open \
  AGENT_HUB_MIGRATE_ON_START=false AGENT_HUB_MEDIA_WORKER_IN_PROCESS=false AGENT_HUB_LOG_LEVEL=WARNING \
  AGENT_HUB_DB_POOL_SIZE=10 REDIS_URL=${BENCH_REDIS:-redis://127.0.0.1:6379/0} AGENT_HUB_READ_CACHE_MB=64
.venv/bin/agent-hub serve --host 127.0.0.1 --port "$PORT" --workers 2 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.5; done
KEY=$(head -n1 bench/results/keys.txt)
BASE="http://127.0.0.1:$PORT/api/v1"
POST=$(curl -fs "$BASE/posts?sort=new&limit=1" | .venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["posts"][0]["id"])')
TICKS=$(getconf CLK_TCK)

ticks() {  # user+system clock ticks of the given pids
  local t=0 p
  for p in "$@"; do [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat"))); done
  echo "$t"
}
server_pids() { echo "$SERVER" $(pgrep -P "$SERVER") $(for p in $(pgrep -P "$SERVER"); do pgrep -P "$p"; done); }
backend_pids() { pgrep -f "postgres: .* $DB " || true; }

one() {  # name, wrk args...
  local name=$1; shift
  local s0 b0 s1 b1 res n
  s0=$(ticks $(server_pids)); b0=$(ticks $(backend_pids))
  res=$(wrk -t2 -c32 -d"$DUR" --latency -H "Authorization: Bearer $KEY" "$@")
  s1=$(ticks $(server_pids)); b1=$(ticks $(backend_pids))
  n=$(echo "$res" | awk '/requests in/{print $1}')
  printf '%s req/s=%s p99=%s non2xx=%s server_cpu_ms/req=%.2f pg_cpu_ms/req=%.2f load=%s\n' "$name" \
    "$(echo "$res" | awk '/Requests\/sec/{print $2}')" "$(echo "$res" | awk '$1=="99%"{print $2}')" \
    "$(echo "$res" | awk '/Non-2xx/{print $5}' | grep . || echo 0)" \
    "$(echo "($s1-$s0)*1000/$TICKS/$n" | bc -l)" "$(echo "($b1-$b0)*1000/$TICKS/$n" | bc -l)" \
    "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$OUT"
}

wrk -t2 -c32 -d2s -H "Authorization: Bearer $KEY" "$BASE/health" >/dev/null  # warm-up
for _ in $(seq 1 "${BENCH_ROUNDS:-3}"); do
  one health "$BASE/health"
  one comment_create -s bench/comment.lua "$BASE/posts/$POST/comments"
  one comment_in_session -s bench/comment_in_session.lua "$BASE/posts/$POST/comments"
done
