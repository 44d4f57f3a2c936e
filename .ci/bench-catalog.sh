#!/usr/bin/env bash
# `make bench-catalog`: how fast /courses answers searches with filters, with
# the shipped catalog and with 100,000 generated courses. For each it starts
# the release server, drives it with wrk at 32 connections over a mix of
# search + filter URLs, and prints requests/s, p50 and p99, plus the size of
# the server-rendered HTML; each case as a visitor (page cache), as a
# signed-in learner (a real account and session), and with nothing kept;
# the shipped catalog also as browsers ask for it (Accept-Encoding: br), the
# bytes column then counting what is sent.
# BENCH_SERVER_BIN=path measures that server binary instead of building one
# (for before/after pairs); CASES=regex runs only the cases whose label
# matches. Prints figures; asserts nothing about speed.
set -euo pipefail

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT_DIR"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT_DIR/target}"
CLUSTER="$ROOT_DIR/.data/postgres-bench"
PORT="${BENCH_PORT:-3200}"
CONNECTIONS="${CONNECTIONS:-32}"
DURATION="${DURATION:-15s}"

.ci/install-tools.sh bench
if [ -n "${BENCH_SERVER_BIN:-}" ]; then
  SERVER="$BENCH_SERVER_BIN"
else
  cargo leptos build --release --precompress
  SERVER="$TARGET_DIR/release/server"
fi
CASES="${CASES:-.}"
. .ci/bench-server.sh
. .ci/bench-catalogs.sh

WRK_SCRIPT="$(mktemp)"
cat >"$WRK_SCRIPT" <<'LUA'
-- Searches and filters as learners combine them, in turn.
local paths = {
  "/courses?q=python",
  "/courses?q=data+pipelines&difficulty=intermediate",
  "/courses?tag=python&tag=data+analysis",
  "/courses?q=web&min_hours=10&max_hours=40&sort=shortest",
  "/courses?difficulty=beginner&tag=frontend&page=2",
  "/courses?q=%22machine+learning%22+-python&sort=newest",
  "/courses?q=pyhton",
  "/courses?tag=performance&difficulty=advanced&sort=longest",
}
local next_path = 0
request = function()
  next_path = next_path % #paths + 1
  return wrk.format("GET", paths[next_path])
end
LUA

# Signs up a new learner (a fresh address each time: the large catalog's
# database is kept between runs) and prints their session cookie; stops the
# bench if the cookie does not sign them in, so "signed in" is never
# silently measured as a visitor.
sign_up_learner() {
  local email="bench-$(date +%s%N)@example.com" password="bench catalog learner $RANDOM$RANDOM"
  local cookie
  cookie="$(curl -fs -o /dev/null -D - \
      --data-urlencode "email=$email" --data-urlencode "password=$password" \
      --data-urlencode "password_confirmation=$password" \
      "http://127.0.0.1:$PORT/api/account/signup" |
    awk 'tolower($1) == "set-cookie:" { split($2, pair, ";"); print pair[1] }')"
  if ! curl -fs -H "Cookie: $cookie" "http://127.0.0.1:$PORT/courses" | grep -qF "$email"; then
    echo "the bench learner $email is not signed in by its cookie" >&2
    return 1
  fi
  echo "$cookie"
}

results=()
run_case() {
  local label="$1" url="$2" catalog_cache_seconds="$3" who="${4:-visitor}" encoding="${5:-}"
  grep -qE "$CASES" <<<"$label" || return 0
  start_server "$PORT" CATALOG_CACHE_SECONDS="$catalog_cache_seconds" DATABASE_URL="$url" CATALOG_FILE=""
  local wrk_headers=()
  if [ "$who" = learner ]; then
    local cookie
    cookie="$(sign_up_learner)"
    wrk_headers=(-H "Cookie: $cookie")
  fi
  if [ -n "$encoding" ]; then
    wrk_headers+=(-H "Accept-Encoding: $encoding")
  fi
  local html_bytes courses
  # As sent to this case's client (curl does not decode it).
  html_bytes="$(curl -fs "${wrk_headers[@]}" "http://127.0.0.1:$PORT/courses" | wc -c)"
  courses="$(psql -tAq "$url" -c 'select count(*) from courses')"
  # Warm the caches and the prepared statements, then measure.
  wrk -t2 -c"$CONNECTIONS" -d3s "${wrk_headers[@]}" -s "$WRK_SCRIPT" "http://127.0.0.1:$PORT" >/dev/null
  local output
  output="$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "${wrk_headers[@]}" -s "$WRK_SCRIPT" "http://127.0.0.1:$PORT")"
  echo "$output"
  stop_server
  local rps p50 p99 errors
  rps="$(awk '/^Requests\/sec/ {print $2}' <<<"$output")"
  p50="$(awk '$1 == "50%" {print $2}' <<<"$output")"
  p99="$(awk '$1 == "99%" {print $2}' <<<"$output")"
  errors="$(awk '/Non-2xx/ {print $NF}' <<<"$output")"
  results+=("$(printf '%-22s %9s %10s %9s %9s %12s %8s' "$label" "$courses" "$rps" "$p50" "$p99" "$html_bytes" "${errors:-0}")")
}

# Each catalog three ways: as visitors without a session get it (pages and
# search results kept for a minute); as a signed-in learner (their session
# cookie on every request: their own header, read fresh each time); and with
# nothing kept (CATALOG_CACHE_SECONDS=0: what a search nobody made in the
# last minute costs).
run_case "shipped, visitor" "$SHIPPED_URL" 60
run_case "shipped, signed in" "$SHIPPED_URL" 60 learner
run_case "shipped, visitor, br" "$SHIPPED_URL" 60 visitor br
run_case "shipped, signed in, br" "$SHIPPED_URL" 60 learner br
run_case "shipped, uncached" "$SHIPPED_URL" 0
run_case "100k, visitor" "$LARGE_URL" 60
run_case "100k, signed in" "$LARGE_URL" 60 learner
run_case "100k, uncached" "$LARGE_URL" 0

echo
echo "/courses, search + filters, $CONNECTIONS connections, $DURATION per case, $(nproc) cores"
printf '%-22s %9s %10s %9s %9s %12s %8s\n' catalog courses "req/s" p50 p99 "bytes sent" non-2xx
printf '%s\n' "${results[@]}"
rm -f "$WRK_SCRIPT"
