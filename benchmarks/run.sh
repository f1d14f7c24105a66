#!/usr/bin/env bash
# The benchmark suite: lookup throughput over HTTP against a bare ASP.NET Core endpoint, the same lookup at a small
# and a large list, batch latency, in-process operations (BenchmarkDotNet), resident memory per entry, start-up time
# and import speed. Prints a table at the end and writes it to benchmarks/results/latest.md (huge.md for --huge).
#
# usage: benchmarks/run.sh [--quick | --huge | --prepare]
#   (default)  10,000 vs 10,000,000 entries, 1M and 10M start-ups, three rounds of 15 s wrk runs (builds the 10M list
#              once: long)
#   --quick    10,000 vs 1,000,000 entries, two rounds of 5 s wrk runs, shorter BenchmarkDotNet runs, 100k-row import
#   --huge     one list of BENCH_HUGE_ENTRIES (default 100,000,000) phone entries: memory, a restart from the snapshot,
#              lookups against 10,000 entries and the feed snapshot streamed whole; written to benchmarks/results/huge.md
#              (the list takes hours to build and about 850 bytes of disk per entry; refused when the disk lacks them)
#   --prepare  only publish the app and build the lists of the default mode, to measure later
# environment: BENCH_WORK (work directory, default benchmarks/.work), BENCH_PORT (first port, default 5380),
#              BENCH_SKIP (space-separated parts to leave out: http memory startup pgstartup feed prefixes bdn import; pgstartup
#              imports the large list into a throwaway PostgreSQL database on 127.0.0.1, as FLAGAPI_TEST_POSTGRES names)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bench="$root/benchmarks"
mode=full
case "${1:-}" in
  "") ;;
  --quick) mode=quick ;;
  --huge) mode=huge ;;
  --prepare) mode=prepare ;;
  *) echo "usage: benchmarks/run.sh [--quick | --huge | --prepare]" >&2; exit 2 ;;
esac

work=${BENCH_WORK:-$bench/.work}
mkdir -p "$work"
work=$(cd "$work" && pwd)
port=${BENCH_PORT:-5380}
skip=" ${BENCH_SKIP:-} "

if [ "$mode" = quick ]; then
  small=10000 large=1000000 startup_sizes="1000000"
  # A warm-up shorter than 5 s leaves tiered compilation running into the first measured round.
  duration=5s warmup=5s batch_duration=5s import_rows=100000 rounds=2
elif [ "$mode" = huge ]; then
  huge=${BENCH_HUGE_ENTRIES:-100000000}
  if ! [[ "$huge" =~ ^[1-9][0-9]*$ ]] || [ "$huge" -gt 100000000 ]; then
    echo "BENCH_HUGE_ENTRIES must be a whole number from 1 to 100,000,000 (the generator's distinct numbers), not '$huge'" >&2
    exit 2
  fi
  small=10000 large=$huge startup_sizes=""
  duration=15s warmup=5s batch_duration=10s rounds=3
  # The PostgreSQL start-up would import the huge list again; BenchmarkDotNet and the import do not depend on its size.
  skip="$skip pgstartup bdn import "
else
  small=10000 large=10000000 startup_sizes="1000000 10000000"
  duration=15s warmup=5s batch_duration=10s import_rows=1000000 rounds=3
fi
threads=2 connections=64
# How long a start may take to be ready, and a snapshot to be written or published (seconds): a start from a database
# of 100 M rows reads them all.
ready_limit=600 snapshot_limit=300
[ "$mode" = huge ] && ready_limit=3600 snapshot_limit=1800

load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
progress() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
skipped() { [[ "$skip" == *" $1 "* ]]; }

# --- processes: every one started here is stopped on exit ------------------------------------------------------
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

stop() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# --- tools --------------------------------------------------------------------------------------------------------
# shellcheck source=benchmarks/tools.sh
. "$root/benchmarks/tools.sh"
require_tools curl awk dotnet wrk

