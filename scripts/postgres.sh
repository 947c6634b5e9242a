#!/usr/bin/env bash
# scripts/postgres.sh — PostgreSQL for tests and local runs, from Debian's packages.
#
#   scripts/postgres.sh install   install the server (apt-get, as root) when it is missing
#   scripts/postgres.sh bindir    print the directory of initdb and postgres
#
# Tests start their own throw-away clusters with these binaries (internal/pgtest); set
# MLEXP_TEST_POSTGRES_URL to use an existing server instead.
set -euo pipefail

die() { echo "postgres.sh: $*" >&2; exit 1; }

bindir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    if [ -x "$d/postgres" ] && [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
  done
  if command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/postgres" ]; then pg_config --bindir; return 0; fi
  return 1
}

case "${1:-}" in
  install)
    bindir >/dev/null && exit 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "postgres.sh: installing PostgreSQL from Debian's packages" >&2
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
      bindir >/dev/null || die "PostgreSQL was installed but its binaries were not found"
    else
      die "PostgreSQL is not installed: run 'sudo apt-get install postgresql' (or set MLEXP_TEST_POSTGRES_URL to a server of yours)"
    fi
    ;;
  bindir) bindir || die "PostgreSQL is not installed: run 'scripts/postgres.sh install'" ;;
  *) sed -n '2,9p' "$0" >&2; exit 2 ;;
esac
