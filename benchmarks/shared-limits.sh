#!/usr/bin/env bash
# What counting rate limits in Redis costs a lookup: one published Release build started twice on loopback, one
# instance counting its budgets in memory (the default) and one counting them in a redis-server this script starts,
# loaded in turn by wrk with the same single lookup, in alternating rounds.
# usage: benchmarks/shared-limits.sh [ROUNDS] [SECONDS]   (default 3 rounds of 8 s per instance)
# Needs wrk and redis-server (Debian: apt-get install wrk redis-server). Both instances are anonymous callers' only
# service, with the anonymous lookup budget raised so that no request is refused: every request spends one permit.
# Prints one line per round and instance, then: ratio_redis_to_local=R (the sum of Redis rounds over local rounds).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
seconds=${2:-8}
work=$(mktemp -d)
pids=()

progress() { echo "[$(date +%T)] $*" >&2; }
# shellcheck source=benchmarks/tools.sh
. benchmarks/tools.sh
require_tools redis-server curl wrk

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

progress "publishing FlagApi (Release) to $work/app"
dotnet publish src/FlagApi -c Release -o "$work/app" --nologo -v quiet >/dev/null

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" > "$work/redis-server.log" 2>&1 &
pids+=($!)

# start NAME [REDIS]: an instance with its own SQLite database, production settings, no request line per lookup.
declare -A port
start() {
  local name=$1 redis=${2:-} p
  p=$(free_port)
  mkdir -p "$work/$name"
  (cd "$work/app" && ASPNETCORE_ENVIRONMENT=Production Database__DataDirectory="$work/$name" \
    Logging__LogLevel__Default=Warning ConnectionStrings__Redis="$redis" \
    RateLimiting__Tiers__anonymous__Lookup__PermitLimit=1000000000 RateLimiting__Tiers__anonymous__Lookup__Window=00:01:00 \
    exec dotnet FlagApi.dll --urls "http://127.0.0.1:$p") > "$work/$name.log" 2>&1 &
  pids+=($!)
  wait_ready "http://127.0.0.1:$p/health/ready" $! 120 "$work/$name.log"
  port[$name]=$p
}

start local
start redis "127.0.0.1:$redis_port"
path="/v1/lookup/phone?value=13800138000"
for name in local redis; do
  curl -fsS -D - -o /dev/null "http://127.0.0.1:${port[$name]}$path" | grep -i '^ratelimit:' | sed "s/^/$name: /" >&2
done

declare -A total=([local]=0 [redis]=0)
for round in $(seq 1 "$rounds"); do
  for name in local redis; do
    out=$(wrk -t2 -c64 -d"${seconds}s" --latency "http://127.0.0.1:${port[$name]}$path")
    rps=$(echo "$out" | awk '/^Requests\/sec/ { printf "%d", $2 }')
    p50=$(echo "$out" | awk '$1 == "50%" { print $2 }')
    p99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
    non2xx=$(echo "$out" | awk '/Non-2xx/ { print $NF }')
    echo "round=$round instance=$name requests_per_second=$rps p50=$p50 p99=$p99 non2xx=${non2xx:-0}"
    total[$name]=$(( total[$name] + rps ))
  done
done
# The instance logs one warning when it stops asking Redis: a round with one measured the local path, not Redis.
fallbacks=$(grep -c "Rate limits: Redis" "$work/redis.log" || true)
echo "ratio_redis_to_local=$(awk -v r="${total[redis]}" -v l="${total[local]}" 'BEGIN { printf "%.2f", r / l }') redis_fallback_warnings=$fallbacks"
