#!/usr/bin/env bash
# Measures what a backup costs and how long a recovery from it takes (issue 25: "the recovery point and time this
# gives"), on a database of ROWS entries (default 1,000,000) built with the import command as import-1m.sh builds one.
# usage: benchmarks/backup-restore.sh [--postgres] [ROWS]
#   SQLite (default): a service runs on the database (until ready, and until it has published its index snapshot to the
#     database, as a running deployment has); `FlagApi backup` copies it while it runs; the copy goes into a new data
#     folder as flagapi.db (with the reporter hash key saved beside it) and a new service starts on it.
#   --postgres: the same on two throwaway databases on the PostgreSQL at 127.0.0.1, created as the role in
#     FLAGAPI_TEST_POSTGRES (default Host=127.0.0.1;Port=5432;Username=flagapi;Password=flagapi;Database=postgres),
#     which needs CREATEDB: `pg_dump -Fc` of the first while the service runs, CREATE DATABASE + `pg_restore --no-owner`
#     into the second, a new service on it. Both are dropped afterwards.
# The restored service must be ready (GET /health/ready 200), answer a known entry as flagged and a number not in the
# list as not flagged, and report the same list version and entry counts in GET /v1/stats as the original did.
# Prints a markdown table (step | seconds | size) and puts it in benchmarks/results/backup-restore.md under its own
# heading (SQLite or PostgreSQL), replacing that section and keeping the other.
# environment: BENCH_PORT (default 5580; the services listen on 127.0.0.1 only), KEEP=1 keeps the work folder, BENCH_APP
#   a folder FlagApi was published to (as import-1m.sh takes it), used instead of publishing one here.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# shellcheck source=benchmarks/tools.sh
. benchmarks/tools.sh

provider=sqlite
if [ "${1:-}" = "--postgres" ]; then
  provider=postgres
  shift
fi
rows=${1:-1000000}
if ! [[ "$rows" =~ ^[0-9]+$ ]] || [ "$rows" -lt 20 ]; then
  echo "usage: benchmarks/backup-restore.sh [--postgres] [ROWS] (ROWS at least 20)" >&2
  exit 2
fi
port=${BENCH_PORT:-5580}
url="http://127.0.0.1:$port"
load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- src 2>/dev/null || commit="$commit (with uncommitted changes in src)"
work=$(mktemp -d)
server=""
databases=()
admin=""

progress() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

stop() {
  [ -n "$server" ] || return 0
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  server=""
}

