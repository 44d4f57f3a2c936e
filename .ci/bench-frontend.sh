#!/usr/bin/env bash
# `make bench-frontend`: what a first visit costs a phone. Starts the release
# server on a PostgreSQL cluster of its own with the shipped catalog, then
# (.ci/bench-frontend.mjs, in Debian's Chromium):
#   - each response a first visit to /courses downloads, with its transfer
#     size (brotli where the server sends it) and the total;
#   - Lighthouse 12.2.3 (mobile, default throttling) performance,
#     accessibility, best-practices and SEO scores, LCP and TBT for /,
#     /courses, a course page, /profile and /recommendations (signed in).
# Builds nothing when a release build is there (FORCE_BUILD=1 rebuilds).
# Prints figures; asserts nothing about them. RUNS=N Lighthouse runs per page
# (default 5, the median is printed); LH_REPORT_DIR=DIR keeps each run's
# Lighthouse report (JSON) there.
set -euo pipefail

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT_DIR"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT_DIR/target}"
SITE="$ROOT_DIR/target/site"
CLUSTER="$ROOT_DIR/.data/postgres-bench-frontend"
PG_PORT="${BENCH_PG_PORT:-5443}"
PORT="${BENCH_PORT:-3147}"
export PATH="$ROOT_DIR/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
SERVER_PID=""
SCRATCH="$(mktemp -d)"

cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  .ci/postgres.sh stop "$CLUSTER" || true
  rm -rf "$SCRATCH"
}
trap cleanup EXIT INT TERM

.ci/install-tools.sh

# The release build is there when the server, its hash.txt and the bundle
# files hash.txt names are.
release_build_present() {
  [ -x "$TARGET_DIR/release/server" ] && [ -f "$TARGET_DIR/release/hash.txt" ] || return 1
  local kind hash
  while read -r kind hash; do
    kind="${kind%:}"
    [ -f "$SITE/pkg/acmelearn.$hash.$kind" ] || return 1
  done <"$TARGET_DIR/release/hash.txt"
}
if [ "${FORCE_BUILD:-0}" = 1 ] || ! release_build_present; then
  cargo leptos build --release --precompress
  node frontend/pwa/build.mjs "$SITE"
elif [ ! -f "$SITE/sw.js" ] || [ "$SITE/pkg" -nt "$SITE/sw.js" ]; then
  node frontend/pwa/build.mjs "$SITE"
fi
# The server reads hash.txt beside its binary. A copy of the two, so a build
# elsewhere into the same target folder cannot swap them during the run.
cp "$TARGET_DIR/release/server" "$TARGET_DIR/release/hash.txt" "$SCRATCH/"

eval "$(.ci/postgres.sh start "$CLUSTER" "$PG_PORT" postgres)"
psql -q "$DATABASE_URL" -c 'drop database if exists acmelearn_bench_frontend with (force)'
eval "$(.ci/postgres.sh start "$CLUSTER" "$PG_PORT" acmelearn_bench_frontend)"
# Another server on the port would answer /readyz in this one's place.
if curl -s -o /dev/null "http://127.0.0.1:$PORT/"; then
  echo "port $PORT is taken; set BENCH_PORT to a free one" >&2
  exit 1
fi
mkdir -p "$SCRATCH/outbox"
DATABASE_URL="$DATABASE_URL" LEPTOS_SITE_ADDR="127.0.0.1:$PORT" LEPTOS_SITE_ROOT="$SITE" \
  CATALOG_FILE="$ROOT_DIR/data/courses.json" TAG_CATEGORIES_FILE="$ROOT_DIR/data/tag_categories.json" \
  PUBLIC_URL="http://127.0.0.1:$PORT" MAIL_OUTBOX_DIR="$SCRATCH/outbox" RUST_LOG=warn \
  "$SCRATCH/server" serve &
SERVER_PID=$!
for _ in $(seq 1 300); do
  curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "the server stopped during start-up" >&2; exit 1; }
  sleep 0.2
done
curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && kill -0 "$SERVER_PID"

echo "Bundle on disk (target/site/pkg), raw and brotli (the .br cargo-leptos --precompress wrote):"
for file in "$SITE"/pkg/*.{wasm,js,css}; do
  [ -f "$file.br" ] || continue
  printf '  %-48s %9s B raw %9s B brotli\n' "$(basename "$file")" "$(stat -c %s "$file")" "$(stat -c %s "$file.br")"
done

node .ci/bench-frontend.mjs "http://127.0.0.1:$PORT"
echo
echo "$(nproc) cores; Chromium $("$CHROME_PATH" --version 2>/dev/null | awk '{print $2}'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
