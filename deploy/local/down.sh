#!/usr/bin/env bash
# Stops the local rehearsal started by deploy/local/up.sh: exactly the processes listed in
# <run dir>/pids (each with its own session, so children such as Next's go too), then drops
# the rehearsal's database. Logs and certificates stay in the run dir for inspection.
# REHEARSAL_KEEP_DB=1 keeps the database.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
RUN=${REHEARSAL_RUN_DIR:-$HERE/run}
GRACE=${REHEARSAL_STOP_GRACE:-15}

# stat_field PID N: the Nth field of /proc/PID/stat after "pid (comm)" (1 = state, 20 = start
# time). comm may contain spaces (Next renames itself "next-server (v16…"), so cut it off first.
stat_field() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk -v n="$2" '{print $n}'; }

# A pid is ours only while its start time (field 22 of /proc/PID/stat) is the one up.sh
# recorded: a recycled pid belongs to someone else and is never signalled.
ours() {
  local pid=$1 started=$2
  [ -r "/proc/$pid/stat" ] && [ "$(stat_field "$pid" 20)" = "$started" ]
}

# signal SIG PID: the whole session/process group up.sh created (setsid made PID its leader).
signal() {
  local sig=$1 pid=$2
  if [ "$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ')" = "$pid" ]; then
    kill "-$sig" -- "-$pid" 2>/dev/null
  else
    kill "-$sig" "$pid" 2>/dev/null
  fi
}

if [ -f "$RUN/pids" ]; then
  # Ingress first, then the apps, the S3 server last (reverse start order).
  mapfile -t entries < <(tac "$RUN/pids")
  live=()
  for entry in "${entries[@]}"; do
    read -r name pid started <<< "$entry"
    if ours "$pid" "$started"; then
      signal TERM "$pid"
      live+=("$name:$pid:$started")
    fi
  done
  deadline=$((SECONDS + GRACE))
  for item in "${live[@]}"; do
    IFS=: read -r name pid started <<< "$item"
    while ours "$pid" "$started" && [ "$(stat_field "$pid" 1)" != "Z" ] && [ $SECONDS -lt $deadline ]; do
      sleep 0.1
    done
    if ours "$pid" "$started" && [ "$(stat_field "$pid" 1)" != "Z" ]; then
      echo "down.sh: $name ($pid) did not stop within ${GRACE}s; killing it" >&2
      signal KILL "$pid"
    fi
  done
  rm -f "$RUN/pids"
fi

if [ -f "$RUN/nginx-tmp" ]; then
  tmp=$(cat "$RUN/nginx-tmp")
  case "$tmp" in /tmp/agent-hub-rehearsal-nginx.*) rm -rf "$tmp" ;; esac
  rm -f "$RUN/nginx-tmp"
fi

if [ -f "$RUN/database" ] && [ "${REHEARSAL_KEEP_DB:-0}" != "1" ]; then
  db=$(cat "$RUN/database")
  admin=$(cat "$RUN/database-admin-url" 2>/dev/null || echo "postgresql://postgres@127.0.0.1:5432/postgres")
  psql "$admin" -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null && rm -f "$RUN/database"
fi
echo "rehearsal stopped"