cleanup() {
  stop
  local database
  # FORCE cannot end an autovacuum worker, which the import and the restore set going: try again until it is done.
  for database in "${databases[@]}"; do
    for _ in $(seq 1 60); do
      psql "$admin" -q -c "DROP DATABASE IF EXISTS \"$database\" WITH (FORCE)" >/dev/null 2>&1 && continue 2
      sleep 2
    done
    echo "could not drop database $database" >&2
  done
  if [ -n "${KEEP:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

require_tools curl awk jq dotnet git

now() { date +%s%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'; } # START_NS END_NS
megabytes() { awk -v b="$1" 'BEGIN { m = b / 1048576; printf (m < 10 ? "%.1f MB" : "%.0f MB"), m }'; } # BYTES

if [ "$provider" = postgres ]; then
  require_tools psql pg_dump pg_restore
  connection=${FLAGAPI_TEST_POSTGRES:-"Host=127.0.0.1;Port=5432;Username=flagapi;Password=flagapi;Database=postgres"}
  require_local_postgres "$connection"
  pg_port=$(setting "$connection" Port)
  pg_port=${pg_port:-5432}
  user=$(setting "$connection" Username)
  user=${user:-flagapi}
  password=$(setting "$connection" Password)
  export PGPASSWORD="${password:-}"
  admin="postgresql://127.0.0.1:$pg_port/$(setting "$connection" Database)?user=$user"
  original="flagapi_bench_backup_$(date +%s)_$$"
  restored="flagapi_bench_restore_$(date +%s)_$$"
  pg_url() { echo "postgresql://127.0.0.1:$pg_port/$1?user=$user"; } # DATABASE
  app_connection() { echo "Host=127.0.0.1;Port=$pg_port;Username=$user;Password=${password:-};Database=$1"; } # DATABASE
  databases+=("$original")
  psql "$admin" -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$original\"" >/dev/null
  progress "created database $original on 127.0.0.1:$pg_port as $user"
  # Every PostgreSQL instance needs the shared reporter hash key; the restored one gets the same, as a deployment would.
  export Database__Provider=Postgres Reports__HashKey=benchmark-report-hash-key-0123456789
else
  require_tools sqlite3
fi
curl -s -o /dev/null --max-time 1 "$url/health/ready" && { echo "something already listens on $url (BENCH_PORT)" >&2; exit 2; }

# As run.sh and the Dockerfile publish it (ReadyToRun for this platform), so that start-ups are measured as the image
# starts.
app=${BENCH_APP:-}
if [ -n "$app" ]; then
  app=$(cd "$app" && pwd)
  [ -f "$app/FlagApi.dll" ] || { echo "BENCH_APP: no FlagApi.dll in $app" >&2; exit 2; }
else
  app="$work/app"
  progress "publishing FlagApi (Release) to $app"
  dotnet publish src/FlagApi -c Release --use-current-runtime --self-contained false -p:PublishReadyToRun=true \
    -o "$app" --nologo -v quiet >/dev/null
fi
export ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning

# flagapi COMMAND...: the published app, from its own folder so that its appsettings.json loads, on the database the
# variables exported by the caller name.
flagapi() { (cd "$app" && dotnet FlagApi.dll "$@"); }

# start_service LOG: starts the service on 127.0.0.1:BENCH_PORT and waits for /health/ready 200; sets server (pid) and
# ready_seconds (process start to ready).
ready_seconds=
start_service() {
  local started
  started=$(now)
  (cd "$app" && exec dotnet FlagApi.dll --urls "$url") >> "$1" 2>&1 &
  server=$!
  wait_ready "$url/health/ready" "$server" 600 "$1"
  ready_seconds=$(seconds "$started" "$(now)")
}

# wait_published COMMAND...: until COMMAND prints a count above 0 of complete index snapshots published to the database.
wait_published() {
  local deadline=$(( $(date +%s) + 300 ))
  until [ "$("$@")" -gt 0 ] 2>/dev/null; do
    if ! kill -0 "$server" 2>/dev/null || [ "$(date +%s)" -gt "$deadline" ]; then
      echo "the service (pid $server) published no index snapshot to the database" >&2
      exit 1
    fi
    sleep 0.2
  done
}
published_sqlite() { sqlite3 "$1/flagapi.db" "SELECT COUNT(*) FROM index_snapshots WHERE completed_at_ticks IS NOT NULL"; }
published_postgres() { psql "$(pg_url "$1")" -At -c "SELECT COUNT(*) FROM index_snapshots WHERE completed_at_ticks IS NOT NULL"; }

# The known entry: the last phone row of the generated list (row i is a phone when i mod 20 < 12: +86 1<3 + i mod 7><i,
# nine digits>), and a number the list does not hold.
known=$(( (rows - 1) / 20 * 20 + 11 ))
[ "$known" -lt "$rows" ] || known=$(( known - 20 ))
known_phone=$(awk -v i="$known" 'BEGIN { printf "+861%d%09d", 3 + (i % 7), i }')
# +86 13999999999: the generator's row 999,999,999 would be +86 18999999999, so no list holds it.
unknown_phone="+8613999999999"
stats() { curl -fsS "$url/v1/stats" | jq -c '{listVersion, entries}'; }
check_restored() { # STATS_OF_THE_ORIGINAL
  local answer restored_stats
  answer=$(curl -sS "$url/v1/lookup/phone?value=%2B${known_phone#+}")
  if [[ "$answer" != *'"verdict":"flagged"'* ]]; then
    echo "the restored service does not answer row $known ($known_phone) as flagged: $answer" >&2
    exit 1
  fi
  answer=$(curl -sS "$url/v1/lookup/phone?value=%2B${unknown_phone#+}")
  if [[ "$answer" != *'"verdict":'* ]] || [[ "$answer" == *'"verdict":"flagged"'* ]]; then
    echo "the restored service answers a number outside the list as flagged: $answer" >&2
    exit 1
  fi
  restored_stats=$(stats)
  if [ "$restored_stats" != "$1" ]; then
    echo "the restored service's /v1/stats differ from the original's: $restored_stats against $1" >&2
    exit 1
  fi
  progress "restored service: row $known is flagged, $unknown_phone is not, /v1/stats list version and entries as the original's"
}

table=()
row() { table+=("| $1 | $2 | $3 |"); } # STEP SECONDS SIZE

# --- the database -----------------------------------------------------------------------------------------------------
progress "generating $rows rows (60% phone, 15% url, 10% domain, 10% app, 5% account)"
flag_list_csv "$rows" > "$work/list.csv"
if [ "$provider" = postgres ]; then
  # The import migrates this new database itself, as it does a new SQLite file.
  export ConnectionStrings__FlagApi
  ConnectionStrings__FlagApi=$(app_connection "$original")
  Database__MigrateOnStart=true flagapi import "$work/list.csv" --agency "Benchmark" --reference "backup-restore" | tee "$work/import.txt" >&2
  size=$(psql "$(pg_url "$original")" -At -c "SELECT pg_database_size(current_database())")
else
  export Database__DataDirectory="$work/data"
  flagapi import "$work/list.csv" --agency "Benchmark" --reference "backup-restore" | tee "$work/import.txt" >&2
  size=$(stat -c %s "$work/data/flagapi.db")
fi
rm -f "$work/list.csv"
import_seconds=$(grep -oE 'in [0-9]+\.[0-9]+ s \(read' "$work/import.txt" | grep -oE '[0-9]+\.[0-9]+')
row "import of $rows rows into a new database (the command's own figure; size: the database)" "$import_seconds" "$(megabytes "$size")"

progress "starting the service on it until ready and its index snapshot is published to the database"
mkdir -p "$work/original"
if [ "$provider" = postgres ]; then
  export Database__DataDirectory="$work/original"
  start_service "$work/original.log"
  first_ready=$ready_seconds
  wait_published published_postgres "$original"
else
  start_service "$work/original.log"
  first_ready=$ready_seconds
  wait_published published_sqlite "$work/data"
fi
if [ "$provider" = postgres ]; then
  size=$(psql "$(pg_url "$original")" -At -c "SELECT pg_database_size(current_database())")
else
  size=$(cat "$work/data/flagapi.db" "$work/data/flagapi.db-wal" 2>/dev/null | wc -c)
fi
row "first start of the service on it, to ready (from the database; it then publishes its index snapshot; size: the database with it)" "$first_ready" "$(megabytes "$size")"
original_stats=$(stats)

# --- backup and restore -----------------------------------------------------------------------------------------------
if [ "$provider" = postgres ]; then
  progress "pg_dump -Fc while the service runs"
  started=$(now)
  pg_dump -Fc -d "$(pg_url "$original")" -f "$work/flagapi.dump"
  dump_seconds=$(seconds "$started" "$(now)")
  row "backup: \`pg_dump -Fc\` while the service runs (size: the dump)" "$dump_seconds" "$(megabytes "$(stat -c %s "$work/flagapi.dump")")"
  stop

  progress "restore: CREATE DATABASE and pg_restore --no-owner"
  databases+=("$restored")
  started=$(now)
  psql "$admin" -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$restored\"" >/dev/null
  pg_restore --no-owner --exit-on-error -d "$(pg_url "$restored")" "$work/flagapi.dump"
  restore_seconds=$(seconds "$started" "$(now)")
  size=$(psql "$(pg_url "$restored")" -At -c "SELECT pg_database_size(current_database())")
  row "restore: CREATE DATABASE + \`pg_restore --no-owner\` into it (size: the restored database)" "$restore_seconds" "$(megabytes "$size")"

  progress "a new service on the restored database, with an empty data folder"
  ConnectionStrings__FlagApi=$(app_connection "$restored")
  mkdir -p "$work/restored"
  export Database__DataDirectory="$work/restored"
  start_service "$work/restored.log"
else
  progress "FlagApi backup while the service runs"
  mkdir -p "$work/backup"
  started=$(now)
  flagapi backup "$work/backup/flagapi.db" | tee "$work/backup.txt" >&2
  backup_wall=$(seconds "$started" "$(now)")
  backup_own=$(grep -oE ' in [0-9]+\.[0-9]+ s' "$work/backup.txt" | grep -oE '[0-9]+\.[0-9]+')
  row "backup: \`FlagApi backup PATH\` while the service runs, its own figure / with process start (size: the backup)" \
    "$backup_own / $backup_wall" "$(megabytes "$(stat -c %s "$work/backup/flagapi.db")")"
  stop

  progress "restore: the backup into a new data folder"
  started=$(now)
  mkdir -p "$work/restored"
  cp "$work/backup/flagapi.db" "$work/restored/flagapi.db"
  [ ! -f "$work/backup/flagapi.db.reports-hash.key" ] ||
    cp "$work/backup/flagapi.db.reports-hash.key" "$work/restored/reports-hash.key"
  sync "$work/restored/flagapi.db"
  restore_seconds=$(seconds "$started" "$(now)")
  row "restore: copy the backup (and its reporter hash key) into a new data folder as flagapi.db, synced" "$restore_seconds" "—"

  progress "a new service on the restored copy"
  export Database__DataDirectory="$work/restored"
  start_service "$work/restored.log"
fi
restored_ready=$ready_seconds
check_restored "$original_stats"
stop
row "restored service: process start to \`/health/ready\` 200 (new data folder, so from the snapshot published in the database)" "$restored_ready" "—"
row "**recovery time: restore + start to ready**" "**$(awk -v a="$restore_seconds" -v b="$restored_ready" 'BEGIN { printf "%.2f", a + b }')**" "—"

# --- the table --------------------------------------------------------------------------------------------------------
if [ "$provider" = postgres ]; then
  heading="PostgreSQL"
  detail="PostgreSQL $(psql "$admin" -At -c 'SHOW server_version' | cut -d' ' -f1) on 127.0.0.1, pg_dump/pg_restore $(pg_dump --version | awk '{ print $3 }')"
else
  heading="SQLite"
  detail="SQLite (the shipped settings: WAL, synchronous FULL)"
fi
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
ram=$(awk '/^MemTotal/ { printf "%.1f GB", $2 / 1024 / 1024 }' /proc/meminfo)
load_at_end=$(cut -d' ' -f1-3 /proc/loadavg)
busy=$(awk -v a="$load_at_start" -v b="$load_at_end" -v n="$(nproc)" 'BEGIN { if (a + 0 > n || b + 0 > n) print " (above " n ": something else wanted the cores too)" }')
{
  echo "## $heading"
  echo
  echo "\`benchmarks/backup-restore.sh$([ "$provider" = postgres ] && echo " --postgres") $rows\`"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit"
  echo "- machine: $(nproc) cores, ${cpu:-unknown CPU}, $ram RAM, $(df -h --output=source "$work" | tail -n 1) for the work folder"
  echo "- load average (1, 5, 15 min): $load_at_start at the start, $load_at_end at the end$busy"
  echo "- $rows rows ($known_phone is row $known); $detail; services from a Release (ReadyToRun) publish, ASPNETCORE_ENVIRONMENT=Production, shipped appsettings.json, 127.0.0.1"
  echo
  echo "| step | seconds | size |"
  echo "|---|---|---|"
  printf '%s\n' "${table[@]}"
} > "$work/section.md"
cat "$work/section.md"

# The results file holds a title, then a section per provider: this run replaces its own and keeps the other.
results="$root/benchmarks/results/backup-restore.md"
mkdir -p "$(dirname "$results")"
[ -f "$results" ] || touch "$results"
section_of() { # FILE HEADING: the lines of the section "## HEADING" up to the next "## "
  awk -v h="## $2" '/^## / { inside = ($0 == h) } inside' "$1"
}
{
  echo "# Backup and restore: recovery time (benchmarks/backup-restore.sh)"
  for part in SQLite PostgreSQL; do
    echo
    if [ "$part" = "$heading" ]; then cat "$work/section.md"; else section_of "$results" "$part"; fi
  done
} | cat -s | awk '{ line[NR] = $0 } END { n = NR; while (n > 0 && line[n] == "") n--; for (i = 1; i <= n; i++) print line[i] }' > "$work/results.md"
mv "$work/results.md" "$results"
progress "written to ${results#"$root"/}"
