#!/usr/bin/env bash
# The mixed-load benchmark: the Release build of the service on 127.0.0.1 over a fresh SQLite database (or PostgreSQL),
# a published list of flagged phone numbers and domains, and wrk driving single and batch lookups, hash-prefix lookups,
# community reports and appeals (benchmarks/load/mixed.lua) with an app key. Prints requests/s by kind, latency
# percentiles, the status histogram, the server's resident memory before and after, and what the database holds.
#
# usage: benchmarks/load/run.sh [DURATION]      (default 30s; wrk's syntax: 30s, 2m)
# environment: BENCH_WORK (default benchmarks/.work), BENCH_PORT (default 5480), BENCH_THREADS (2), BENCH_CONNECTIONS (64),
#              BENCH_POSTGRES (a connection string: run on that PostgreSQL database instead of SQLite; it must be empty)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/benchmarks/load"
duration=${1:-30s}
work=${BENCH_WORK:-$root/benchmarks/.work}
port=${BENCH_PORT:-5480}
threads=${BENCH_THREADS:-2}
connections=${BENCH_CONNECTIONS:-64}
flagged=4000 domains=200
base="http://127.0.0.1:$port"

progress() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }

# shellcheck source=benchmarks/tools.sh
. "$root/benchmarks/tools.sh"
require_tools curl awk dotnet wrk

mkdir -p "$work"
work=$(cd "$work" && pwd)
app="$work/load-app" data="$work/load-data"
progress "publishing FlagApi (Release) to $app"
rm -rf "$app" "$data"
mkdir -p "$data"
dotnet publish "$root/src/FlagApi" -c Release -o "$app" --nologo -v quiet >/dev/null

admin=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
settings=(
  ASPNETCORE_ENVIRONMENT=Production
  ASPNETCORE_URLS="$base"
  Database__DataDirectory="$data"
  Database__MigrateOnStart=true
  Bootstrap__AdminKey="$admin"
  Reports__HashKey="$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  Logging__LogLevel__Default=Warning
)
# The app tier's budgets out of the way: this measures the service, not the limiter.
for budget in Lookup Write Appeal Report; do
  settings+=("RateLimiting__Tiers__app__${budget}__PermitLimit=100000000" "RateLimiting__Tiers__app__${budget}__Window=00:01:00")
done
if [ -n "${BENCH_POSTGRES:-}" ]; then
  settings+=(Database__Provider=Postgres ConnectionStrings__FlagApi="$BENCH_POSTGRES")
fi

progress "starting the service on $base"
(cd "$app" && exec env "${settings[@]}" dotnet FlagApi.dll) > "$work/load-service.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
  curl -fs -o /dev/null "$base/health/ready" && break
  kill -0 "$server" 2>/dev/null || { cat "$work/load-service.log" >&2; exit 1; }
  sleep 0.1
done
curl -fs -o /dev/null "$base/health/ready" || { echo "the service was not ready in 60 s" >&2; cat "$work/load-service.log" >&2; exit 1; }

key() { # ROLE AGENCY: a new key's secret
  curl -fs -H "X-Api-Key: $admin" -H 'Content-Type: application/json' \
    -d "{\"name\":\"load $1\",\"role\":\"$1\",\"agency\":$2}" "$base/v1/keys" | sed -E 's/.*"key":"([^"]+)".*/\1/'
}
app_key=$(key app null)
publisher_key=$(key publisher '"Benchmark police"')

progress "publishing a list of $flagged phone numbers and $domains domains"
awk -v phones="$flagged" -v domains="$domains" 'BEGIN {
  printf "{\"reference\":\"load-1\",\"title\":\"Load benchmark\",\"entries\":[";
  for (i = 0; i < phones; i++) printf "%s{\"kind\":\"phone\",\"value\":\"139%08d\",\"category\":\"fake_customer_service\",\"risk\":\"high\"}", (i ? "," : ""), i;
  for (i = 0; i < domains; i++) printf ",{\"kind\":\"domain\",\"value\":\"load-%d.example.com\",\"category\":\"investment_romance\",\"risk\":\"medium\"}", i;
  print "]}" }' > "$work/load-list.json"
curl -fs -o /dev/null -H "X-Api-Key: $publisher_key" -H 'Content-Type: application/json' --data-binary @"$work/load-list.json" "$base/v1/batches"
last=$(printf '139%08d' $((flagged - 1)))
for _ in $(seq 1 100); do
  curl -fs -H "X-Api-Key: $app_key" "$base/v1/lookup/phone?value=$last" | grep -q '"verdict":"flagged"' && break
  sleep 0.1
done

rss() { awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$server/status"; }
cpu() { awk '{ print $14 + $15 }' "/proc/$server/stat"; }
wrk_run() { # DURATION RUN
  BENCH_RUN=$2 BENCH_KEY=$app_key BENCH_FLAGGED=$flagged BENCH_DOMAINS=$domains \
    wrk -t"$threads" -c"$connections" -d"$1" --timeout 30s -s "$here/mixed.lua" "$base"
}

progress "warm-up 5s (not counted)"
wrk_run 5s warm > /dev/null
db_figures() { # reports, the reports they count, appeals
  if [ -z "${BENCH_POSTGRES:-}" ] && command -v sqlite3 >/dev/null; then
    sqlite3 -separator ' ' "$data/flagapi.db" 'SELECT (SELECT COUNT(*) FROM reports), (SELECT COALESCE(SUM(times), 0) FROM reports), (SELECT COUNT(*) FROM appeals)'
  fi
}
db_before=$(db_figures)
rss_before=$(rss) cpu_before=$(cpu) load_before=$(cut -d' ' -f1-3 /proc/loadavg)
progress "measuring: wrk -t$threads -c$connections -d$duration"
wrk_run "$duration" "run-$(date +%s)" | tee "$work/load-wrk.txt" | sed -n '/^mixed:/,$p'
rss_after=$(rss) cpu_after=$(cpu) load_after=$(cut -d' ' -f1-3 /proc/loadavg)

seconds=$(awk '/^mixed:/ { print $5 }' "$work/load-wrk.txt")
echo "  service: VmRSS $rss_before MB after the warm-up, $rss_after MB at the end; used $(awk -v c=$((cpu_after - cpu_before)) -v s="$seconds" 'BEGIN { printf "%.2f", c / 100 / s }') cores"
echo "  machine: $(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo); load average $load_before before, $load_after after"
if [ -n "$db_before" ]; then
  read -r rows_before reports_before appeals_before <<<"$db_before"
  read -r rows_after reports_after appeals_after <<<"$(db_figures)"
  echo "  database during the run: +$((reports_after - reports_before)) reports (+$((rows_after - rows_before)) rows; a reporter's repeat counts on its row), +$((appeals_after - appeals_before)) appeals;" \
    "compare with the 202s and 201s above"
fi
if grep -qE ' 5[0-9][0-9]×' "$work/load-wrk.txt"; then
  echo "some requests failed with 5xx; see $work/load-service.log" >&2
  exit 1
fi
