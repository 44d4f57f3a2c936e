# Sourced by the benchmarks: prepares the two catalogs they measure in the
# benchmark cluster and sets SHIPPED_URL and LARGE_URL.
#   SHIPPED_URL  the shipped catalog, fresh every run
#   LARGE_URL    the shipped catalog plus generated courses up to LARGE_COUNT
#                (100,000 by default); generating takes a minute or two, so
#                the database is kept between runs.
# Needs: CLUSTER (the cluster's folder) and SERVER (the release binary).

LARGE_COUNT="${LARGE_COUNT:-100000}"
# The socket's port number; several checkouts on one machine may each pick their own.
BENCH_PG_PORT="${BENCH_PG_PORT:-5435}"

eval "$(.ci/postgres.sh start "$CLUSTER" "$BENCH_PG_PORT" postgres)"
MAINTENANCE_URL="$DATABASE_URL"

bench_database_url() {
  eval "$(.ci/postgres.sh start "$CLUSTER" "$BENCH_PG_PORT" "$1")"
  echo "$DATABASE_URL"
}

psql -q "$MAINTENANCE_URL" -c 'drop database if exists acmelearn_catalog_shipped with (force)'
SHIPPED_URL="$(bench_database_url acmelearn_catalog_shipped)"
DATABASE_URL="$SHIPPED_URL" "$SERVER" import-catalog data/courses.json >/dev/null

LARGE_URL="$(bench_database_url acmelearn_catalog_large)"
DATABASE_URL="$LARGE_URL" "$SERVER" import-catalog data/courses.json >/dev/null
have="$(psql -tAq "$LARGE_URL" -c 'select count(*) from courses' 2>/dev/null || echo 0)"
if [ "$have" -lt "$LARGE_COUNT" ]; then
  echo "generating $((LARGE_COUNT - have)) courses"
  DATABASE_URL="$LARGE_URL" "$SERVER" seed-courses --count "$((LARGE_COUNT - have))"
fi
