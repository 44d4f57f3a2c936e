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

.ci/install-tools.sh bench
cargo leptos build --release --precompress
node frontend/pwa/build.mjs "$ROOT_DIR/target/site"
SERVER="$TARGET_DIR/release/server"
. .ci/bench-server.sh
. .ci/bench-catalogs.sh

results=()
run_case() {
  local label="$1" url="$2"
  start_server "$PORT" DATABASE_URL="$url" CATALOG_FILE="" PUBLIC_URL="http://127.0.0.1:$PORT"
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
