#!/usr/bin/env bash
# Times the import command on a generated list of 1,000,000 rows into a fresh database.
# usage: benchmarks/import-1m.sh [--postgres] [ROWS]
#   SQLite (default): a new database file in a temporary directory.
#   --postgres: a new throwaway database on the PostgreSQL at 127.0.0.1, created as the role in
#     FLAGAPI_TEST_POSTGRES (default Host=127.0.0.1;Port=5432;Username=flagapi;Password=flagapi;Database=postgres),
#     which needs CREATEDB; it is dropped afterwards.
# Prints the import's own summary, then as its last line: import_seconds=S rows=N
# (S is the command's own figure: migrations, read, validate and write, without process start).
# environment: BENCH_APP, a folder FlagApi was published to (dotnet publish -c Release): used as it is instead of
#   publishing one here, for a caller that imports many times (benchmarks/durability.sh); every other variable of the
#   environment (Database__SqliteSynchronous, say) reaches the import as configuration.
set -euo pipefail
app=${BENCH_APP:-}
if [ -n "$app" ]; then
  app=$(cd "$app" && pwd)
  [ -f "$app/FlagApi.dll" ] || { echo "BENCH_APP: no FlagApi.dll in $app" >&2; exit 2; }
fi
cd "$(dirname "$0")/.."
# shellcheck source=benchmarks/tools.sh
. benchmarks/tools.sh

provider=sqlite
if [ "${1:-}" = "--postgres" ]; then
  provider=postgres
  shift
fi
rows=${1:-1000000}
work=$(mktemp -d)
database=""
admin=""

cleanup() {
  if [ -n "$database" ]; then
    psql "$admin" -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS \"$database\" WITH (FORCE)" >/dev/null || echo "could not drop database $database" >&2
  fi
  [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

if [ "$provider" = postgres ]; then
  connection=${FLAGAPI_TEST_POSTGRES:-"Host=127.0.0.1;Port=5432;Username=flagapi;Password=flagapi;Database=postgres"}
  require_local_postgres "$connection"

  port=$(setting "$connection" Port)
  user=$(setting "$connection" Username)
  password=$(setting "$connection" Password)
  admin="postgresql://127.0.0.1:${port:-5432}/$(setting "$connection" Database)?user=${user:-flagapi}"
  export PGPASSWORD="${password:-}"
  database="flagapi_bench_$(date +%s)_$$"
  psql "$admin" -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$database\"" >/dev/null
  echo "created database $database on 127.0.0.1:${port:-5432} as ${user:-flagapi}"
  app_connection="Host=127.0.0.1;Port=${port:-5432};Username=${user:-flagapi};Password=${password:-};Database=$database"
fi

echo "generating $rows rows (60% phone, 15% url, 10% domain, 10% app, 5% account) in $work/list.csv"
flag_list_csv "$rows" > "$work/list.csv"
ls -lh "$work/list.csv" | awk '{print "file size: " $5}'

if [ -z "$app" ]; then
  app="$work/app"
  dotnet publish src/FlagApi -c Release -o "$app" --nologo -v quiet >/dev/null
fi
cd "$work"
export ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning
if [ "$provider" = postgres ]; then
  # A PostgreSQL database is migrated only when asked to (the service never changes a shared schema by surprise); the
  # import migrates this new one itself, as it does a new SQLite file, so both rows include the migrations.
  export Database__Provider=Postgres ConnectionStrings__FlagApi="$app_connection" Database__MigrateOnStart=true
else
  export Database__DataDirectory="$work/data"
fi

start=$(date +%s.%N)
dotnet "$app/FlagApi.dll" import list.csv --agency "Benchmark" --reference "1m" | tee "$work/summary.txt"
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" -v n="$rows" 'BEGIN { printf "wall time including process start: %.1f s for %d rows\n", e - s, n }'
if [ "$provider" = postgres ]; then
  psql "${admin%/*}/$database?user=${user:-flagapi}" -At -c "SELECT 'database size: ' || pg_size_pretty(pg_database_size(current_database()))"
else
  ls -lh "$work/data/flagapi.db" | awk '{print "database size: " $5}'
fi

seconds=$(grep -oE 'in [0-9]+\.[0-9]+ s \(read' "$work/summary.txt" | grep -oE '[0-9]+\.[0-9]+')
echo "import_seconds=$seconds rows=$rows"
