#!/usr/bin/env bash
# `make bench-profile`: profile saves per second and latency at 64 concurrent
# learners (flat out, then at RATE saves/s in all) against the release server
# and a local PostgreSQL, then an integrity check of every learner's history.
# Prints figures; asserts nothing about speed.
set -euo pipefail

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT_DIR"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT_DIR/target}"
CLUSTER="$ROOT_DIR/.data/postgres-bench"
PORT="${BENCH_PORT:-3200}"
LEARNERS="${LEARNERS:-64}"
SECONDS_TO_RUN="${SECONDS_TO_RUN:-10}"
RATE="${RATE:-2000}"
SERVER_PID=""

cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  .ci/postgres.sh stop "$CLUSTER" || true
}
trap cleanup EXIT INT TERM

cargo leptos build --release --precompress
cargo build --release --locked -p server --bench profile_saves

eval "$(.ci/postgres.sh start "$CLUSTER" 5435 postgres)"
psql -q "$DATABASE_URL" -c 'drop database if exists acmelearn_bench with (force)'
eval "$(.ci/postgres.sh start "$CLUSTER" 5435 acmelearn_bench)"
export DATABASE_URL
# The default pool is sized for a 2-core machine; saves wait on the row lock,
# not on connections.
LEPTOS_SITE_ADDR="127.0.0.1:$PORT" LEPTOS_SITE_ROOT="$ROOT_DIR/target/site" RUST_LOG=warn \
  "$TARGET_DIR/release/server" serve &
SERVER_PID=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
cargo bench --locked -p server --bench profile_saves -- "http://127.0.0.1:$PORT" "$LEARNERS" "$SECONDS_TO_RUN" "$RATE"
