#!/usr/bin/env bash
# Local rehearsal of the production topology, one command (docs/operations.md, "Local rehearsal";
# decision record docs/decisions/0010-local-rehearsal.md):
#
#   NGINX (TLS, self-signed, 127.0.0.1:$REHEARSAL_HTTPS_PORT)  -- the ingress
#     /api, /auth, /api/v1/ws -> API A and API B (`agent-hub serve`, two processes)
#     /                       -> the UI (`next start`)
#   shared: a fresh PostgreSQL database, Redis, an S3-protocol server (moto), one `agent-hub worker`
#
# Everything listens on loopback only. Pids, logs, certificates and the settings (`env`, for
# running `agent-hub` commands against the rehearsal) go to the run directory; deploy/local/down.sh
# stops exactly the processes started here. Ports and services are set by REHEARSAL_* variables
# (below); other AGENT_HUB_* variables in the environment reach every process.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
RUN=${REHEARSAL_RUN_DIR:-$HERE/run}
HTTPS_PORT=${REHEARSAL_HTTPS_PORT:-8443}
API_A_PORT=${REHEARSAL_API_A_PORT:-8101}
API_B_PORT=${REHEARSAL_API_B_PORT:-8102}
UI_PORT=${REHEARSAL_UI_PORT:-3101}
S3_PORT=${REHEARSAL_S3_PORT:-9101}
WORKER_METRICS_PORT=${REHEARSAL_WORKER_METRICS_PORT:-9102}
PG_URL=${REHEARSAL_PG_URL:-postgresql://postgres@127.0.0.1:5432}
REDIS=${REHEARSAL_REDIS_URL:-redis://127.0.0.1:6379/13}
VENV=${REHEARSAL_VENV:-$ROOT/.venv}
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
READY_TIMEOUT=${REHEARSAL_READY_TIMEOUT:-120}

die() { echo "up.sh: $*" >&2; exit 1; }
for tool in "$NGINX" openssl psql curl setsid; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found (scripts/setup.sh installs scripts/debian-packages.txt)"
done
[ -x "$VENV/bin/agent-hub" ] || die "$VENV/bin/agent-hub missing: run scripts/setup.sh"
"$VENV/bin/python" -c "import moto.server" 2>/dev/null || die "moto[server] missing: run scripts/setup.sh"
[ -x "$ROOT/ui/node_modules/.bin/next" ] || die "ui/node_modules missing: run scripts/setup.sh"
if [ -s "$RUN/pids" ]; then
  die "a rehearsal is already running from $RUN (stop it with deploy/local/down.sh)"
fi
for port in "$HTTPS_PORT" "$API_A_PORT" "$API_B_PORT" "$UI_PORT" "$S3_PORT" "$WORKER_METRICS_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then die "port $port on 127.0.0.1 is in use"; fi
done

mkdir -p "$RUN"/{logs,tls,data-a,data-b,data-worker,nginx/tmp}
: > "$RUN/pids"
# Anything that fails from here on stops what was already started.
on_exit() {
  local status=$?
  if [ "$status" -ne 0 ]; then
    echo "up.sh: failed; stopping what was started (logs: $RUN/logs)" >&2
    REHEARSAL_RUN_DIR="$RUN" "$HERE/down.sh" >&2 || true
  fi
}
trap on_exit EXIT

# --- a fresh database: each rehearsal starts empty, like a new cluster -----------------------
DB="agent_hub_rehearsal_$(date +%s)_$$"
psql "$PG_URL/postgres" -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE $DB" >/dev/null
echo "$DB" > "$RUN/database"
echo "$PG_URL/postgres" > "$RUN/database-admin-url"

# --- TLS: a throw-away CA and a server certificate for localhost / 127.0.0.1 ------------------
# A CA plus a leaf (not one self-signed leaf) so strict verifiers (Python 3.13's X509_STRICT,
# browsers) accept it when given tls/ca.crt.
(
  cd "$RUN/tls"
  openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -days 7 \
    -subj "/CN=Agent Hub rehearsal CA" -keyout ca.key -out ca.crt \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -subj "/CN=localhost" \
    -keyout server.key -out server.csr 2>/dev/null
  printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1" "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" \
    "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid" > server.ext
  openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 7 \
    -extfile server.ext -out server.crt 2>/dev/null
  chmod 600 ca.key server.key
)

# --- the settings every process shares (production mode, as in deploy/k8s/base/config.env) ---
PUBLIC="https://localhost:$HTTPS_PORT"
cat > "$RUN/env" <<EOF
DATABASE_URL=$PG_URL/$DB
REDIS_URL=$REDIS
S3_ENDPOINT=http://127.0.0.1:$S3_PORT
AGENT_HUB_S3_BUCKET=agent-hub-media
AGENT_HUB_S3_ACCESS_KEY=rehearsal
AGENT_HUB_S3_SECRET_KEY=rehearsal-secret
AGENT_HUB_PUBLIC_URL=$PUBLIC
ALLOWED_ORIGINS=$PUBLIC
AGENT_HUB_TRUSTED_PROXIES=127.0.0.1/32
AGENT_HUB_ENVIRONMENT=production
AGENT_HUB_MIGRATE_ON_START=false
AGENT_HUB_MEDIA_WORKER_IN_PROCESS=false
AGENT_HUB_SECRET_KEY=$(openssl rand -hex 32)
AGENT_HUB_RATE_LIMITS=${AGENT_HUB_RATE_LIMITS:-moltbook}
AGENT_HUB_REGISTRATION=${AGENT_HUB_REGISTRATION:-claim}
AGENT_HUB_LOG_LEVEL=${AGENT_HUB_LOG_LEVEL:-INFO}
EOF
chmod 600 "$RUN/env"
set -a
# shellcheck source=/dev/null
. "$RUN/env"
set +a
export PYTHONUNBUFFERED=1 NEXT_TELEMETRY_DISABLED=1

# stat_field PID N: the Nth field of /proc/PID/stat after "pid (comm)" (1 = state, 20 = start
# time). comm may contain spaces (Next renames itself "next-server (v16…"), so cut it off first.
stat_field() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk -v n="$2" '{print $n}'; }

# start NAME CMD...: own session (so down.sh can stop its children too), log, pid + start time.
start() {
  local name=$1; shift
  setsid "$@" > "$RUN/logs/$name.log" 2>&1 < /dev/null &
  local pid=$!
  echo "$name $pid $(stat_field "$pid" 20 || echo 0)" >> "$RUN/pids"
}

pid_of() { awk -v n="$1" '$1 == n {print $2}' "$RUN/pids"; }

# wait_for NAME DESCRIPTION CHECK...: poll CHECK until it succeeds, the process dies or time is up.
wait_for() {
  local name=$1 what=$2; shift 2
  local deadline=$((SECONDS + READY_TIMEOUT))
  until "$@" >/dev/null 2>&1; do
    kill -0 "$(pid_of "$name")" 2>/dev/null || { tail -n 30 "$RUN/logs/$name.log" >&2; die "$name exited before $what"; }
    [ $SECONDS -lt $deadline ] || { tail -n 30 "$RUN/logs/$name.log" >&2; die "$name: no $what after ${READY_TIMEOUT}s"; }
    sleep 0.2
  done
}

http_ok() { curl -fsS -o /dev/null --max-time 2 "$@"; }

# --- S3 (moto: a real S3-protocol server; SeaweedFS in the cluster) ---------------------------
start s3 "$VENV/bin/python" -m moto.server -H 127.0.0.1 -p "$S3_PORT"

# --- migrations once, before any replica starts (the migrate Job of the cluster) --------------
"$VENV/bin/agent-hub" migrate > "$RUN/logs/migrate.log" 2>&1 || { cat "$RUN/logs/migrate.log" >&2; die "migrations failed"; }

# --- the UI needs a production build: build it when missing or older than its sources ---------
UI="$ROOT/ui"
if [ ! -f "$UI/.next/BUILD_ID" ] || [ -n "$(cd "$UI" && find src public package.json package-lock.json next.config.ts tsconfig.json -newer .next/BUILD_ID -print -quit 2>/dev/null)" ]; then
  echo "up.sh: building the UI (next build; logs/ui-build.log)"
  (cd "$UI" && node_modules/.bin/next build > "$RUN/logs/ui-build.log" 2>&1) || { tail -n 40 "$RUN/logs/ui-build.log" >&2; die "next build failed"; }
fi

wait_for s3 "S3 on :$S3_PORT" http_ok "http://127.0.0.1:$S3_PORT/"
# Each process gets its own data dir: only upload spool files live there (media is in S3).
start api-a env AGENT_HUB_DATA_DIR="$RUN/data-a" "$VENV/bin/agent-hub" serve --host 127.0.0.1 --port "$API_A_PORT"
start api-b env AGENT_HUB_DATA_DIR="$RUN/data-b" "$VENV/bin/agent-hub" serve --host 127.0.0.1 --port "$API_B_PORT"
start worker env AGENT_HUB_DATA_DIR="$RUN/data-worker" \
  "$VENV/bin/agent-hub" worker --metrics-port "$WORKER_METRICS_PORT" --metrics-host 127.0.0.1
(cd "$UI" && start ui node_modules/.bin/next start -p "$UI_PORT" -H 127.0.0.1)

# --- NGINX: rendered config, own prefix/pid/temp dirs, foreground under setsid ----------------
user_directive="" tmp="$RUN/nginx/tmp"
if [ "$(id -u)" -eq 0 ]; then
  # Started as root, the workers drop to `nobody`, who may not reach the run dir (pytest's tmp
  # dirs are 0700): give them their own temp dir under /tmp (down.sh removes it).
  user_directive="user nobody nogroup;"
  tmp=$(mktemp -d /tmp/agent-hub-rehearsal-nginx.XXXXXX)
  echo "$tmp" > "$RUN/nginx-tmp"
  chown nobody:nogroup "$tmp"
fi
cp "$HERE/forwarded.conf" "$RUN/nginx/forwarded.conf"
sed -e "s|@RUN@|$RUN|g" -e "s|@USER_DIRECTIVE@|$user_directive|" -e "s|@TMP@|$tmp|g" -e "s|@HTTPS_PORT@|$HTTPS_PORT|g" \
  -e "s|@API_A_PORT@|$API_A_PORT|g" -e "s|@API_B_PORT@|$API_B_PORT|g" -e "s|@UI_PORT@|$UI_PORT|g" \
  "$HERE/nginx.conf.template" > "$RUN/nginx/nginx.conf"
"$NGINX" -t -q -p "$RUN/nginx" -c "$RUN/nginx/nginx.conf" -g "daemon off;" 2> "$RUN/logs/nginx-test.log" \
  || { cat "$RUN/logs/nginx-test.log" >&2; die "nginx rejected its configuration"; }
start nginx "$NGINX" -p "$RUN/nginx" -c "$RUN/nginx/nginx.conf" -g "daemon off;"

# (with `set -a` above, the helpers' subshells inherit the settings)
wait_for api-a "/ready on :$API_A_PORT" http_ok "http://127.0.0.1:$API_A_PORT/ready"
wait_for api-b "/ready on :$API_B_PORT" http_ok "http://127.0.0.1:$API_B_PORT/ready"
wait_for worker "its ready line" grep -q "media worker .* ready" "$RUN/logs/worker.log"
wait_for ui "the login page" http_ok "http://127.0.0.1:$UI_PORT/login"
wait_for nginx "HTTPS on :$HTTPS_PORT" http_ok --cacert "$RUN/tls/ca.crt" "$PUBLIC/auth/status"

trap - EXIT
cat <<EOF
Agent Hub rehearsal is up: $PUBLIC  (CA certificate: $RUN/tls/ca.crt)
  API A  http://127.0.0.1:$API_A_PORT   API B  http://127.0.0.1:$API_B_PORT   (direct, e.g. /metrics)
  UI     http://127.0.0.1:$UI_PORT   S3  http://127.0.0.1:$S3_PORT   worker metrics  http://127.0.0.1:$WORKER_METRICS_PORT/metrics
  database $DB, Redis $REDIS, logs $RUN/logs
First-run setup token: (set -a; . $RUN/env; $VENV/bin/agent-hub setup-token)
Stop: deploy/local/down.sh
EOF
