#!/usr/bin/env bash
# `make test`: every test, against real PostgreSQL and a real browser.
#
# Uses a throwaway cluster of its own (.data/postgres-test), never the one
# `make run` serves from, and stops everything it started on the way out,
# whether the tests pass or fail.
set -euo pipefail

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT_DIR"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT_DIR/target}"
TEST_CLUSTER="$ROOT_DIR/.data/postgres-test"
E2E_PORT="${E2E_PORT:-3100}"

cleanup() {
  .ci/postgres.sh stop "$TEST_CLUSTER" || true
}
trap cleanup EXIT INT TERM

step() { printf '\n\033[1;34m==> %s\033[0m\n' "$*"; }

step "formatting and lints"
cargo fmt --all --check
make --no-print-directory lint
# The install icons are rendered from public/favicon.svg; committed ones must
# be what it renders to.
node .ci/make-icons.mjs --check

step "PostgreSQL for the tests"
# sqlx::test creates (and drops) one database per test through this
# connection, so it points at the cluster's maintenance database.
eval "$(.ci/postgres.sh start "$TEST_CLUSTER" 5434 postgres)"
export DATABASE_URL
MAINTENANCE_URL="$DATABASE_URL"

step "SQL checked at compile time: .sqlx/ matches the statements and the schema"
# Builds read .sqlx/ (SQLX_OFFLINE, .cargo/config.toml); here the statements
# are described again against a database migrated from migrations/, and any
# difference (a changed statement, a changed column) fails the run.
psql -q "$MAINTENANCE_URL" -c 'drop database if exists acmelearn_sqlx with (force)' -c 'create database acmelearn_sqlx'
(
  eval "$(.ci/postgres.sh start "$TEST_CLUSTER" 5434 acmelearn_sqlx)"
  export DATABASE_URL
  sqlx migrate run --source migrations >/dev/null
  cargo sqlx prepare --workspace --check -- --locked -p app -p server --features app/ssr
)

step "Rust unit and integration tests (a fresh database per test)"
# app with `ssr` is what the server links; testing both in one invocation
# builds the dependency graph once.
cargo test --locked -p app -p server --features app/ssr -- --skip hostile_input

step "hostile-input suite (malformed and malicious requests over HTTP)"
# The same build, so nothing recompiles; on its own and with --nocapture so
# its tally of requests by status and role is printed.
cargo test --locked -p app -p server --features app/ssr hostile_input -- --nocapture

step "release build (what users get)"
cargo leptos build --release --precompress
# The service worker and the page script of the installable app, with the
# precache list generated from the files just built.
node frontend/pwa/build.mjs "$ROOT_DIR/target/site"

step "end-to-end tests in Chromium"
# A clean database for the browser journeys: dropped, then recreated and
# migrated by the server at start-up.
psql -q "$MAINTENANCE_URL" -c 'drop database if exists acmelearn_e2e with (force)'
eval "$(.ci/postgres.sh start "$TEST_CLUSTER" 5434 acmelearn_e2e)"
export DATABASE_URL
export E2E_PORT
export E2E_SERVER_COMMAND="$TARGET_DIR/release/server serve"
export LEPTOS_SITE_ADDR="127.0.0.1:$E2E_PORT"
export LEPTOS_SITE_ROOT="$ROOT_DIR/target/site"
export CATALOG_FILE="$ROOT_DIR/data/courses.json"
export TAG_CATEGORIES_FILE="$ROOT_DIR/data/tag_categories.json"
export PUBLIC_URL="http://127.0.0.1:$E2E_PORT"
# Emails (password resets) land here as .eml files for the journeys to read.
export MAIL_OUTBOX_DIR="$ROOT_DIR/.data/e2e-outbox"
rm -rf "$MAIL_OUTBOX_DIR" && mkdir -p "$MAIL_OUTBOX_DIR"
(cd end2end && npx playwright test)
