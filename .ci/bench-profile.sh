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
BENCH_PG_PORT="${BENCH_PG_PORT:-5435}"
LEARNERS="${LEARNERS:-64}"
SECONDS_TO_RUN="${SECONDS_TO_RUN:-10}"
RATE="${RATE:-2000}"

# The bench first: a plain cargo build of the package rebuilds the server
# without cargo-leptos's settings (its pages would name /pkg/server.js), so
# the cargo-leptos build comes last, just before the server starts.
cargo build --release --locked -p server --bench profile_saves
cargo leptos build --release --precompress
SERVER="$TARGET_DIR/release/server"
. .ci/bench-server.sh

eval "$(.ci/postgres.sh start "$CLUSTER" "$BENCH_PG_PORT" postgres)"
psql -q "$DATABASE_URL" -c 'drop database if exists acmelearn_bench with (force)'
eval "$(.ci/postgres.sh start "$CLUSTER" "$BENCH_PG_PORT" acmelearn_bench)"
export DATABASE_URL
# The default pool is sized for a 2-core machine; saves wait on the row lock,
# not on connections.
start_server "$PORT"
cargo bench --locked -p server --bench profile_saves -- "http://127.0.0.1:$PORT" "$LEARNERS" "$SECONDS_TO_RUN" "$RATE"
