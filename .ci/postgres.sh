#!/usr/bin/env bash
# A project-local PostgreSQL cluster: its files and its unix socket live in
# one folder, it listens on no TCP port, and only this project uses it.
#
#   .ci/postgres.sh start DIR PORT DATABASE   initdb when new, start when stopped,
#                                             print `export DATABASE_URL=…`
#   .ci/postgres.sh stop DIR                  stop it when running
#
# PostgreSQL refuses to run as root, so as root the cluster runs as the
# `postgres` user (created by Debian's package).
set -euo pipefail

command="${1:-}"
requested_dir="${2:-}"
[ -n "$command" ] && [ -n "$requested_dir" ] || {
  echo "usage: $0 start DIR PORT DATABASE | stop DIR" >&2
  exit 2
}

pg_bin() {
  local name="$1" candidate
  for candidate in /usr/lib/postgresql/*/bin/"$name"; do
    [ -x "$candidate" ] && { echo "$candidate"; return; }
  done
  command -v "$name" || { echo "PostgreSQL's $name was not found; run make install" >&2; exit 1; }
}

as_cluster_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# The folder actually used. A unix socket path must stay under ~100 bytes, and
# as root the `postgres` user must be able to reach the folder (a clone under
# /root is not reachable); in either case the cluster lives under /var/tmp and
# DIR becomes a link to it.
resolve_dir() {
  mkdir -p "$(dirname "$requested_dir")"
  if [ -L "$requested_dir" ]; then
    readlink -f "$requested_dir"
    return
  fi
  local dir
  dir="$(cd "$(dirname "$requested_dir")" && pwd)/$(basename "$requested_dir")"
  local reachable=1
  if [ "$(id -u)" -eq 0 ]; then
    mkdir -p "$dir"
    chown postgres: "$dir"
    runuser -u postgres -- test -w "$dir" || reachable=0
  fi
  if [ "${#dir}" -gt 80 ] || [ "$reachable" -eq 0 ]; then
    local elsewhere
    elsewhere="/var/tmp/acmelearn-pg-$(printf '%s' "$dir" | sha1sum | cut -c1-12)"
    mkdir -p "$elsewhere"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$elsewhere"
    rmdir "$dir" 2>/dev/null || true
    ln -sfn "$elsewhere" "$dir"
    dir="$elsewhere"
  fi
  echo "$dir"
}

dir="$(resolve_dir)"
case "$command" in
  start)
    port="${3:?port}"
    database="${4:?database name}"
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    if [ ! -f "$dir/PG_VERSION" ]; then
      echo "creating a PostgreSQL cluster in $dir" >&2
      as_cluster_owner "$(pg_bin initdb)" -D "$dir" -U app --auth=trust \
        --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if ! as_cluster_owner "$(pg_bin pg_ctl)" -D "$dir" status >/dev/null 2>&1; then
      as_cluster_owner "$(pg_bin pg_ctl)" -D "$dir" -l "$dir/server.log" -w \
        -o "-p $port -k $dir -c listen_addresses=''" start >/dev/null
      echo "PostgreSQL started (socket in $dir, port $port)" >&2
    fi
    echo "export DATABASE_URL='postgres://app@localhost/${database}?host=${dir}&port=${port}'"
    ;;
  stop)
    if [ -f "$dir/PG_VERSION" ] && as_cluster_owner "$(pg_bin pg_ctl)" -D "$dir" status >/dev/null 2>&1; then
      as_cluster_owner "$(pg_bin pg_ctl)" -D "$dir" -m fast -w stop >/dev/null
      echo "PostgreSQL stopped ($dir)" >&2
    fi
    ;;
  *)
    echo "unknown command: $command" >&2
    exit 2
    ;;
esac
