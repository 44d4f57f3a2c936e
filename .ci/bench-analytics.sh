#!/usr/bin/env bash
# `make bench-analytics`: the admin dashboard at scale. Loads LEARNERS demo
# learners (1,000,000 by default; about 10 snapshots each) with `seed-demo`
# into a database of the benchmark cluster (kept between runs: generating
# takes minutes), refreshes the analytics views, and prints each panel's
# time. Prints figures; asserts nothing about speed.
set -euo pipefail

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT_DIR"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT_DIR/target}"
CLUSTER="$ROOT_DIR/.data/postgres-bench"
LEARNERS="${LEARNERS:-1000000}"
DAYS="${DAYS:-730}"

trap '.ci/postgres.sh stop "$CLUSTER" || true' EXIT INT TERM

cargo build --locked --release -p server --bins --bench analytics
SERVER="$TARGET_DIR/release/server"
eval "$(.ci/postgres.sh start "$CLUSTER" "${BENCH_PG_PORT:-5435}" acmelearn_analytics)"
"$SERVER" import-catalog data/courses.json >/dev/null
have="$(psql -tAq "$DATABASE_URL" -c 'select count(*) from users where is_demo' 2>/dev/null || echo 0)"
if [ "$have" -ne "$LEARNERS" ]; then
  "$SERVER" seed-demo --purge
  "$SERVER" seed-demo --users "$LEARNERS" --days "$DAYS" --seed 1
elif [ -n "${REFRESH:-}" ]; then
  echo "reusing $have demo learners; refreshing the analytics"
  start=$(date +%s%N)
  psql -q "$DATABASE_URL" -c 'select refresh_analytics()' >/dev/null
  echo "analytics refreshed in $(( ($(date +%s%N) - start) / 1000000 )) ms"
else
  echo "reusing $have demo learners and their analytics (REFRESH=1 recomputes them)"
fi
psql -q "$DATABASE_URL" -c 'vacuum analyze' >/dev/null

echo
echo "admin dashboard queries, $(nproc) cores"
cargo bench --locked -p server --bench analytics -- 5 2>/dev/null
