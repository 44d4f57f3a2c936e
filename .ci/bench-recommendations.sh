#!/usr/bin/env bash
# `make bench-recommendations`: the built-in ranker's time per request
# (candidate courses from PostgreSQL + ranking in Rust; no model call), with
# the shipped catalog and with 100,000 courses. Prints p50/p99; asserts
# nothing about speed.
set -euo pipefail

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT_DIR"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT_DIR/target}"
CLUSTER="$ROOT_DIR/.data/postgres-bench"
REQUESTS="${REQUESTS:-500}"

trap '.ci/postgres.sh stop "$CLUSTER" || true' EXIT INT TERM

cargo build --locked --release -p server --bins --bench recommendations
SERVER="$TARGET_DIR/release/server"
. .ci/bench-catalogs.sh

echo
echo "built-in ranker per request, one learner at a time, $(nproc) cores"
DATABASE_URL="$SHIPPED_URL" cargo bench --locked -p server --bench recommendations -- shipped "$REQUESTS" 2>/dev/null
DATABASE_URL="$LARGE_URL" cargo bench --locked -p server --bench recommendations -- large "$REQUESTS" 2>/dev/null
