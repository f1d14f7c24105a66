#!/usr/bin/env bash
# Publishes a generated list of 100,000 rows through POST /v1/batches (CSV, then the same list as
# JSON under another reference) to a server on 127.0.0.1, and prints the time of each upload and
# the server's memory before and after (VmRSS, and VmHWM: the peak resident size).
# usage: benchmarks/publish-100k.sh [ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=benchmarks/tools.sh
. benchmarks/tools.sh
rows=${1:-100000}
port=${PORT:-5097}
work=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
[ -z "${KEEP:-}" ] || trap "kill \$server 2>/dev/null" EXIT

flag_list_csv "$rows" > "$work/list.csv"
awk -F, 'NR > 1 { printf "%s{\"kind\":\"%s\",\"value\":\"%s\",\"category\":\"%s\",\"risk\":\"%s\"}", (NR > 2 ? "," : "{\"entries\":["), $1, $2, $3, $4 } END { print "]}" }' "$work/list.csv" > "$work/list.json"
ls -lh "$work/list.csv" "$work/list.json" | awk '{print "body: " $9 " " $5}'

dotnet publish src/FlagApi -c Release -o "$work/app" --nologo -v quiet >/dev/null
# From the app's folder, so that its appsettings.json (the rate-limit tiers among them) is the configuration.
cd "$work/app"
export ASPNETCORE_ENVIRONMENT=Production Database__DataDirectory="$work/data" RateLimiting__Enabled=false
key=$(dotnet "$work/app/FlagApi.dll" keys create --role publisher --agency "Benchmark PSB" --name benchmark | tail -n 1)
dotnet "$work/app/FlagApi.dll" --urls "http://127.0.0.1:$port" > "$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.5; done

memory() { awk '/VmRSS|VmHWM/ { printf "%s %d MB  ", $1, $2 / 1024 } END { print "" }' "/proc/$server/status"; }
echo "server before:  $(memory)"
for format in csv json; do
  type=$([ "$format" = csv ] && echo text/csv || echo application/json)
  curl -s -o "$work/answer.json" -w "$format upload: HTTP %{http_code} in %{time_total} s\n" \
    -X POST "http://127.0.0.1:$port/v1/batches?reference=bench-$format" \
    -H "X-Api-Key: $key" -H "Content-Type: $type" --data-binary "@$work/list.$format"
  head -c 300 "$work/answer.json"; echo
  echo "server after $format: $(memory)"
done
