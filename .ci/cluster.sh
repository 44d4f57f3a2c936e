#!/usr/bin/env bash
# `make cluster`: AcmeLearn as it would run in production, on this machine,
# from Debian's packages only:
#
#   PostgreSQL primary ──streaming──▶ hot-standby replica (pg_basebackup -R, a slot)
#        ▲  writes, and reads of what a learner wrote   ▲  catalog/recommendation/analytics reads
#        └───────────── AcmeLearn server 1, server 2 ───┘
#                              ▲
#               HAProxy (one port, health checks on /readyz)
#   Prometheus scrapes both servers' METRICS_ADDR and HAProxy's own exporter.
#
#   .ci/cluster.sh start     start whatever is not running (idempotent)
#   .ci/cluster.sh stop      stop everything, by PID
#   .ci/cluster.sh status    what runs where
#   .ci/cluster.sh env       the addresses, as shell assignments (for scripts)
#
# Fault drills for `make bench-cluster` (each waits until it is done):
#   kill-server N | start-server N | term-server N | rolling-restart
#   restart-primary | stop-replica | start-replica
#
# State (PIDs, logs, configs, Prometheus' data) lives in .data/cluster/.
# Ports are environment variables with defaults, so two checkouts can each
# run one.
set -euo pipefail

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT_DIR"
STATE="${CLUSTER_STATE_DIR:-$ROOT_DIR/.data/cluster}"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT_DIR/target}"
# The release server and its site; a copy elsewhere (with its hash.txt
# beside it) can be named instead.
SERVER_BIN="${CLUSTER_SERVER_BIN:-$TARGET_DIR/release/server}"
SITE_ROOT="${CLUSTER_SITE_ROOT:-$ROOT_DIR/target/site}"

PRIMARY_PORT="${CLUSTER_PRIMARY_PORT:-5460}"
REPLICA_PORT="${CLUSTER_REPLICA_PORT:-5461}"
BALANCER_PORT="${CLUSTER_BALANCER_PORT:-3260}"
SERVER_PORTS=("${CLUSTER_SERVER1_PORT:-3261}" "${CLUSTER_SERVER2_PORT:-3262}")
PROMETHEUS_PORT="${CLUSTER_PROMETHEUS_PORT:-9460}"
METRICS_PORTS=("${CLUSTER_METRICS1_PORT:-9461}" "${CLUSTER_METRICS2_PORT:-9462}")
HAPROXY_STATS_PORT="${CLUSTER_HAPROXY_STATS_PORT:-9463}"
DATABASE=acmelearn
SLOT=acmelearn_replica
# On SIGTERM a server first answers /readyz with 503 for DRAIN_SECONDS, long
# enough for HAProxy to take it out (fall 2 x inter 1 s, and a margin), so
# no new request reaches it once it stops taking them; in-flight requests
# then get SHUTDOWN_SECONDS. `stop` waits for both before SIGKILL.
DRAIN_SECONDS="${SHUTDOWN_DRAIN_DELAY:-3}"
SHUTDOWN_SECONDS="${SHUTDOWN_TIMEOUT:-20}"
STOP_PATIENCE=$((DRAIN_SECONDS + SHUTDOWN_SECONDS + 5))

PRIMARY_LINK="$STATE/primary"

say() { printf '\033[1;34m[cluster]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[cluster]\033[0m %s\n' "$*" >&2; exit 1; }

