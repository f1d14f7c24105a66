#!/usr/bin/env bash
# What SQLite's synchronous = FULL (the default: each commit synced before it is acknowledged) costs the writes against
# NORMAL (synced only at checkpoints), Database:SqliteSynchronous. For each setting, in alternating rounds:
#   1. the import of 1,000,000 rows into a fresh database (benchmarks/import-1m.sh, its own figure);
#   2. a list of 100,000 rows published through POST /v1/batches as CSV (curl's time of the upload and its answer);
#   3. small writes: anonymous community reports (POST /v1/reports, each of a new number: one insert, one transaction)
#      sent by wrk (-t2 -c8 after a 3 s warm-up) for BENCH_SECONDS: requests/s and p99 latency. An answer that is not
#      2xx, or a socket error, fails the script.
# Each figure is the best of its rounds (other load only ever worsens one); the order of the two settings swaps every
# round. Prints a markdown table and writes it to benchmarks/results/durability.md.
#
# usage: benchmarks/durability.sh
# environment: ROUNDS (rounds per setting, default 2), BENCH_SECONDS (the wrk run, default 10), BENCH_PORT (default 5480),
#              BENCH_TMP (where the temporary directory goes, default $TMPDIR or /tmp: it must be a disk, not tmpfs, where
#              a sync costs nothing), KEEP (set: keep the temporary directory, its logs and databases)
# Every server is the Release build from one `dotnet publish` folder, with the shipped appsettings.json, in Production,
# on 127.0.0.1 only, with its own fresh data directory; rate limiting is off (RateLimiting__Enabled=false) so that the
# limiter refuses none of the reports.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
rounds=${ROUNDS:-2}
seconds=${BENCH_SECONDS:-10}
port=${BENCH_PORT:-5480}
list_rows=100000
base="http://127.0.0.1:$port"
for number in "$rounds" "$seconds" "$port"; do
  [[ "$number" =~ ^[1-9][0-9]*$ ]] || { echo "ROUNDS, BENCH_SECONDS and BENCH_PORT take whole numbers, not '$number'" >&2; exit 2; }
done

progress() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
# shellcheck source=benchmarks/tools.sh
. benchmarks/tools.sh
require_tools curl awk dotnet wrk

parent=${BENCH_TMP:-${TMPDIR:-/tmp}}
work=$(mktemp -d "$parent/flagapi-durability.XXXXXX")
server=
cleanup() {
  local status=$?
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [ -n "${KEEP:-}" ] || [ "$status" != 0 ]; then echo "kept $work (logs, wrk output, databases)" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

filesystem=$(df -T "$work" | awk 'NR == 2 { print $2 " (" $1 ", mounted on " $7 ")" }')
if [[ "$filesystem" == tmpfs* ]]; then
  echo "$work is on tmpfs, where a sync costs nothing: set BENCH_TMP to a folder on disk" >&2
  exit 2
fi
if curl -s -o /dev/null --max-time 2 "$base/"; then
  echo "something already answers on $base: set BENCH_PORT to a free port" >&2
  exit 2
fi
load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
# What is measured: the commit, and whether the build carries changes not committed (taken now, before the publish).
commit=$(git rev-parse --short HEAD)
git diff --quiet HEAD -- src benchmarks ':!benchmarks/results' 2>/dev/null || commit="$commit (with uncommitted changes)"
started_at=$(date -u '+%Y-%m-%d %H:%M UTC')

app="$work/app"
progress "publishing FlagApi (Release) to $app"
dotnet publish src/FlagApi -c Release -o "$app" --nologo -v quiet >/dev/null
flag_list_csv "$list_rows" > "$work/list.csv"

# start_server SETTING DATA: the published app from its own folder (its appsettings.json), until /health/ready answers.
start_server() {
  local setting=$1 data=$2
  (cd "$app" && ASPNETCORE_ENVIRONMENT=Production Database__DataDirectory="$data" Database__SqliteSynchronous="$setting" \
    RateLimiting__Enabled=false exec dotnet FlagApi.dll --urls "$base") >> "$work/server-$setting.log" 2>&1 &
  server=$!
  wait_ready "$base/health/ready" "$server" 120 "$work/server-$setting.log"
}

stop_server() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  server=
}

# reports SETTING ROUND PREFIX DURATION: one wrk run of reports; prints its line (see durability.lua); fails on any
# answer that is not 2xx and on socket errors.
reports() {
  local out="$work/wrk-$1-$2-$3.txt" line
  BENCH_PREFIX=$3 wrk -t2 -c8 -d"$4" --timeout 10s -s benchmarks/durability.lua "$base" > "$out"
  line=$(grep '^requests=' "$out") || { cat "$out" >&2; echo "wrk printed no result" >&2; exit 1; }
  if ! [[ "$line" == *" non2xx=0 socket_errors=0" ]]; then
    echo "$1 round $2: not every report was accepted: $line" >&2
    exit 1
  fi
  echo "$line"
}

