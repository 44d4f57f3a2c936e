# Sourced by the `make bench-*` scripts that measure a running server. Needs
# ROOT_DIR and SERVER (the release binary); leaves CLUSTER to the caller.
#   start_server PORT [NAME=value ...]
#       serves target/site with $SERVER on 127.0.0.1:PORT, with that
#       environment added (RUST_LOG=warn unless given); returns once /readyz
#       answers. Fails when the port is taken (another server would answer
#       for this one) or when the server stops while starting.
#   stop_server
#       stops it, by PID; runs on exit too, with the cluster's stop.

SERVER_PID=""

start_server() {
  local port="$1"
  shift
  if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
    echo "port $port is taken; set BENCH_PORT to a free one" >&2
    return 1
  fi
  env RUST_LOG=warn LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT="$ROOT_DIR/target/site" \
    "$@" "$SERVER" serve &
  SERVER_PID=$!
  for _ in $(seq 1 300); do
    curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "the server stopped while starting" >&2; return 1; }
    sleep 0.2
  done
  echo "the server on :$port was not ready after 60 s" >&2
  return 1
}

stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}

bench_cleanup() {
  stop_server
  .ci/postgres.sh stop "$CLUSTER" || true
}
trap bench_cleanup EXIT INT TERM
