#!/usr/bin/env bash
# `make bench-cluster`: the cluster of `make cluster` (started, or reused when
# it runs) under a mixed load of LEARNERS learners through HAProxy for
# BENCH_SECONDS, then one fault at a time during the load, sessions across
# the two servers, and the database checked for everything the learners were
# told was done. Prints one table; exits 1 when an invariant fails. The
# cluster keeps running afterwards (`make cluster-stop`).
#
# BENCH_SECONDS=10 for a quick try. CLUSTER_SERVER_BIN=/path/to/server (with
# its hash.txt beside it) and CLUSTER_SITE_ROOT use a server built elsewhere
# instead of building one.
set -euo pipefail

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT_DIR"
LEARNERS="${LEARNERS:-64}"
BENCH_SECONDS="${BENCH_SECONDS:-60}"

# The bench first: a plain cargo build of the package rebuilds the server
# without cargo-leptos's settings (its pages would name /pkg/server.js).
cargo build --release --locked -p server --bench cluster_load
if [ -z "${CLUSTER_SERVER_BIN:-}" ]; then
  cargo leptos build --release --precompress
  node frontend/pwa/build.mjs "$ROOT_DIR/target/site"
  # The bench restarts servers while `cargo bench` below has rebuilt
  # release/server its own way: they start from a copy (with the hash.txt it
  # reads beside it).
  mkdir -p "$ROOT_DIR/.data/bench-cluster-server"
  cp "${CARGO_TARGET_DIR:-$ROOT_DIR/target}/release/"{server,hash.txt} "$ROOT_DIR/.data/bench-cluster-server/"
  export CLUSTER_SERVER_BIN="$ROOT_DIR/.data/bench-cluster-server/server"
fi

.ci/cluster.sh start
eval "$(.ci/cluster.sh env)"
export CLUSTER_REPLICA_URL CLUSTER_PROMETHEUS_URL
DATABASE_URL="$CLUSTER_PRIMARY_URL" cargo bench --locked -p server --bench cluster_load -- \
  "$CLUSTER_URL" "$CLUSTER_SERVER1_URL" "$CLUSTER_SERVER2_URL" "$LEARNERS" "$BENCH_SECONDS" \
  "$ROOT_DIR/.ci/cluster.sh"
echo "The cluster is still running (make cluster-stop stops it)."
