#!/usr/bin/env bash
# `make eval-recommendations`: how good the built-in ranker's answers are on
# the labelled personas of data/recommendation_eval.json (nDCG@5,
# precision@3, zero-graded courses in the top 3, off-topic answers; per half
# and per persona), asked through the real entry point against PostgreSQL
# with the shipped catalog, in a fresh database every run.
set -euo pipefail

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT_DIR"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT_DIR/target}"
CLUSTER="$ROOT_DIR/.data/postgres-eval"
PROFILE="${EVAL_PROFILE:-release}"
# The socket's port number; several checkouts on one machine may each pick their own.
PORT="${EVAL_PG_PORT:-5436}"

trap '.ci/postgres.sh stop "$CLUSTER" || true' EXIT INT TERM

cargo build --locked --profile "$PROFILE" -p server --bins --bench recommendation_eval
case "$PROFILE" in dev) SERVER="$TARGET_DIR/debug/server" ;; *) SERVER="$TARGET_DIR/$PROFILE/server" ;; esac

eval "$(.ci/postgres.sh start "$CLUSTER" "$PORT" postgres)"
psql -q "$DATABASE_URL" -c 'drop database if exists acmelearn_eval with (force)'
eval "$(.ci/postgres.sh start "$CLUSTER" "$PORT" acmelearn_eval)"
export DATABASE_URL
"$SERVER" import-catalog data/courses.json --categories data/tag_categories.json >/dev/null
cargo bench --locked --profile "$PROFILE" -p server --bench recommendation_eval -- "$ROOT_DIR/data/recommendation_eval.json" 2>/dev/null
