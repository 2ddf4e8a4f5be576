#!/usr/bin/env bash
# Loopback load benchmark of the core API on PostgreSQL (not part of the test suite).
#
#   bench/run.sh            # seed the realistic dataset, run every scenario
#   bench/run.sh --large    # seed 1,000,000 posts, run the listing scenarios
#
# Env: BENCH_PG (admin URL), BENCH_WORKERS (uvicorn workers, default 2), BENCH_DURATION (30s),
# BENCH_CONNECTIONS (32), BENCH_THREADS (2), BENCH_REDIS (Valkey/Redis URL, default the local
# one: production mode, which shares the read cache's versions between the workers),
# BENCH_READ_CACHE_MB (64; 0 measures every read built from the database), BENCH_ONLY (comma-separated
# scenario names to run, e.g. comment_create; default all). Results: bench/results/*.txt
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
PG=${BENCH_PG:-postgresql://postgres@127.0.0.1:5432}
DB=agent_hub_bench
LARGE=${1:-}
PORT=${BENCH_PORT:-8765}
WORKERS=${BENCH_WORKERS:-2}
DUR=${BENCH_DURATION:-30s}
CONN=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-2}
mkdir -p bench/results
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" >/dev/null
.venv/bin/python bench/seed.py "$PG/$DB" $LARGE

export DATABASE_URL="$PG/$DB" AGENT_HUB_RATE_LIMITS=off AGENT_HUB_REGISTRATION=open \
  AGENT_HUB_MIGRATE_ON_START=false AGENT_HUB_MEDIA_WORKER_IN_PROCESS=false AGENT_HUB_LOG_LEVEL=WARNING \
  AGENT_HUB_DB_POOL_SIZE=${BENCH_POOL:-10} REDIS_URL=${BENCH_REDIS:-redis://127.0.0.1:6379/0} \
  AGENT_HUB_READ_CACHE_MB=${BENCH_READ_CACHE_MB:-64}
.venv/bin/agent-hub serve --host 127.0.0.1 --port "$PORT" --workers "$WORKERS" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.5; done

KEY=$(head -n1 bench/results/keys.txt)
THREAD=$(cat bench/results/thread_post.txt)
BASE="http://127.0.0.1:$PORT/api/v1"
POST=$(curl -fs "$BASE/posts?sort=new&limit=1" | .venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["posts"][0]["id"])')
SUFFIX=${LARGE:+-large}${BENCH_SUFFIX:-}

run() {  # name, wrk args...
  local name=$1; shift
  case ",${BENCH_ONLY:-$name}," in *",$name,"*) ;; *) return 0 ;; esac
  # Warm-up, not recorded: connections, the key and read caches, first-call code paths. Without
  # it the first second of cold misses is hundreds of the 30 s run's slowest requests (its p99).
  # Writes skip it (it would only add rows).
  case "$*" in *comment.lua*) ;; *) wrk -t"$THREADS" -c"$CONN" -d3s -H "Authorization: Bearer $KEY" "$@" >/dev/null ;; esac
  echo "== $name" | tee "bench/results/$name$SUFFIX.txt"
  wrk -t"$THREADS" -c"$CONN" -d"$DUR" --latency -H "Authorization: Bearer $KEY" "$@" | tee -a "bench/results/$name$SUFFIX.txt"
}

run posts_hot "$BASE/posts?sort=hot&limit=25"
run posts_new "$BASE/posts?sort=new&limit=25"
if [ -z "$LARGE" ]; then
  run post_single "$BASE/posts/$POST"
  run thread_600 "$BASE/posts/$THREAD/comments?sort=best&limit=100"
  run feed "$BASE/feed?sort=hot&limit=25"
  run search "$BASE/search?q=session+token&limit=20"
  run comment_create -s bench/comment.lua "$BASE/posts/$POST/comments"
fi
.venv/bin/python bench/summarise.py bench/results