# --- lists and builds ----------------------------------------------------------------------------------------------
# Lists built by an app whose schema has not changed are reused: the key covers the SQLite schema and this
# script's generator.
generator="phone-v1: +86 13d dddd dddd, task_brushing, high, chunks of 1,000,000 rows"
key=$( { cat "$root"/src/FlagApi/Data/Migrations/Sqlite/*.sql; echo "$generator"; } | sha256sum | cut -c1-12)
lists="$work/lists-$key"
for old in "$work"/lists-*; do
  [ -d "$old" ] && [ "$old" != "$lists" ] && { progress "removing lists of an older schema: $old"; rm -rf "$old"; }
done

# The huge list on SQLite as the import writes it: about 670 bytes per entry (its row, source, history line and change,
# with their indexes: 6.7 GB per 10 M, measured), and the first start adds the index snapshot twice, as a file and
# published to the database (about 80 bytes per entry each). A run that cannot fit is refused before it starts.
if [ "$mode" = huge ]; then
  need=$(( 160 * huge ))
  [ -f "$lists/phone-$huge/complete" ] || need=$(( need + 680 * huge ))
  free=$(df --output=avail -B1 "$work" | tail -n 1)
  [ -d "$lists/phone-$huge" ] && [ ! -f "$lists/phone-$huge/complete" ] && free=$(( free + $(du -sb "$lists/phone-$huge" | cut -f1) ))
  if [ "$free" -lt "$need" ]; then
    echo "a list of $huge entries needs about $(( need / 1000000000 )) GB free beside $work; $(( free / 1000000000 )) GB are (BENCH_HUGE_ENTRIES sets a smaller list)" >&2
    exit 2
  fi
fi

app="$work/app"
progress "publishing FlagApi (Release) to $app"
rm -rf "$app"
# As the Dockerfile publishes it: ReadyToRun for this machine's platform, so start-ups are measured as the image starts.
dotnet publish "$root/src/FlagApi" -c Release --use-current-runtime --self-contained false -p:PublishReadyToRun=true \
  -o "$app" --nologo -v quiet >/dev/null

# Phone number i (0 <= i < 100,000,000) is +86 13<i mod 10> <i / 10,000 mod 10,000> <i mod 10,000>: all distinct.
phone_csv() { # FIRST COUNT
  awk -v first="$1" -v n="$2" 'BEGIN {
    print "kind,value,category,risk,note";
    for (i = first; i < first + n; i++)
      printf "phone,+86 13%d %04d %04d,task_brushing,high,\n", i % 10, int(i / 10000) % 10000, i % 10000;
  }'
}

build_list() { # ENTRIES
  local n=$1 dir="$lists/phone-$1" chunk=1000000 first=0 part=0 rows started
  if [ -f "$dir/complete" ]; then
    progress "list of $n phone entries: built before ($dir)"
    return
  fi
  rm -rf "$dir"
  mkdir -p "$dir/data"
  started=$(date +%s)
  while [ "$first" -lt "$n" ]; do
    rows=$(( n - first < chunk ? n - first : chunk ))
    progress "list of $n phone entries: importing rows $first..$(( first + rows - 1 ))"
    phone_csv "$first" "$rows" > "$dir/part.csv"
    (cd "$app" && ASPNETCORE_ENVIRONMENT=Production Database__DataDirectory="$dir/data" Logging__LogLevel__Default=Warning \
      dotnet FlagApi.dll import "$dir/part.csv" --agency "Benchmark" --reference "phone-$n-$part") | sed 's/^/    /'
    first=$(( first + rows ))
    part=$(( part + 1 ))
  done
  rm -f "$dir/part.csv"
  touch "$dir/complete"
  progress "list of $n phone entries: built in $(( $(date +%s) - started )) s"
}

sizes=$(printf '%s\n' "$small" "$large" $startup_sizes | sort -n | uniq)
[ "$mode" = prepare ] && sizes=$(printf '%s\n' 10000 1000000 10000000)
for n in $sizes; do build_list "$n"; done
if [ "$mode" = prepare ]; then
  progress "prepared: $lists"
  exit 0
fi

constant="$work/constant"
progress "publishing ConstantServer (Release) to $constant"
rm -rf "$constant"
dotnet publish "$bench/ConstantServer" -c Release -o "$constant" --nologo -v quiet >/dev/null

# --- servers ------------------------------------------------------------------------------------------------------
# Every server runs the shipped appsettings.json in Production, request logging and rate limits as users get them. The
# one change: the app tier's lookup budget is raised so that wrk's millions of lookups with an app key are counted by
# the limiter but never refused. The admin key (Bootstrap:AdminKey) only issues that app key.
admin_key="benchmark-admin-key-for-loopback-only-0123456789"

# app_key BASE_URL: a new app key's secret, issued by the admin key.
app_key() {
  curl -fs -H "X-Api-Key: $admin_key" -H 'Content-Type: application/json' \
    -d '{"name":"benchmark app","role":"app"}' "$1/v1/keys" | sed -E 's/.*"key":"([^"]+)".*/\1/'
}

# start_flagapi DATA_DIR PORT: starts the published app from its own folder (so that its appsettings.json loads) and
# waits until /health/ready answers 200; sets server (pid) and ready_seconds.
server=
ready_seconds=
start_flagapi() {
  local data=$1 p=$2 started now
  started=$(date +%s%N)
  (cd "$app" && ASPNETCORE_ENVIRONMENT=Production Database__DataDirectory="$data" Bootstrap__AdminKey="$admin_key" \
    RateLimiting__Tiers__app__Lookup__PermitLimit=1000000000 \
    exec dotnet FlagApi.dll --urls "http://127.0.0.1:$p") >> "$work/server-$p.log" 2>&1 &
  server=$!
  pids+=("$server")
  wait_ready "http://127.0.0.1:$p/health/ready" "$server" "$ready_limit" "$work/server-$p.log"
  now=$(date +%s%N)
  ready_seconds=$(awk -v a="$started" -v b="$now" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
}

rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; } # PID

# Resident size once the collector has settled: at least 5 s after start-up, then the first reading within 1% of the
# two before it (a minute at most).
settled_rss_kb() { # PID
  local readings=() current i
  sleep 4
  for i in $(seq 1 60); do
    sleep 1
    current=$(rss_kb "$1")
    readings+=("$current")
    if [ "${#readings[@]}" -ge 3 ] && printf '%s\n' "${readings[@]: -3}" |
      awk 'NR == 1 { min = max = $1 } { if ($1 < min) min = $1; if ($1 > max) max = $1 } END { exit !(max - min <= max / 100) }'; then
      break
    fi
  done
  echo "$current"
}

# A data directory as a first start sees it: the database only, nothing a previous start left beside it.
first_start_data() { # DIR
  find "$1" -mindepth 1 -maxdepth 1 ! -name 'flagapi.db*' ! -name 'reports-hash.key' -exec rm -rf {} +
}

# An index snapshot published to the database by an earlier run (Lookup:PublishSnapshot): a first start would read it.
# (A database of a schema before the table has none.)
clear_published() { # DIR
  if [ -n "$(sqlite3 "$1/flagapi.db" "SELECT name FROM sqlite_master WHERE name = 'index_snapshots'")" ]; then
    sqlite3 "$1/flagapi.db" "DELETE FROM index_snapshot_chunks; DELETE FROM index_snapshots;"
  fi
}

# After saving its snapshot file the server publishes it to the database; a start without the file reads that one.
wait_published() { # PID COMMAND...: COMMAND prints how many complete published snapshots the database holds
  local pid=$1 deadline=$(( $(date +%s) + snapshot_limit ))
  shift
  until [ "$("$@")" -gt 0 ]; do
    if ! kill -0 "$pid" 2>/dev/null || [ "$(date +%s)" -gt "$deadline" ]; then
      echo "the server (pid $pid) published no index snapshot to the database" >&2
      exit 1
    fi
    sleep 0.2
  done
}
published_sqlite() { sqlite3 "$1/flagapi.db" "SELECT COUNT(*) FROM index_snapshots WHERE completed_at_ticks IS NOT NULL"; }

# After a load from the database the server saves its index beside the database (Lookup:SnapshotFile); a second start
# reads that file, so the first must not be stopped before it is written.
wait_snapshot() { # DIR PID
  local deadline=$(( $(date +%s) + snapshot_limit ))
  until [ -f "$1/index.snapshot" ] && [ ! -f "$1/index.snapshot.tmp" ]; do
    if ! kill -0 "$2" 2>/dev/null || [ "$(date +%s)" -gt "$deadline" ]; then
      echo "the server (pid $2) wrote no index snapshot in $1" >&2
      exit 1
    fi
    sleep 0.2
  done
}

# --- wrk ----------------------------------------------------------------------------------------------------------
lua="$work/lua"
mkdir -p "$lua"
rm -f "$work"/wrk-*.txt "$work"/server-*.log "$work"/constant-*.log
# What every wrk script prints at the end, in one line the script parses.
cat > "$lua/report.lua" <<'LUA'
function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("bench: requests=%d duration_us=%d non2xx=%d socket_errors=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, errors.status, errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
LUA

# Each wrk thread cycles through 65,536 phone numbers drawn at random from the whole list: every request is a hit.
cat > "$lua/lookup.lua" <<'LUA'
local entries = tonumber(os.getenv("BENCH_ENTRIES"))
local paths = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
end

function init(args)
  math.randomseed(seed * 7919)
  for k = 1, 65536 do
    local i = math.random(0, entries - 1)
    paths[k] = string.format("/v1/lookup/phone?value=%%2B8613%d%04d%04d", i % 10, math.floor(i / 10000) % 10000, i % 10000)
  end
  position = 0
end

local headers = { ["X-Api-Key"] = os.getenv("BENCH_KEY") }

function request()
  position = position % #paths + 1
  return wrk.format("GET", paths[position], headers)
end
LUA
cat "$lua/report.lua" >> "$lua/lookup.lua"

# One body of 1,000 phone numbers at random from the whole list, posted again and again.
cat > "$lua/batch.lua" <<'LUA'
local entries = tonumber(os.getenv("BENCH_ENTRIES"))
local items = {}
math.randomseed(4242)
for k = 1, 1000 do
  local i = math.random(0, entries - 1)
  items[k] = string.format('{"kind":"phone","value":"+8613%d%04d%04d"}', i % 10, math.floor(i / 10000) % 10000, i % 10000)
end
wrk.method = "POST"
wrk.body = '{"items":[' .. table.concat(items, ",") .. ']}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Api-Key"] = os.getenv("BENCH_KEY")
LUA
cat "$lua/report.lua" >> "$lua/batch.lua"

# The app key wrk sends to the server at URL (the constant endpoint ignores it but gets the same header).
declare -A keys=()
key_for() { # URL
  local base
  base=$(sed -E 's|^(http://[^/]+).*|\1|' <<<"$1")
  echo "${keys[$base]:-none}"
}

# warm NAME SCRIPT ENTRIES URL WRK_OPTIONS...: a run whose figures are thrown away (JIT, connections, caches).
warm() {
  local name=$1 script=$2 entries=$3 url=$4
  shift 4
  progress "$name: warm-up $warmup"
  BENCH_ENTRIES=$entries BENCH_KEY=$(key_for "$url") wrk "$@" -d "$warmup" -s "$script" "$url" > "$work/wrk-$name-warmup.txt"
}

# measure NAME DURATION SCRIPT ENTRIES URL WRK_OPTIONS...: one measured run; sets rps, p50_ms and p99_ms.
rps= p50_ms= p99_ms=
measure() {
  local name=$1 time=$2 script=$3 entries=$4 url=$5 line
  shift 5
  progress "$name: measuring $* -d$time"
  BENCH_ENTRIES=$entries BENCH_KEY=$(key_for "$url") wrk "$@" -d "$time" -s "$script" --latency "$url" > "$work/wrk-$name.txt"
  line=$(grep '^bench:' "$work/wrk-$name.txt")
  if ! grep -q 'non2xx=0 socket_errors=0' <<<"$line"; then
    echo "$name: some requests failed ($line); see $work/wrk-$name.txt" >&2
    exit 1
  fi
  read -r rps p50_ms p99_ms < <(awk '{
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    printf "%.0f %.2f %.2f\n", v["requests"] / (v["duration_us"] / 1e6), v["p50_us"] / 1000, v["p99_us"] / 1000 }' <<<"$line")
  progress "$name: $rps requests/s (median $p50_ms ms, p99 $p99_ms ms)"
}

best() { printf '%s\n' "$@" | sort -n | tail -n 1; }

phone_query() { # INDEX: the URL-encoded canonical phone number the wrk script would ask for
  awk -v i="$1" 'BEGIN { printf "%%2B8613%d%04d%04d", i % 10, int(i / 10000) % 10000, i % 10000 }'
}

check_hit() { # BASE_URL ENTRIES
  local answer
  answer=$(curl -fs "$1/v1/lookup/phone?value=$(phone_query $(( $2 - 1 )))")
  if [[ "$answer" != *'"verdict":"flagged"'* ]]; then
    echo "the last entry of the $2-entry list is not flagged: $answer" >&2
    exit 1
  fi
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", 100 * a / b }'; }
at_least() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
below() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
met() { if "$@"; then echo yes; else echo NO; fi; }
group() { awk -v n="$1" 'BEGIN { s = sprintf("%.0f", n); out = ""; while (length(s) > 3) { out = "," substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) } print s out }'; }
count() { awk -v n="$1" 'BEGIN { if (n >= 1000000) printf "%gM", n / 1000000; else if (n >= 1000) printf "%gk", n / 1000; else print n }'; }

rows=()
row() { rows+=("| $1 | $2 | $3 | $4 |"); }

p_empty=$port p_small=$((port + 1)) p_constant=$((port + 2)) p_large=$((port + 10))

# --- resident memory over an empty database (the baseline) ---------------------------------------------------------
empty_rss=
if ! skipped memory; then
  rm -rf "$work/empty"
  mkdir -p "$work/empty"
  progress "empty database: starting the server"
  start_flagapi "$work/empty" "$p_empty"
  empty_rss=$(settled_rss_kb "$server")
  progress "empty database: VmRSS $(( empty_rss / 1024 )) MB"
  stop "$server"
fi

# --- start-up and memory at the large lists; the largest keeps running for the lookups ---------------------------
large_server= large_port=
skipped startup || require_tools sqlite3
for n in $(printf '%s\n' $startup_sizes "$large" | sort -n | uniq); do
  data="$lists/phone-$n/data"
  p=$p_large
  p_large=$(( p_large + 1 ))
  label=$(count "$n")
  if ! skipped startup; then
    first_start_data "$data"
    clear_published "$data"
    progress "$label entries: first start"
    start_flagapi "$data" "$p"
    first=$ready_seconds
    wait_snapshot "$data" "$server"
    wait_published "$server" published_sqlite "$data"
    stop "$server"
    progress "$label entries: first start ready in $first s; second start (from the index snapshot the first wrote)"
    start_flagapi "$data" "$p"
    second=$ready_seconds
    stop "$server"
    progress "$label entries: second start ready in $second s; a start without the file (from the snapshot the first published)"
    first_start_data "$data"
  else
    progress "$label entries: starting the server"
  fi
  start_flagapi "$data" "$p"
  if ! skipped startup; then
    published=$ready_seconds
    progress "$label entries: start from the published snapshot ready in $published s"
    target="—" verdict="—" published_target="—" published_verdict="—"
    if [ "$n" = 10000000 ]; then
      target="< 10 s" verdict="$(met below "$first" 10) / $(met below "$second" 10)"
      published_target="< 10 s" published_verdict=$(met below "$published" 10)
    elif [ "$mode" = huge ]; then
      target="— / < 60 s" verdict="— / $(met below "$second" 60)"
    fi
    row "start-up to ready at $label entries, first / second start (s)" "$first / $second" "$target" "$verdict"
    row "start-up to ready at $label entries without the snapshot file, from the one published to the database (SQLite, s)" \
      "$published" "$published_target" "$published_verdict"
  fi

  if ! skipped memory; then
    rss=$(settled_rss_kb "$server")
    per_entry=$(awk -v r="$rss" -v e="$empty_rss" -v n="$n" 'BEGIN { printf "%.0f", (r - e) * 1024 / n }')
    progress "$label entries: VmRSS $(( rss / 1024 )) MB, $per_entry bytes per entry above the empty database"
    row "resident memory per phone entry at $label entries (bytes; VmRSS $(( rss / 1024 )) MB, empty $(( empty_rss / 1024 )) MB)" \
      "$per_entry" "≤ 120" "$(met at_least 120 "$per_entry")"
    if [ "$mode" = huge ]; then
      row "resident memory at $label entries (VmRSS, GB)" "$(awk -v r="$rss" 'BEGIN { printf "%.2f", r * 1024 / 1e9 }')" "≤ 10" \
        "$(met at_least 10000000000 $(( rss * 1024 )))"
    fi
  fi

  if [ "$n" = "$large" ]; then
    large_server=$server large_port=$p
  else
    stop "$server"
  fi
done

# --- start-up on PostgreSQL: the first instance of a deployment loads the large list from the database and publishes
# its snapshot; a new instance, with an empty data folder, reads that one -------------------------------------------
if ! skipped startup && ! skipped pgstartup; then
  require_tools psql
  pg_connection=${FLAGAPI_TEST_POSTGRES:-"Host=127.0.0.1;Port=5432;Username=flagapi;Password=flagapi;Database=postgres"}
  pg_key() { tr ';' '\n' <<<"$pg_connection" | awk -F= -v key="$1" 'tolower($1) == tolower(key) { sub(/^[^=]*=/, ""); print; exit }'; }
  pg_host=$(pg_key Host) pg_port=$(pg_key Port) pg_user=$(pg_key Username)
  if [ "${pg_host:-127.0.0.1}" != 127.0.0.1 ] && [ "$pg_host" != localhost ]; then
    echo "The benchmark only talks to a PostgreSQL on 127.0.0.1, not '$pg_host'." >&2
    exit 2
  fi
  export PGPASSWORD=$(pg_key Password)
  pg_admin="postgresql://127.0.0.1:${pg_port:-5432}/$(pg_key Database)?user=${pg_user:-flagapi}"
  pg_database="flagapi_bench_startup_$$"
  pg_dir="$work/postgres-startup"
  # FORCE cannot end an autovacuum worker, which a large import sets going: try again until it is done.
  drop_pg_database() {
    local attempt
    for attempt in $(seq 1 60); do
      psql "$pg_admin" -q -c "DROP DATABASE IF EXISTS \"$pg_database\" WITH (FORCE)" >/dev/null 2>&1 && return
      sleep 2
    done
    echo "could not drop database $pg_database" >&2
  }
  trap 'cleanup; drop_pg_database' EXIT
  psql "$pg_admin" -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$pg_database\"" >/dev/null
  # PostgreSQL instances refuse to start without a shared reporter hash key.
  export Database__Provider=Postgres Reports__HashKey=benchmark-report-hash-key-0123456789
  export ConnectionStrings__FlagApi="Host=127.0.0.1;Port=${pg_port:-5432};Username=${pg_user:-flagapi};Password=$PGPASSWORD;Database=$pg_database"
  rm -rf "$pg_dir"
  mkdir -p "$pg_dir/first" "$pg_dir/new"
  label=$(count "$large")
  (cd "$app" && ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning dotnet FlagApi.dll migrate) | sed 's/^/    /'
  for (( from = 0; from < large; from += 1000000 )); do
    progress "$label entries on PostgreSQL: importing rows from $from"
    phone_csv "$from" $(( large - from < 1000000 ? large - from : 1000000 )) > "$pg_dir/part.csv"
    (cd "$app" && ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
      dotnet FlagApi.dll import "$pg_dir/part.csv" --agency "Benchmark" --reference "postgres-$from") | sed 's/^/    /'
  done
  rm -f "$pg_dir/part.csv"
  published_postgres() { psql "${pg_admin%/*}/$pg_database?user=${pg_user:-flagapi}" -At -c "SELECT COUNT(*) FROM index_snapshots WHERE completed_at_ticks IS NOT NULL"; }
  progress "$label entries on PostgreSQL: the first instance"
  start_flagapi "$pg_dir/first" "$p_large"
  pg_first=$ready_seconds
  wait_published "$server" published_postgres
  stop "$server"
  # A new instance of a deployment meets a database whose rows were vacuumed long ago, not one that autovacuum is still
  # working through right after 10 M fresh rows and the published snapshot (which cost the start a third more here).
  progress "$label entries on PostgreSQL: first instance ready in $pg_first s; VACUUM (ANALYZE), as autovacuum would before long"
  psql "${pg_admin%/*}/$pg_database?user=${pg_user:-flagapi}" -q -v ON_ERROR_STOP=1 -c "VACUUM (ANALYZE)" >/dev/null
  progress "$label entries on PostgreSQL: a new instance with an empty data folder"
  start_flagapi "$pg_dir/new" "$p_large"
  pg_new=$ready_seconds
  stop "$server"
  progress "$label entries on PostgreSQL: the new instance ready in $pg_new s"
  unset Database__Provider Reports__HashKey ConnectionStrings__FlagApi
  drop_pg_database
  rm -rf "$pg_dir"
  target="—" verdict="—"
  if [ "$large" = 10000000 ]; then target="< 10 s"; verdict="$(met below "$pg_first" 10) / $(met below "$pg_new" 10)"; fi
  row "start-up to ready at $label entries on PostgreSQL, first instance (from the database) / a new one (from the snapshot the first published) (s)" \
    "$pg_first / $pg_new" "$target" "$verdict"
fi

# --- single lookups: the constant endpoint, the small list and the large list, in alternating rounds ----------------
# Every server stays up and idle while another is measured. Alternating rounds spread a neighbour's load over all
# three instead of on one; each figure is the best of its rounds, since interference only ever lowers a figure.
if ! skipped http; then
  progress "$(count "$small") entries: starting the server"
  start_flagapi "$lists/phone-$small/data" "$p_small"
  small_server=$server
  check_hit "http://127.0.0.1:$p_small" "$small"
  check_hit "http://127.0.0.1:$large_port" "$large"
  keys["http://127.0.0.1:$p_small"]=$(app_key "http://127.0.0.1:$p_small")
  keys["http://127.0.0.1:$large_port"]=$(app_key "http://127.0.0.1:$large_port")
  keys["http://127.0.0.1:$p_constant"]=${keys["http://127.0.0.1:$p_small"]}
  body_bytes=$(curl -fs -o /dev/null -w '%{size_download}' "http://127.0.0.1:$p_small/v1/lookup/phone?value=$(phone_query $(( small / 2 )))")
  progress "a lookup's body is $body_bytes bytes; the constant endpoint answers as many"

  (cd "$constant" && ASPNETCORE_ENVIRONMENT=Production exec dotnet ConstantServer.dll --urls "http://127.0.0.1:$p_constant" --body-bytes "$body_bytes") \
    >> "$work/constant-$p_constant.log" 2>&1 &
  constant_server=$!
  pids+=("$constant_server")
  wait_ready "http://127.0.0.1:$p_constant/v1/lookup/phone" "$constant_server" 60 "$work/constant-$p_constant.log"
  constant_bytes=$(curl -fs -o /dev/null -w '%{size_download}' "http://127.0.0.1:$p_constant/v1/lookup/phone?value=$(phone_query 1)")
  [ "$constant_bytes" = "$body_bytes" ] || { echo "the constant body is $constant_bytes bytes, not $body_bytes" >&2; exit 1; }

  load=(-t"$threads" -c"$connections")
  small_label="lookup-$(count "$small")" large_label="lookup-$(count "$large")"
  warm constant "$lua/lookup.lua" "$small" "http://127.0.0.1:$p_constant" "${load[@]}"
  warm "$small_label" "$lua/lookup.lua" "$small" "http://127.0.0.1:$p_small" "${load[@]}"
  warm "$large_label" "$lua/lookup.lua" "$large" "http://127.0.0.1:$large_port" "${load[@]}"
  constant_runs=() small_runs=() large_runs=()
  for round in $(seq 1 "$rounds"); do
    measure "constant-$round" "$duration" "$lua/lookup.lua" "$small" "http://127.0.0.1:$p_constant" "${load[@]}"
    constant_runs+=("$rps")
    measure "$small_label-$round" "$duration" "$lua/lookup.lua" "$small" "http://127.0.0.1:$p_small" "${load[@]}"
    small_runs+=("$rps")
    measure "$large_label-$round" "$duration" "$lua/lookup.lua" "$large" "http://127.0.0.1:$large_port" "${load[@]}"
    large_runs+=("$rps")
  done
  stop "$constant_server"
  stop "$small_server"
  constant_rps=$(best "${constant_runs[@]}") small_rps=$(best "${small_runs[@]}") large_rps=$(best "${large_runs[@]}")

  of_rounds() { [ "$rounds" -gt 1 ] && echo ", best of $rounds runs: $(for run; do group "$run"; done | paste -sd/ | sed 's|/| / |g')" || true; }
  row "constant JSON endpoint, $body_bytes-byte body (req/s$(of_rounds "${constant_runs[@]}"))" "$(group "$constant_rps")" "the floor of ASP.NET Core" "—"
  row "single lookup at $(count "$small") entries (req/s$(of_rounds "${small_runs[@]}"))" "$(group "$small_rps")" "—" "—"
  row "single lookup at $(count "$small") entries / constant endpoint" "$(ratio "$small_rps" "$constant_rps") %" "≥ 90 %" \
    "$(met at_least "$(ratio "$small_rps" "$constant_rps")" 90)"
  row "single lookup at $(count "$large") entries (req/s$(of_rounds "${large_runs[@]}"))" "$(group "$large_rps")" "—" "—"
  row "single lookup at $(count "$large") / at $(count "$small") entries" "$(ratio "$large_rps" "$small_rps") %" "≥ 90 %" \
    "$(met at_least "$(ratio "$large_rps" "$small_rps")" 90)"

  warm "batch-$(count "$large")" "$lua/batch.lua" "$large" "http://127.0.0.1:$large_port/v1/lookup" -t1 -c1
  measure "batch-$(count "$large")" "$batch_duration" "$lua/batch.lua" "$large" "http://127.0.0.1:$large_port/v1/lookup" -t1 -c1
  row "batch of 1,000 lookups at $(count "$large") entries over HTTP, one connection: median / p99 (ms)" "$p50_ms / $p99_ms" "< 5 (median)" "$(met below "$p50_ms" 5)"
fi

# --- the feed snapshot of the whole large list, streamed: its time and size, and the server's memory meanwhile ------
# The body is only counted (a 100 M-entry list is gigabytes of JSON); its end must name every entry. Memory is sampled
# every 0.2 s while it streams: a snapshot held in memory would raise it by roughly the body's size.
if ! skipped feed && [ -n "$large_server" ]; then
  feed_url="http://127.0.0.1:$large_port"
  [ -n "${keys[$feed_url]:-}" ] || keys[$feed_url]=$(app_key "$feed_url")
  feed_before=$(settled_rss_kb "$large_server")
  progress "feed snapshot of $(count "$large") entries: streaming it (VmRSS before: $(( feed_before / 1024 )) MB)"
  curl -fsS -H "X-Api-Key: ${keys[$feed_url]}" -w '%{stderr}%{size_download} %{time_total}\n' "$feed_url/v1/feed/snapshot" \
    2> "$work/feed-stats.txt" | tail -c 300 > "$work/feed-tail.txt" &
  feed_reader=$!
  feed_peak=$feed_before
  while kill -0 "$feed_reader" 2>/dev/null; do
    current=$(rss_kb "$large_server")
    [ "$current" -gt "$feed_peak" ] && feed_peak=$current
    sleep 0.2
  done
  wait "$feed_reader" || { echo "the feed snapshot failed: $(cat "$work/feed-stats.txt")" >&2; exit 1; }
  read -r feed_bytes feed_seconds < "$work/feed-stats.txt"
  if ! grep -q "\"count\":$large," "$work/feed-tail.txt"; then
    echo "the feed snapshot does not end with a count of $large: $(cat "$work/feed-tail.txt")" >&2
    exit 1
  fi
  feed_rise=$(( (feed_peak - feed_before) / 1024 ))
  progress "feed snapshot: $feed_bytes bytes in $feed_seconds s; VmRSS peaked $feed_rise MB above where it was"
  row "feed snapshot of all $(count "$large") entries, streamed as JSON (s; MB)" \
    "$(awk -v t="$feed_seconds" 'BEGIN { printf "%.1f", t }'); $(( feed_bytes / 1000000 ))" "—" "—"
  row "server memory while streaming it: highest VmRSS above the one before (MB)" "$feed_rise" "≤ 64, whatever the list's size" \
    "$(met at_least 64 "$feed_rise")"
fi

# --- the prefix feed of the whole large list: the time to build a full answer, and its bytes per million prefixes ---
# The first request finds no set yet: it hashes every key, sorts, and Rice codes the whole set (what a new list version
# costs). Its size is read three ways: the Rice data alone (what Safe Browsing's binary format carries), the JSON as
# sent without compression (base64 adds a third) and the JSON as sent with gzip, which every HTTP client asks for.
if ! skipped prefixes && [ -n "$large_server" ]; then
  prefix_url="http://127.0.0.1:$large_port"
  [ -n "${keys[$prefix_url]:-}" ] || keys[$prefix_url]=$(app_key "$prefix_url")
  prefix_before=$(settled_rss_kb "$large_server")
  progress "prefix feed of $(count "$large") entries: the first full answer"
  prefix_stats=$(curl -fsS -H "X-Api-Key: ${keys[$prefix_url]}" -o "$work/prefixes.json" -w '%{size_download} %{time_total}' "$prefix_url/v1/feed/prefixes")
  read -r prefix_bytes prefix_seconds <<< "$prefix_stats"
  prefix_gzip=$(curl -fsS -H "X-Api-Key: ${keys[$prefix_url]}" -H 'Accept-Encoding: gzip' -o /dev/null -w '%{size_download}' "$prefix_url/v1/feed/prefixes")
  prefix_rise=$(( ($(settled_rss_kb "$large_server") - prefix_before) / 1024 ))
  prefix_count=$(jq .count "$work/prefixes.json")
  prefix_rice=$(jq -r .additions.encodedData "$work/prefixes.json" | base64 -d | wc -c)
  rm -f "$work/prefixes.json"
  # Keys of different entries share a 4-byte prefix now and then (about n²/2³³ of them): the count is a little short.
  if [ "$prefix_count" -gt "$large" ] || [ "$prefix_count" -lt $(( large * 99 / 100 )) ]; then
    echo "the prefix feed holds $prefix_count prefixes for $large entries" >&2
    exit 1
  fi
  per_million() { awk -v b="$1" -v n="$prefix_count" 'BEGIN { printf "%.2f", b / n }'; }
  progress "prefix feed: $prefix_count prefixes, $prefix_bytes bytes ($prefix_gzip with gzip) in $prefix_seconds s"
  row "prefix feed of all $(count "$large") entries: the first full answer, built and coded (s)" \
    "$(awk -v t="$prefix_seconds" 'BEGIN { printf "%.1f", t }')" "—" "—"
  row "prefix feed, MB per million prefixes: Rice data / JSON as sent / JSON with gzip" \
    "$(per_million "$prefix_rice") / $(per_million "$prefix_bytes") / $(per_million "$prefix_gzip")" "≤ 2 (as a device downloads it, gzip)" \
    "$(met below "$(per_million "$prefix_gzip")" 2.0001)"
  row "server memory the prefix set and its answers hold (VmRSS above the one before, MB)" "$prefix_rise" "—" "—"
fi

[ -n "$large_server" ] && stop "$large_server"

# --- in-process operations (BenchmarkDotNet) ------------------------------------------------------------------------
if ! skipped bdn; then
  progress "BenchmarkDotNet: building and running benchmarks/FlagApi.Benchmarks (Release)"
  bdn_args=(--artifacts "$work/bdn")
  [ "$mode" = quick ] && bdn_args+=(--quick)
  rm -rf "$work/bdn"
  dotnet run -c Release --project "$bench/FlagApi.Benchmarks" --nologo -- "${bdn_args[@]}" > "$work/bdn.log" 2>&1 \
    || { tail -n 40 "$work/bdn.log" >&2; exit 1; }
  # The summary file the benchmarks write: one "name<TAB>nanoseconds<TAB>bytes allocated<TAB>class" line per benchmark.
  while IFS=$'\t' read -r name ns bytes class; do
    if [ "$class" = MiddlewareBenchmarks ]; then
      row "in front of a lookup: $name (ns; bytes allocated per request)" "$(awk -v t="$ns" 'BEGIN { printf "%.0f", t }') / $bytes" "—" "—"
    elif [[ "$name" == Batch* ]]; then
      ms=$(awk -v t="$ns" 'BEGIN { printf "%.2f", t / 1e6 }')
      row "$name, in process (ms)" "$ms" "< 5" "$(met below "$ms" 5)"
    else
      row "$name (ops/s)" "$(group "$(awk -v t="$ns" 'BEGIN { printf "%.0f", 1e9 / t }')")" "—" "—"
    fi
  done < "$work/bdn/summary.tsv"
  progress "BenchmarkDotNet: done (full report: $work/bdn/results)"
fi

# --- import -------------------------------------------------------------------------------------------------------
import_rate() { # SCRIPT LABEL
  local out seconds imported
  if [ ! -x "$bench/$1" ]; then
    row "import of $(count "$import_rows") rows on $2 (rows/s)" "not measured: benchmarks/$1 is missing" "—" "—"
    return
  fi
  # The default mode runs the scripts as they are (1,000,000 rows); the quick one asks for fewer rows.
  local args=()
  [ "$mode" = quick ] && args=("$import_rows")
  progress "import on $2: benchmarks/$1 ${args[*]}"
  if ! out=$("$bench/$1" "${args[@]}" 2>&1); then
    echo "$out" | tail -n 20 >&2
    row "import of $(count "$import_rows") rows on $2 (rows/s)" "failed (see above)" "—" "—"
    return
  fi
  echo "$out" | tail -n 3 | sed 's/^/    /'
  if line=$(grep -E '^import_seconds=' <<<"$out" | tail -n 1); then
    seconds=$(sed -E 's/.*import_seconds=([0-9.]+).*/\1/' <<<"$line")
    imported=$(sed -E 's/.*rows=([0-9]+).*/\1/' <<<"$line")
  else
    line=$(grep -E 'wall time' <<<"$out" | tail -n 1)
    seconds=$(sed -E 's/.*: ([0-9.]+) s for ([0-9]+) rows.*/\1/' <<<"$line")
    imported=$(sed -E 's/.*: ([0-9.]+) s for ([0-9]+) rows.*/\2/' <<<"$line")
  fi
  local target="—" verdict="—"
  if [ "$2" = SQLite ] && [ "$imported" = 1000000 ]; then target="< 20 s"; verdict=$(met below "$seconds" 20); fi
  row "import of $(count "$imported") rows on $2 (rows/s; $seconds s)" "$(group "$(awk -v n="$imported" -v s="$seconds" 'BEGIN { printf "%.0f", n / s }')")" "$target" "$verdict"
}

if ! skipped import; then
  import_rate import-1m.sh SQLite
  import_rate import-1m-postgres.sh PostgreSQL
fi

# --- the table ----------------------------------------------------------------------------------------------------
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
ram=$(awk '/^MemTotal/ { printf "%.1f GB", $2 / 1024 / 1024 }' /proc/meminfo)
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
{
  echo "# Benchmarks ($mode mode)"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit"
  echo "- machine: $(nproc) cores, ${cpu:-unknown CPU}, $ram RAM"
  load_at_end=$(cut -d' ' -f1-3 /proc/loadavg)
  busy=$(awk -v a="$load_at_start" -v b="$load_at_end" -v n="$(nproc)" 'BEGIN { if (a + 0 > n || b + 0 > n) print " (above " n ": something else wanted the cores too)" }')
  echo "- load average (1, 5, 15 min): $load_at_start at the start, $load_at_end at the end$busy"
  echo "- wrk: -t$threads -c$connections -d$duration after a $warmup warm-up (batches: -t1 -c1 -d$batch_duration), $rounds round(s), loopback, Release; servers on the shipped appsettings.json in Production (request lines for writes, refusals, slow and sampled reads; rate limits counting an app key's lookups, its budget raised so none is refused)"
  echo
  echo "| measure | figure | target | met? |"
  echo "|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
} > "$work/table.md"
mkdir -p "$bench/results"
results="$bench/results/latest.md"
[ "$mode" = huge ] && results="$bench/results/huge.md"
cp "$work/table.md" "$results"
echo
cat "$work/table.md"
echo
progress "written to ${results#"$root/"}"