field() { # LINE NAME: the value of NAME=value in a line of such pairs
  tr ' ' '\n' <<<"$1" | awk -F= -v name="$2" '$1 == name { print $2; exit }'
}

declare -A import_s batch_s rps p99
results="$work/rounds.txt"
for round in $(seq 1 "$rounds"); do
  order="Normal Full"
  [ $((round % 2)) = 0 ] && order="Full Normal"
  for setting in $order; do
    progress "round $round, $setting: importing 1,000,000 rows"
    TMPDIR="$work" BENCH_APP="$app" Database__SqliteSynchronous="$setting" benchmarks/import-1m.sh > "$work/import-$setting-$round.txt"
    seconds_import=$(tail -n 1 "$work/import-$setting-$round.txt" | sed -nE 's/^import_seconds=([0-9.]+) rows=1000000$/\1/p')
    [ -n "$seconds_import" ] || { cat "$work/import-$setting-$round.txt" >&2; echo "the import printed no figure" >&2; exit 1; }

    data="$work/data-$setting-$round"
    progress "round $round, $setting: the server on $base, a list of $list_rows rows through POST /v1/batches"
    key=$(cd "$app" && ASPNETCORE_ENVIRONMENT=Production Database__DataDirectory="$data" Database__SqliteSynchronous="$setting" \
      dotnet FlagApi.dll keys create --role publisher --agency "Benchmark PSB" --name durability | tail -n 1)
    start_server "$setting" "$data"
    answer=$(curl -s -o "$work/batch-$setting-$round.json" -w '%{http_code} %{time_total}' \
      -X POST "$base/v1/batches?reference=durability-$round" \
      -H "X-Api-Key: $key" -H "Content-Type: text/csv" --data-binary "@$work/list.csv")
    [[ "$answer" == 2* ]] || { echo "the list was refused: HTTP $answer $(head -c 300 "$work/batch-$setting-$round.json")" >&2; exit 1; }
    seconds_batch=${answer#* }

    progress "round $round, $setting: reports, wrk -t2 -c8 for ${seconds}s after a 3 s warm-up"
    reports "$setting" "$round" 5 3s > /dev/null
    line=$(reports "$setting" "$round" 8 "${seconds}s")
    stop_server
    [ -n "${KEEP:-}" ] || rm -rf "$data"

    echo "round=$round setting=$setting import_seconds=$seconds_import batch_seconds=$seconds_batch $line" | tee -a "$results" >&2
    import_s[$setting]=$(awk -v a="${import_s[$setting]:-}" -v b="$seconds_import" 'BEGIN { print (a == "" || b < a) ? b : a }')
    batch_s[$setting]=$(awk -v a="${batch_s[$setting]:-}" -v b="$seconds_batch" 'BEGIN { print (a == "" || b < a) ? b : a }')
    rps[$setting]=$(awk -v a="${rps[$setting]:-}" -v b="$(field "$line" requests_per_second)" 'BEGIN { print (a == "" || b > a) ? b : a }')
    p99[$setting]=$(awk -v a="${p99[$setting]:-}" -v b="$(field "$line" p99_ms)" 'BEGIN { print (a == "" || b < a) ? b : a }')
  done
done
load_at_end=$(cut -d' ' -f1-3 /proc/loadavg)

row() { # MEASURE NORMAL FULL FORMAT
  awk -v m="$1" -v n="$2" -v f="$3" -v fmt="$4" 'BEGIN { printf "| %s | " fmt " | " fmt " | %.2f |\n", m, n, f, f / n }'
}
{
  echo "# SQLite synchronous: FULL against NORMAL"
  echo
  echo "\`benchmarks/durability.sh\`, $started_at, commit $commit, $rounds round(s) per setting (order swapped each round), best of the rounds."
  echo "Machine: $(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(awk '/^MemTotal/ { printf "%.1f GB RAM", $2 / 1048576 }' /proc/meminfo)."
  echo "Temporary directory (databases): $filesystem. Load average (1, 5, 15 min): $load_at_start at the start, $load_at_end at the end."
  echo
  echo "| measure | Normal | Full | Full / Normal |"
  echo "|---|---|---|---|"
  row "import of 1M rows, \`FlagApi import\` (s)" "${import_s[Normal]}" "${import_s[Full]}" "%.1f"
  row "list of 100k rows through \`POST /v1/batches\`, CSV upload (s)" "${batch_s[Normal]}" "${batch_s[Full]}" "%.2f"
  row "reports, \`POST /v1/reports\`, wrk -t2 -c8 ${seconds} s (requests/s)" "${rps[Normal]}" "${rps[Full]}" "%.0f"
  row "reports, p99 latency (ms)" "${p99[Normal]}" "${p99[Full]}" "%.2f"
  echo
  echo "Rounds:"
  echo
  echo '```'
  cat "$results"
  echo '```'
} > "$work/durability.md"
mkdir -p benchmarks/results
cp "$work/durability.md" benchmarks/results/durability.md
cat "$work/durability.md"
