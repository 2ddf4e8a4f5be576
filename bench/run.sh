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
# scenario names to run, e.g. comment_create; default all), BENCH_DB (database name, default
# agent_hub_bench: give each concurrent benchmark its own), BENCH_PORT (8765).
# Results: bench/results/*.txt, then a table with the ratios that hold across machines
# (bench/summarise.py): every scenario against the bare /api/v1/health of the same run, votes
# against comment creation, the mixed run against the cached hot listing.
#
# Scenarios: health (the yardstick), posts_hot, posts_new, post_single, thread_600, feed,
# search (reads); comment_create (32 connections on one post, one key), vote (49 agents
# upvoting 20 fresh posts of one author), post_create (50 agents, limits off), follow and
# subscribe (follow/unfollow, subscribe/unsubscribe pairs), mixed (90 % reads cycling hot, new,
# a post, its comments and the feed; 10 % comments on that post), mixed_vote (the same reads; 10 %
# upvotes of a post in another submolt).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
PG=${BENCH_PG:-postgresql://postgres@127.0.0.1:5432}
DB=${BENCH_DB:-agent_hub_bench}
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
for _ in $(seq 1 240); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.5; done  # slow to start on a busy machine

KEY=$(head -n1 bench/results/keys.txt)
THREAD=$(cat bench/results/thread_post.txt)
BASE="http://127.0.0.1:$PORT/api/v1"
POST=$(curl -fs "$BASE/posts?sort=new&limit=1" | .venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["posts"][0]["id"])')
SUFFIX=${LARGE:+-large}${BENCH_SUFFIX:-}

run() {  # name, wrk args...
  local name=$1 warm; shift
  case ",${BENCH_ONLY:-$name}," in *",$name,"*) ;; *) return 0 ;; esac
  # Warm-up, not recorded: connections, the key and read caches, first-call code paths. Without
  # it the first second of cold misses is hundreds of the 30 s run's slowest requests (its p99).
  # Writes skip it (it would only add rows). The mixed runs take it: their reads are cold too, and
  # the read lane's connections not yet open (in a 10 s run, that first second was its p99).
  case "${BENCH_KIND:-}:$*" in
    mixed*) warm=yes ;;
    *comment.lua* | *writes.lua*) warm=no ;;
    *) warm=yes ;;
  esac
  # Each scenario starts from a vacuumed database: the one before may have left thousands of dead
  # row versions (comment_create updates one post row 15,000 times), and whether autovacuum had
  # cleaned them up yet decided how slow the next scenario's reads of those rows were.
  [ "${BENCH_VACUUM:-1}" = 0 ] || psql "$PG/$DB" -qc "VACUUM (ANALYZE)" >/dev/null
  [ "$warm" = no ] || wrk -t"$THREADS" -c"$CONN" -d3s -H "Authorization: Bearer $KEY" "$@" >/dev/null
  echo "== $name" | tee "bench/results/$name$SUFFIX.txt"
  wrk -t"$THREADS" -c"$CONN" -d"$DUR" --latency -H "Authorization: Bearer $KEY" "$@" | tee -a "bench/results/$name$SUFFIX.txt"
}

run health "http://127.0.0.1:$PORT/api/v1/health"
run posts_hot "$BASE/posts?sort=hot&limit=25"
run posts_new "$BASE/posts?sort=new&limit=25"
if [ -z "$LARGE" ]; then
  run post_single "$BASE/posts/$POST"
  run thread_600 "$BASE/posts/$THREAD/comments?sort=best&limit=100"
  run feed "$BASE/feed?sort=hot&limit=25"
  run search "$BASE/search?q=session+token&limit=20"
  run comment_create -s bench/comment.lua "$BASE/posts/$POST/comments"
  # The write scenarios (bench/writes.lua). Votes go to 20 fresh posts of the first agent.
  export BENCH_KEYS=bench/results/keys.txt BENCH_NAMES=bench/results/names.txt
  if case ",${BENCH_ONLY:-vote}," in *",vote,"*) true ;; *) false ;; esac; then
    AUTHOR=$(head -n1 bench/results/keys.txt)
    : >bench/results/vote_posts.lst
    for i in $(seq 1 20); do
      curl -fs -X POST "$BASE/posts" -H "Authorization: Bearer $AUTHOR" -H 'Content-Type: application/json' \
        -d "{\"submolt\":\"general\",\"title\":\"vote target $i\",\"content\":\"fresh post\"}" |
        .venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["post"]["id"])' >>bench/results/vote_posts.lst
    done
    BENCH_KIND=vote BENCH_TARGETS=bench/results/vote_posts.lst run vote -s bench/writes.lua "$BASE/"
  fi
  BENCH_KIND=post run post_create -s bench/writes.lua "$BASE/"
  BENCH_KIND=follow run follow -s bench/writes.lua "$BASE/"
  printf '%s\n' general rust python infra ml random >bench/results/submolts.lst
  BENCH_KIND=subscribe BENCH_TARGETS=bench/results/submolts.lst run subscribe -s bench/writes.lua "$BASE/"
  BENCH_KIND=mixed BENCH_POST=$POST run mixed -s bench/writes.lua "$BASE/"
  # mixed_vote: the same reads, 1 in 10 an upvote of a post in another submolt whose author the
  # read post's page does not show (bench/cpu_per_request.py also counts what it rebuilds).
  if case ",${BENCH_ONLY:-mixed_vote}," in *",mixed_vote,"*) true ;; *) false ;; esac; then
    VOTE_POST=$(.venv/bin/python - "$BASE" "$POST" <<'PY'
import json, sys, urllib.request
base, post = sys.argv[1], sys.argv[2]
newest = json.load(urllib.request.urlopen(f"{base}/posts?sort=new&limit=25"))["posts"]
page = json.load(urllib.request.urlopen(f"{base}/posts/{post}"))
def authors(cs):
    return set().union(*({c["author"]["id"]} | authors(c.get("replies") or []) for c in cs)) if cs else set()
shown = {page["post"]["author"]["id"]} | authors(page["comments"])
sub = page["post"]["submolt"]["id"]
print(next(p["id"] for p in newest if p["submolt"]["id"] != sub and p["author"]["id"] not in shown))
PY
    )
    BENCH_KIND=mixed_vote BENCH_POST=$POST BENCH_VOTE_POST=$VOTE_POST run mixed_vote -s bench/writes.lua "$BASE/"
  fi
fi
uptime | tee bench/results/load.log
.venv/bin/python bench/summarise.py bench/results
