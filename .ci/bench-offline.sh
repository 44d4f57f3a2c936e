#!/usr/bin/env bash
# `make bench-offline`: what "Save the catalog for offline" costs, with the
# shipped catalog and with 100,000 generated courses (below 500 courses every
# course page is saved; above, the catalog file alone). For each: the size
# of /offline/catalog.json (raw and brotli), the time the save takes in
# Chromium, and the time an offline search over the saved copy takes in the
# service worker. Prints figures; asserts nothing.
set -euo pipefail

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT_DIR"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT_DIR/target}"
CLUSTER="$ROOT_DIR/.data/postgres-bench"
PORT="${BENCH_PORT:-3201}"
export PATH="$ROOT_DIR/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
SERVER_PID=""

stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}
cleanup() {
  stop_server
  .ci/postgres.sh stop "$CLUSTER" || true
}
trap cleanup EXIT INT TERM

.ci/install-tools.sh bench
cargo leptos build --release --precompress
node frontend/pwa/build.mjs "$ROOT_DIR/target/site"
SERVER="$TARGET_DIR/release/server"

. .ci/bench-catalogs.sh

results=()
run_case() {
  local label="$1" url="$2"
  DATABASE_URL="$url" CATALOG_FILE="" LEPTOS_SITE_ADDR="127.0.0.1:$PORT" \
    PUBLIC_URL="http://127.0.0.1:$PORT" LEPTOS_SITE_ROOT="$ROOT_DIR/target/site" \
    RUST_LOG=warn "$SERVER" serve &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  local raw brotli measured
  raw="$(curl -fs -o /dev/null -w '%{size_download}' "http://127.0.0.1:$PORT/offline/catalog.json")"
  brotli="$(curl -fs -H 'Accept-Encoding: br' -o /dev/null -w '%{size_download}' "http://127.0.0.1:$PORT/offline/catalog.json")"
  measured="$(node .ci/bench-offline.mjs "http://127.0.0.1:$PORT")"
  stop_server
  results+=("$(node -e '
    const [label, raw, brotli, json] = process.argv.slice(1);
    const m = JSON.parse(json);
    const searches = m.searches.map((s) => `${s.text}: ${s.ms} ms (${s.total})`).join(", ");
    console.log(`${label.padEnd(9)} ${String(m.courses).padStart(7)} ${(raw / 1024).toFixed(0).padStart(9)} KiB ${(brotli / 1024).toFixed(0).padStart(7)} KiB ${m.saveSeconds.toFixed(1).padStart(7)} s   ${searches}`);
  ' "$label" "$raw" "$brotli" "$measured")")
}

run_case shipped "$SHIPPED_URL"
run_case 100k "$LARGE_URL"

echo
echo "Save the catalog for offline, $(nproc) cores (server, PostgreSQL and Chromium share them)"
echo "catalog   courses  file, raw    brotli     save   offline search in the worker (matches)"
printf '%s\n' "${results[@]}"
