#!/usr/bin/env bash
# Installs everything `make run` and `make test` need that a fresh Debian/Ubuntu
# machine with only Rust, Node and apt lacks. Idempotent: each step checks first
# and skips what is already there at the right version.
#
# Versions are pinned here and nowhere else (the wasm-bindgen one must equal the
# `wasm-bindgen` crate pinned in Cargo.toml, because cargo-leptos runs the CLI
# against the crate's generated code).
set -euo pipefail

CARGO_LEPTOS_VERSION=0.3.11
WASM_BINDGEN_VERSION=0.2.130
# The sqlx crate's version: `cargo sqlx prepare` writes the .sqlx/ files its
# macros read.
SQLX_CLI_VERSION=0.8.6
ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

say() { printf '\033[1;34m[install]\033[0m %s\n' "$*"; }

# Runs a command as root: directly when we are root, through sudo when it is
# there, otherwise stops and tells the person exactly what to run.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "This step needs root. Run it yourself, then re-run make:" >&2
    echo "    $*" >&2
    exit 1
  fi
}

APT_UPDATED=0
apt_install() {
  if [ "$APT_UPDATED" -eq 0 ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

# Builds a crate from its registry source with one dependency moved to another
# version, because the published lock files of these tools name versions that
# either need a newer rustc or are missing from the registry mirror.
install_crate_with_lock_fix() {
  local crate="$1" version="$2"
  shift 2
  local scratch
  scratch="$(mktemp -d)"
  cargo info "${crate}@${version}" >/dev/null
  local source
  source="$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"${crate}-${version}" | head -n1)"
  cp -r "$source" "$scratch/src"
  (
    cd "$scratch/src"
    while [ "$#" -gt 0 ]; do
      cargo update -p "$1" --precise "$2"
      shift 2
    done
    CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
      cargo install --path . --locked --force
  )
  rm -rf "$scratch"
}

# --- Rust: the WASM target -------------------------------------------------
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# --- cargo-leptos -------------------------------------------------------------
if ! cargo leptos --version 2>/dev/null | grep -q " ${CARGO_LEPTOS_VERSION}"; then
  say "installing cargo-leptos ${CARGO_LEPTOS_VERSION} (about 10 minutes on 2 cores)"
  # Its lock pins cargo-util-schemas 0.14.2, which needs rustc 1.96.
  install_crate_with_lock_fix cargo-leptos "$CARGO_LEPTOS_VERSION" \
    cargo-util-schemas 0.14.1
fi

# --- wasm-bindgen CLI, exactly the crate's version ----------------------------
if ! wasm-bindgen --version 2>/dev/null | grep -q " ${WASM_BINDGEN_VERSION}"; then
  say "installing wasm-bindgen-cli ${WASM_BINDGEN_VERSION}"
  # webpki-roots 1.0.11 is missing from the registry mirror.
  install_crate_with_lock_fix wasm-bindgen-cli "$WASM_BINDGEN_VERSION" \
    webpki-roots@1.0.11 1.0.10
fi

# --- sqlx-cli (checks that .sqlx/ matches the SQL and the schema) ------------
if ! cargo sqlx --version 2>/dev/null | grep -q " ${SQLX_CLI_VERSION}"; then
  say "installing sqlx-cli ${SQLX_CLI_VERSION} (PostgreSQL only, about 3 minutes)"
  cargo install sqlx-cli --version "$SQLX_CLI_VERSION" --locked \
    --no-default-features --features rustls,postgres
fi

# --- PostgreSQL server binaries ----------------------------------------------
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  say "installing PostgreSQL from apt"
  apt_install postgresql postgresql-contrib
fi

# --- Chromium for the browser tests (never a Playwright download) -------------
if [ "${INSTALL_BROWSER:-1}" = 1 ] && [ ! -x /usr/bin/chromium ]; then
  say "installing Chromium from apt"
  apt_install chromium
fi

# --- npm packages: Playwright, binaryen's wasm-opt, resvg (install icons), ----
# Lighthouse (make bench-frontend).
# Debian's binaryen silently breaks the release WASM; npm's binaryen works.
if [ ! -x "$ROOT_DIR/end2end/node_modules/.bin/wasm-opt" ] \
  || [ ! -d "$ROOT_DIR/end2end/node_modules/@playwright/test" ] \
  || [ ! -d "$ROOT_DIR/end2end/node_modules/lighthouse" ] \
  || [ "$ROOT_DIR/end2end/package-lock.json" -nt "$ROOT_DIR/end2end/node_modules/.package-lock.json" ]; then
  say "installing npm packages in end2end/"
  (cd "$ROOT_DIR/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

# --- wrk, for `make bench-catalog` only ---------------------------------------
if [ "${1:-}" = bench ] && ! command -v wrk >/dev/null 2>&1; then
  say "installing wrk from apt"
  apt_install wrk
fi

# --- HAProxy and Prometheus, for `make cluster` only ---------------------------
# Their packages' system services stay unused: the cluster runs its own
# processes with its own configs (.ci/cluster.sh).
if [ "${1:-}" = cluster ]; then
  cluster_packages=()
  command -v haproxy >/dev/null 2>&1 || cluster_packages+=(haproxy)
  command -v prometheus >/dev/null 2>&1 || cluster_packages+=(prometheus)
  if [ "${#cluster_packages[@]}" -gt 0 ]; then
    say "installing ${cluster_packages[*]} from apt"
    apt_install "${cluster_packages[@]}"
  fi
fi

say "tools ready"
