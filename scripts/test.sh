#!/usr/bin/env bash
# make test: the suite on SQLite, then on PostgreSQL (DATABASE_URL, or the local server).
# Usage: scripts/test.sh [sqlite|pg|all] [pytest args...]
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
which_db="${1:-all}"; shift || true
export PLAYWRIGHT_BROWSERS_PATH=0 VANBAN_QUEUE_IMMEDIATE=1
status=0

run_sqlite() {
  echo "=== vanban tests on SQLite"
  env -u DATABASE_URL VANBAN_DATA_DIR="$(mktemp -d)" "$BIN/pytest" "$@" || status=1
}

pg_url() {
  if [ -n "${DATABASE_URL:-}" ]; then echo "$DATABASE_URL"; return 0; fi
  for url in "postgres://postgres@127.0.0.1:5432/postgres" "postgres:///postgres"; do
    if "$BIN/python" - "$url" <<'PY' 2>/dev/null; then echo "$url"; return 0; fi
import sys, psycopg
psycopg.connect(sys.argv[1].replace("postgres://", "postgresql://", 1), connect_timeout=3).close()
PY
  done
  return 1
}

run_pg() {
  local url
  if ! url=$(pg_url); then
    echo "=== PostgreSQL not reachable (no DATABASE_URL, nothing on 127.0.0.1:5432): skipped"
    return 0
  fi
  # pytest-django creates and drops the throwaway database test_<name>; one per run.
  local name="vanban_test_$$"
  echo "=== vanban tests on PostgreSQL (${url%%\?*} → throwaway database test_${name})"
  DATABASE_URL="$url" VANBAN_TEST_DB_NAME="test_${name}" VANBAN_DATA_DIR="$(mktemp -d)" \
    "$BIN/pytest" --create-db "$@" || status=1
}

case "$which_db" in
  sqlite) run_sqlite "$@" ;;
  pg) run_pg "$@" ;;
  *) run_sqlite "$@"; run_pg "$@" ;;
esac
exit $status
