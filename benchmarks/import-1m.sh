#!/usr/bin/env bash
# Times the import command on a generated list of 1,000,000 rows into a fresh SQLite database.
# usage: benchmarks/import-1m.sh [ROWS]   (prints the import's own summary and the wall time)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
work=$(mktemp -d)
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT

echo "generating $rows rows (60% phone, 15% url, 10% domain, 10% app, 5% account) in $work/list.csv"
awk -v n="$rows" 'BEGIN {
  print "kind,value,category,risk,note";
  for (i = 0; i < n; i++) {
    r = i % 20;
    if (r < 12)      printf "phone,+86 1%d%09d,task_brushing,high,\n", 3 + (i % 7), i;
    else if (r < 15) printf "url,http://site%d.example/login/%d,fake_customer_service,medium,\n", i, i;
    else if (r < 17) printf "domain,d%d.example,gambling,high,\n", i;
    else if (r < 19) printf "app,应用%d,remote_control_app,high,\n", i;
    else             printf "account,qq:%d,investment_romance,medium,\n", 100000 + i;
  }
}' > "$work/list.csv"
ls -lh "$work/list.csv" | awk '{print "file size: " $5}'

dotnet publish src/FlagApi -c Release -o "$work/app" --nologo -v quiet >/dev/null
cd "$work"
start=$(date +%s.%N)
ASPNETCORE_ENVIRONMENT=Production Database__DataDirectory="$work/data" dotnet app/FlagApi.dll import list.csv --agency "Benchmark" --reference "1m"
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" -v n="$rows" 'BEGIN { printf "wall time including process start: %.1f s for %d rows\n", e - s, n }'
ls -lh "$work/data/flagapi.db" | awk '{print "database size: " $5}'
