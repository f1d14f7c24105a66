# shellcheck shell=bash
# Shared by the benchmark scripts: the tools they need (wrk from Debian's packages when run as root), the generated
# police list and the wait for a server to be ready. require_tools expects a `progress` function in the script that
# sources it.
require_tools() { # TOOL...; wrk, when asked for, is installed from Debian's packages if missing and run as root
  local tool
  for tool in "$@"; do
    if [ "$tool" = wrk ] && ! command -v wrk >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      progress "installing wrk (Debian package)"
      apt-get install -y wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
    fi
    command -v "$tool" >/dev/null || { echo "$tool is missing: install it (Debian: apt-get install $tool) and run again." >&2; exit 1; }
  done
}

# setting CONNECTION KEY: one key of an Npgsql connection string (keys are case-insensitive).
setting() {
  echo "$1" | tr ';' '\n' | awk -F= -v key="$2" 'tolower($1) == tolower(key) { sub(/^[^=]*=/, ""); print; exit }'
}

# require_local_postgres CONNECTION: the benchmarks talk to a PostgreSQL on this machine only.
require_local_postgres() {
  local host
  host=$(setting "$1" Host)
  if [ "${host:-127.0.0.1}" != "127.0.0.1" ] && [ "$host" != "localhost" ]; then
    echo "The benchmark only talks to a PostgreSQL on 127.0.0.1, not '$host'." >&2
    exit 2
  fi
}

# flag_list_csv ROWS: a police list of ROWS distinct rows in the import format on stdout (60% phone, 15% url, 10% domain,
# 10% app, 5% account), the list import-1m.sh imports and publish-100k.sh and durability.sh publish.
flag_list_csv() {
  awk -v n="$1" 'BEGIN {
    print "kind,value,category,risk,note";
    for (i = 0; i < n; i++) {
      r = i % 20;
      if (r < 12)      printf "phone,+86 1%d%09d,task_brushing,high,\n", 3 + (i % 7), i;
      else if (r < 15) printf "url,http://site%d.example/login/%d,fake_customer_service,medium,\n", i, i;
      else if (r < 17) printf "domain,d%d.example,gambling,high,\n", i;
      else if (r < 19) printf "app,应用%d,remote_control_app,high,\n", i;
      else             printf "account,qq:%d,investment_romance,medium,\n", 100000 + i;
    }
  }'
}

# wait_ready URL PID TIMEOUT_SECONDS [LOG]: until URL answers 2xx; fails when the process PID exits first or the time is
# up, naming LOG (where the server writes) if given.
wait_ready() {
  local deadline=$(( $(date +%s) + $3 )) see=${4:+"; see $4"}
  until curl -fs -o /dev/null "$1"; do
    if ! kill -0 "$2" 2>/dev/null; then
      echo "the server (pid $2) exited before it was ready$see" >&2
      exit 1
    fi
    if [ "$(date +%s)" -gt "$deadline" ]; then
      echo "the server (pid $2) was not ready within $3 s$see" >&2
      exit 1
    fi
    sleep 0.05
  done
}