pg_bin() {
  local name="$1" candidate
  for candidate in /usr/lib/postgresql/*/bin/"$name"; do
    [ -x "$candidate" ] && { echo "$candidate"; return; }
  done
  command -v "$name" || die "PostgreSQL's $name was not found; run make install"
}

as_cluster_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Debian's haproxy and prometheus, installed on first use. Their packages
# would start system-wide services; this cluster runs its own processes
# with its own configs, so the services are not wanted (on a machine with
# systemd they can be disabled; in a container policy-rc.d already blocks
# them).
ensure_packages() {
  local missing=()
  command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
  command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
  [ "${#missing[@]}" -eq 0 ] && return
  "$ROOT_DIR/.ci/install-tools.sh" cluster
}

# --- PIDs -------------------------------------------------------------------
pid_of() { cat "$STATE/$1.pid" 2>/dev/null || true; }
running() {
  local pid
  pid="$(pid_of "$1")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}
# SIGTERM, then SIGKILL after $2 seconds.
stop_pid_file() {
  local name="$1" patience="${2:-10}" pid
  pid="$(pid_of "$name")"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    local waited=0
    while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt $((patience * 10)) ]; do
      sleep 0.1
      waited=$((waited + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
      say "$name did not stop within ${patience} s; SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    say "$name stopped (pid $pid)"
  fi
  rm -f "$STATE/$name.pid"
}

wait_for_url() {
  local url="$1" seconds="$2" what="$3"
  for _ in $(seq 1 $((seconds * 10))); do
    curl -fs -o /dev/null --max-time 1 "$url" && return 0
    sleep 0.1
  done
  die "$what did not answer $url within ${seconds} s (see $STATE/*.log)"
}

# --- PostgreSQL ---------------------------------------------------------------
primary_dir() { readlink -f "$PRIMARY_LINK"; }
# Beside the primary's real folder, which .ci/postgres.sh made reachable by
# the postgres user and short enough for a socket path.
replica_dir() { echo "$(primary_dir)-replica"; }
primary_url() { echo "postgres://app@localhost/$DATABASE?host=$(primary_dir)&port=$PRIMARY_PORT"; }
replica_url() { echo "postgres://app@localhost/$DATABASE?host=$(replica_dir)&port=$REPLICA_PORT"; }
primary_psql() {
  psql -X -q -v ON_ERROR_STOP=1 "postgres://app@localhost/postgres?host=$(primary_dir)&port=$PRIMARY_PORT" "$@"
}

start_primary() {
  .ci/postgres.sh start "$PRIMARY_LINK" "$PRIMARY_PORT" postgres >/dev/null
  # A physical slot keeps the WAL the replica still needs, however long it
  # is down (a replica left stopped for days would fill the disk; `stop`
  # and `start` here keep it short).
  primary_psql -c "select pg_create_physical_replication_slot('$SLOT')
                   where not exists (select 1 from pg_replication_slots where slot_name = '$SLOT')" >/dev/null
  if ! primary_psql -tAc "select 1 from pg_database where datname = '$DATABASE'" | grep -q 1; then
    primary_psql -c "create database $DATABASE" >/dev/null
  fi
}

replica_running() {
  [ -f "$(replica_dir)/PG_VERSION" ] \
    && as_cluster_owner "$(pg_bin pg_ctl)" -D "$(replica_dir)" status >/dev/null 2>&1
}

start_replica() {
  local dir
  dir="$(replica_dir)"
  if [ ! -f "$dir/PG_VERSION" ]; then
    say "copying the primary into a streaming replica (pg_basebackup -R)"
    rm -rf "$dir"
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    chmod 700 "$dir"
    # -R writes primary_conninfo and standby.signal; -S streams through the slot.
    # (The primary's socket lives in its folder; pg_basebackup says it skips it.)
    as_cluster_owner "$(pg_bin pg_basebackup)" -D "$dir" -R -S "$SLOT" -X stream \
      -d "host=$(primary_dir) port=$PRIMARY_PORT user=app" 2>&1 \
      | { grep -v 'skipping special file' || true; } >&2
  fi
  if ! replica_running; then
    as_cluster_owner "$(pg_bin pg_ctl)" -D "$dir" -l "$dir/server.log" -w \
      -o "-p $REPLICA_PORT -k $dir -c listen_addresses='' -c hot_standby=on" start >/dev/null
    say "replica started (port $REPLICA_PORT, streaming from $PRIMARY_PORT)"
  fi
  [ -L "$STATE/replica" ] || ln -sfn "$dir" "$STATE/replica"
}

stop_replica() {
  if replica_running; then
    as_cluster_owner "$(pg_bin pg_ctl)" -D "$(replica_dir)" -m fast -w stop >/dev/null
    say "replica stopped"
  fi
}

# The catalog once, into the primary, before any server starts: the servers
# then start with CATALOG_FILE empty, so two of them never import at once.
import_catalog_once() {
  # (A new primary has no courses table yet: the query fails, and the import
  # migrates first.)
  local courses
  courses="$(psql -X -tA "$(primary_url)" -c 'select count(*) from courses' 2>/dev/null || echo 0)"
  [ "${courses:-0}" -gt 0 ] && return
  say "migrating and importing the catalog into the primary"
  DATABASE_URL="$(primary_url)" "$SERVER_BIN" import-catalog "$ROOT_DIR/data/courses.json" \
    --categories "$ROOT_DIR/data/tag_categories.json" >"$STATE/import.log" 2>&1 \
    || die "catalog import failed (see $STATE/import.log)"
}

# --- AcmeLearn servers ----------------------------------------------------------
server_url() { echo "http://127.0.0.1:${SERVER_PORTS[$1 - 1]}"; }

start_server() {
  local number="$1"
  local name="server-$number"
  running "$name" && return
  [ -x "$SERVER_BIN" ] || die "no release server at $SERVER_BIN; run make cluster (it builds one)"
  local port="${SERVER_PORTS[$number - 1]}" metrics="${METRICS_PORTS[$number - 1]}"
  # DATABASE_READ_URL, METRICS_ADDR, LOG_FORMAT and SHUTDOWN_* are read by
  # servers that have them (issue 18) and ignored by older ones.
  env DATABASE_URL="$(primary_url)" \
    DATABASE_READ_URL="$(replica_url)" \
    LEPTOS_SITE_ADDR="127.0.0.1:$port" \
    LEPTOS_SITE_ROOT="$SITE_ROOT" \
    CATALOG_FILE= \
    TAG_CATEGORIES_FILE="$ROOT_DIR/data/tag_categories.json" \
    PUBLIC_URL="http://127.0.0.1:$BALANCER_PORT" \
    TRUSTED_PROXIES=127.0.0.1 \
    METRICS_ADDR="127.0.0.1:$metrics" \
    LOG_FORMAT=json \
    SHUTDOWN_TIMEOUT="$SHUTDOWN_SECONDS" \
    SHUTDOWN_DRAIN_DELAY="$DRAIN_SECONDS" \
    MAIL_OUTBOX_DIR="$STATE/outbox" \
    RUST_LOG="${CLUSTER_RUST_LOG:-info,sqlx=warn,tower_http=warn}" \
    "$SERVER_BIN" serve >>"$STATE/$name.log" 2>&1 &
  echo $! >"$STATE/$name.pid"
  wait_for_url "$(server_url "$number")/readyz" 60 "$name"
  say "$name ready on $(server_url "$number") (pid $(pid_of "$name"), metrics 127.0.0.1:$metrics)"
}

# The balancer's view of a server: UP, DOWN, MAINT…, from its CSV statistics.
balancer_state() {
  curl -fs --max-time 1 "http://127.0.0.1:$HAPROXY_STATS_PORT/stats;csv" 2>/dev/null \
    | awk -F, -v server="server-$1" '$1 == "acmelearn" && $2 == server { print $18 }'
}

wait_until_balancer_says() {
  local number="$1" wanted="$2" seconds="${3:-15}"
  for _ in $(seq 1 $((seconds * 10))); do
    [ "$(balancer_state "$number")" = "$wanted" ] && return 0
    sleep 0.1
  done
  die "HAProxy did not see server-$number $wanted within ${seconds} s"
}

# --- HAProxy ----------------------------------------------------------------------
# What HAProxy answers itself when no server can (none up: 503; a server
# died mid-answer: 502; no answer in time: 504), in the app's words, with
# Retry-After for clients that honour it.
write_error_page() {
  local status="$1" reason="$2" body
  body='<!doctype html><html lang="en"><head><meta charset="utf-8"><title>AcmeLearn</title></head><body><h1>AcmeLearn</h1><p>The service is temporarily unavailable. Please try again in a moment.</p></body></html>'
  printf 'HTTP/1.1 %s %s\r\nContent-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\nRetry-After: 5\r\nContent-Length: %s\r\nConnection: close\r\n\r\n%s' \
    "$status" "$reason" "${#body}" "$body" >"$STATE/error-$status.http"
}

write_haproxy_config() {
  write_error_page 502 "Bad Gateway"
  write_error_page 503 "Service Unavailable"
  write_error_page 504 "Gateway Timeout"
  cat >"$STATE/haproxy.cfg" <<EOF
# Written by .ci/cluster.sh; edit that instead.
global
    log stdout format raw local0 info
    maxconn 4096

defaults
    mode http
    log global
    # Only what went wrong (errors, retries, redispatches) goes to haproxy.log.
    option httplog
    option dontlognull
    option dontlog-normal
    option forwardfor
    timeout connect 1s
    timeout client 60s
    # The server's own request timeout is 35 s (the model's 20 s and a fallback).
    timeout server 40s
    timeout http-request 10s
    timeout queue 5s
    timeout http-keep-alive 10s
    # A request whose connection could not be made is tried again, on the
    # other server (redispatch on every retry).
    retries 3
    option redispatch 1
    # What may be retried: a connection that could not be made (the request
    # was never sent, so any request); and, for GET/HEAD only, a connection
    # closed with no answer or an answer that never came (the server died
    # mid-request). A POST may have been done before its server died, so it
    # is never sent twice (disable-l7-retry below).
    retry-on conn-failure empty-response response-timeout
    errorfile 502 $STATE/error-502.http
    errorfile 503 $STATE/error-503.http
    errorfile 504 $STATE/error-504.http

frontend web
    bind 127.0.0.1:$BALANCER_PORT
    default_backend acmelearn

backend acmelearn
    balance roundrobin
    http-request disable-l7-retry unless METH_GET || METH_HEAD
    # /readyz answers 503 while the database is out of reach and, on a
    # graceful shutdown, before the server stops taking requests: two
    # failed checks 1 s apart take the server out, two good ones put it back.
    option httpchk
    http-check send meth GET uri /readyz
    http-check expect status 200
    default-server inter 1s fastinter 500ms downinter 1s fall 2 rise 2 maxconn 256
    server server-1 127.0.0.1:${SERVER_PORTS[0]} check
    server server-2 127.0.0.1:${SERVER_PORTS[1]} check

# Not public: HAProxy's statistics and its Prometheus metrics.
frontend stats
    bind 127.0.0.1:$HAPROXY_STATS_PORT
    http-request use-service prometheus-exporter if { path /metrics }
    stats enable
    stats uri /stats
    stats refresh 5s
EOF
}

start_haproxy() {
  running haproxy && return
  write_haproxy_config
  haproxy -c -q -f "$STATE/haproxy.cfg" || die "HAProxy refused $STATE/haproxy.cfg"
  # -db: in the foreground (no daemon), so its PID is ours to keep.
  haproxy -db -f "$STATE/haproxy.cfg" >>"$STATE/haproxy.log" 2>&1 &
  echo $! >"$STATE/haproxy.pid"
  wait_for_url "http://127.0.0.1:$HAPROXY_STATS_PORT/stats" 10 haproxy
  say "HAProxy on http://127.0.0.1:$BALANCER_PORT (pid $(pid_of haproxy), stats http://127.0.0.1:$HAPROXY_STATS_PORT/stats)"
}

# --- Prometheus -------------------------------------------------------------------
start_prometheus() {
  running prometheus && return
  cat >"$STATE/prometheus.yml" <<EOF
# Written by .ci/cluster.sh; edit that instead.
global:
  scrape_interval: 5s
  evaluation_interval: 5s
scrape_configs:
  - job_name: acmelearn
    static_configs:
      - targets: ['127.0.0.1:${METRICS_PORTS[0]}']
        labels: { instance_name: server-1 }
      - targets: ['127.0.0.1:${METRICS_PORTS[1]}']
        labels: { instance_name: server-2 }
  - job_name: haproxy
    static_configs:
      - targets: ['127.0.0.1:$HAPROXY_STATS_PORT']
EOF
  mkdir -p "$STATE/prometheus-data"
  prometheus --config.file="$STATE/prometheus.yml" \
    --storage.tsdb.path="$STATE/prometheus-data" \
    --storage.tsdb.retention.time=7d \
    --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" >>"$STATE/prometheus.log" 2>&1 &
  echo $! >"$STATE/prometheus.pid"
  wait_for_url "http://127.0.0.1:$PROMETHEUS_PORT/-/ready" 30 prometheus
  say "Prometheus on http://127.0.0.1:$PROMETHEUS_PORT (pid $(pid_of prometheus))"
}

# --- commands ---------------------------------------------------------------------
start() {
  ensure_packages
  mkdir -p "$STATE"
  start_primary
  start_replica
  import_catalog_once
  start_server 1
  start_server 2
  start_haproxy
  start_prometheus
  wait_until_balancer_says 1 UP
  wait_until_balancer_says 2 UP
  status
}

stop() {
  stop_pid_file prometheus 10
  stop_pid_file haproxy 5
  stop_pid_file server-1 "$STOP_PATIENCE"
  stop_pid_file server-2 "$STOP_PATIENCE"
  if [ -e "$PRIMARY_LINK" ]; then
    stop_replica
    .ci/postgres.sh stop "$PRIMARY_LINK"
  fi
}

show() { printf '  %-12s %-8s %s\n' "$1" "$2" "$3"; }
state_of() { if running "$1"; then echo "pid $(pid_of "$1")"; else echo "stopped"; fi; }

status() {
  echo "AcmeLearn cluster (state in $STATE):"
  show balancer "$(state_of haproxy)" "http://127.0.0.1:$BALANCER_PORT  (stats http://127.0.0.1:$HAPROXY_STATS_PORT/stats)"
  for number in 1 2; do
    show "server-$number" "$(state_of "server-$number")" \
      "$(server_url "$number")  metrics 127.0.0.1:${METRICS_PORTS[$number - 1]}  balancer: $(balancer_state "$number" || true)"
  done
  show prometheus "$(state_of prometheus)" "http://127.0.0.1:$PROMETHEUS_PORT"
  if [ -e "$PRIMARY_LINK" ]; then
    local replication
    replication="$(primary_psql -tAc "select state || ', replay lag ' || coalesce(replay_lag::text, '0')
                                      from pg_stat_replication limit 1" 2>/dev/null || true)"
    show primary "" "$(primary_url)"
    show replica "$(replica_running && echo running || echo stopped)" "$(replica_url)  ${replication:-not streaming}"
  fi
}

# Prints the addresses for other scripts (`eval "$(.ci/cluster.sh env)"`).
environment() {
  echo "CLUSTER_URL=http://127.0.0.1:$BALANCER_PORT"
  echo "CLUSTER_SERVER1_URL=$(server_url 1)"
  echo "CLUSTER_SERVER2_URL=$(server_url 2)"
  echo "CLUSTER_PRIMARY_URL='$(primary_url)'"
  echo "CLUSTER_REPLICA_URL='$(replica_url)'"
  echo "CLUSTER_PROMETHEUS_URL=http://127.0.0.1:$PROMETHEUS_PORT"
}

# One server out and back in, as a deploy does it: SIGTERM (the server
# turns unready, HAProxy drains it, in-flight requests finish), start the
# new one, and go on only once HAProxy sends it requests again.
replace_server() {
  local number="$1"
  stop_pid_file "server-$number" "$STOP_PATIENCE"
  start_server "$number"
  wait_until_balancer_says "$number" UP
}

command="${1:-status}"
case "$command" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) environment ;;
  kill-server)
    # What HAProxy has in flight on it is what the kill can cost (printed
    # for make bench-cluster).
    in_flight="$(curl -fs --max-time 1 "http://127.0.0.1:$HAPROXY_STATS_PORT/stats;csv" \
      | awk -F, -v server="server-${2:?server number}" '$1 == "acmelearn" && $2 == server { print $5 }')"
    echo "in_flight=${in_flight:-unknown}"
    pid="$(pid_of "server-$2")"
    [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true
    rm -f "$STATE/server-$2.pid"
    say "server-$2 killed (SIGKILL, pid $pid)"
    ;;
  term-server) stop_pid_file "server-${2:?server number}" "$STOP_PATIENCE" ;;
  start-server)
    start_server "${2:?server number}"
    wait_until_balancer_says "$2" UP
    ;;
  rolling-restart)
    replace_server 1
    replace_server 2
    ;;
  restart-primary)
    # The same options as before (pg_ctl keeps them in postmaster.opts).
    as_cluster_owner "$(pg_bin pg_ctl)" -D "$(primary_dir)" -l "$(primary_dir)/server.log" \
      -m fast -w restart >/dev/null
    say "primary restarted"
    ;;
  stop-replica) stop_replica ;;
  start-replica) start_replica ;;
  *) die "unknown command: $command (start, stop, status, env, kill-server N, start-server N, term-server N, rolling-restart, restart-primary, stop-replica, start-replica)" ;;
esac
