# Shared by the benchmark scripts: the tools they need, wrk from Debian's packages when run as root.
# Expects a `progress` function in the script that sources it.
require_tools() {
  if ! command -v wrk >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      progress "installing wrk (Debian package)"
      apt-get install -y wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
    else
      echo "wrk is missing: install it (sudo apt-get install wrk) and run again." >&2
      exit 1
    fi
  fi
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "$tool is missing." >&2; exit 1; }
  done
}
