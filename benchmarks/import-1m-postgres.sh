#!/usr/bin/env bash
# Times the import command on a generated list of 1,000,000 rows into a throwaway PostgreSQL
# database on 127.0.0.1 (see import-1m.sh --postgres). usage: benchmarks/import-1m-postgres.sh [ROWS]
# Last line: import_seconds=S rows=N
exec "$(dirname "$0")/import-1m.sh" --postgres "$@"
