#!/usr/bin/env bash
# make test: the suite on SQLite, then on PostgreSQL (DATABASE_URL, or the local server).
# then the blob and exchange tests again with blobs in S3-compatible object storage (moto's
# S3 server on loopback, started by the tests).
# Usage: scripts/test.sh [sqlite|pg|s3|all] [pytest args...]
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
which_db="${1:-all}"; shift || true
export PLAYWRIGHT_BROWSERS_PATH=0 VANBAN_QUEUE_IMMEDIATE=1
# Compiled modules and pytest's rewritten tests are kept in __pycache__ (git-ignored) even where the
# environment says not to write them: each xdist worker collected the suite in 15 s instead of 7,
# and each `vanban` process the tests start set Django up in 2.6 s instead of 1.2 (Makefile).
unset PYTHONDONTWRITEBYTECODE
status=0
# Property tests (Hypothesis) draw their examples from one printed seed: a failure in CI is
# replayed with VANBAN_TEST_SEED=<seed> make test (or pytest --hypothesis-seed=<seed>).
seed="${VANBAN_TEST_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}"
echo "=== Hypothesis seed $seed (replay: VANBAN_TEST_SEED=$seed)"
scratch=()
trap 'rm -rf "${scratch[@]+"${scratch[@]}"}"' EXIT  # the data directories of the runs (blobs of 10 000 packages add up)

new_data_dir() { dir=$(mktemp -d); scratch+=("$dir"); }  # sets $dir (no subshell: scratch must grow here)

# The migrated SQLite database the passes copy instead of migrating afresh (tests/migrated.py):
# one directory for the whole run, so the S3 pass copies what the SQLite pass migrated.
if [ -z "${VANBAN_TEST_TEMPLATE_DIR:-}" ]; then
  new_data_dir; export VANBAN_TEST_TEMPLATE_DIR="$dir"
fi

# The suite in VANBAN_TEST_WORKERS processes (pytest-xdist; default 2, one per CPU of the CI
# machine kind), whole files per process; then the few tests marked `exclusive` (they restart
# PostgreSQL under everyone's feet) alone. VANBAN_TEST_WORKERS=0 runs everything in one process.
# VANBAN_TEST_COVERAGE=1: branch coverage of vanban ([tool.coverage] in pyproject.toml) into
# .coverage, the exclusive pass appended to it. `make test` measures its SQLite pass this way
# and prints the total and the least covered files (VANBAN_TEST_COVERAGE=0 turns it off);
# `make coverage` measures the SQLite pass alone and writes the HTML report too.
# Does the run name files or directories (an argument that is a path, `tests/x.py::case` included)?
# An option's value (`-p no:randomly`, `-k name`) is not a file.
names_files() {
  local arg
  for arg in "$@"; do [[ "$arg" != -* && -e "${arg%%::*}" ]] && return 0; done
  return 1
}

run_pytest() {
  local workers="${VANBAN_TEST_WORKERS:-2}"
  set -- --hypothesis-seed="$seed" "$@"
  local cov=() cov_more=()
  if [ -n "${VANBAN_TEST_COVERAGE:-}" ]; then cov=(--cov --cov-report=); cov_more=(--cov --cov-append --cov-report=); fi
  if [ "$workers" = "0" ]; then "$BIN/pytest" --durations=15 "${cov[@]+"${cov[@]}"}" "$@"; return; fi
  local rc=0 steps="${TEST_STEPS:-both}"  # both | parallel | exclusive (the full run splits the PostgreSQL pass)
  if [ "$steps" != exclusive ]; then
    "$BIN/pytest" -n "$workers" --dist loadfile --durations=15 -m "not exclusive" "${cov[@]+"${cov[@]}"}" "$@" || rc=$?
  fi
  [ "$steps" = parallel ] && { [ "$rc" = 0 ]; return; }
  # The exclusive step collects only the files that mark a test `exclusive` (collecting the whole
  # suite to select one test cost 15-26 s, twice a run), unless the run names its own files.
  local rc2=0 exclusive_files=()
  if ! names_files "$@"; then
    mapfile -t exclusive_files < <(grep -rlE --include='test_*.py' 'mark\.exclusive' tests)
    if ((${#exclusive_files[@]} == 0)); then [ "$rc" = 0 ]; return; fi
  fi
  "$BIN/pytest" -m exclusive "${cov_more[@]+"${cov_more[@]}"}" "$@" "${exclusive_files[@]+"${exclusive_files[@]}"}" || rc2=$?
  [ "$rc2" = 5 ] && rc2=0  # nothing selected (e.g. a run limited to other files)
  [ "$rc" = 0 ] && [ "$rc2" = 0 ]
}

run_sqlite() {
  echo "=== vanban tests on SQLite${VANBAN_TEST_COVERAGE:+, with branch coverage of src/vanban}"
  local dir; new_data_dir
  (unset DATABASE_URL; export VANBAN_DATA_DIR="$dir"; run_pytest "$@") || status=1
}

report_coverage() {
  [ -f .coverage ] || return 0
  echo "=== coverage of src/vanban in the SQLite pass (branches counted; the HTML report: make coverage)"
  "$BIN/coverage" report --skip-covered --sort=cover 2>/dev/null | head -n 12
  echo "    … total: $("$BIN/coverage" report --format=total 2>/dev/null) %"
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
  # pytest-django creates and drops the throwaway database test_<name>; one per run. Its processes
  # copy test_<name>_migrated, made by the first of them (tests/migrated.py; dropped at the end).
  local name="vanban_test_$$"
  pg_ran=1
  echo "=== vanban tests on PostgreSQL (${url%%\?*} → throwaway database test_${name})"
  local dir; new_data_dir
  # In the full run the tests that touch no database (pure libraries: edxml, pki, core, text)
  # ran in the SQLite pass already and are left out here (VANBAN_TEST_DATABASE_ONLY, conftest).
  (export DATABASE_URL="$url" VANBAN_TEST_DB_NAME="test_${name}" VANBAN_DATA_DIR="$dir"
   [ "$which_db" = all ] && export VANBAN_TEST_DATABASE_ONLY="${VANBAN_TEST_DATABASE_ONLY:-1}"
   run_pytest --create-db "$@") || status=1
}

# Object storage (issue 23): the blob stores (office and hub) and the exchange end to end —
# through a live hub, fixity, the worker-kill test — with every blob in S3; the hub keeps no
# package in its database here (VANBAN_HUB_BODY_IN_DATABASE_KB=0), so each one goes to S3.
S3_TESTS=(tests/blobs tests/hub/test_exchange.py tests/hub/test_units.py tests/exchange/test_exchange_flow.py
          tests/exchange/test_statuses_first.py tests/exchange/test_worker_kill.py tests/records/test_fixity.py)
run_s3() {
  echo "=== blob and exchange tests with blobs in S3-compatible object storage (SQLite)"
  local dir; new_data_dir
  (unset DATABASE_URL; export VANBAN_DATA_DIR="$dir" VANBAN_TEST_BLOB_URL=s3 VANBAN_HUB_BODY_IN_DATABASE_KB=0
   # Files named: those, else the set above.
   if names_files "$@"; then run_pytest "$@"; else run_pytest "$@" "${S3_TESTS[@]}"; fi) || status=1
}

pg_ran=""
drop_pg_template() {  # what run_pg's processes copied their database from (tests/migrated.py)
  [ -n "$pg_ran" ] || return 0
  local url; url=$(pg_url) || return 0
  "$BIN/python" - "$url" "test_vanban_test_$$_migrated_%" <<'PY' || true
import sys, psycopg
from psycopg import sql
with psycopg.connect(sys.argv[1].replace("postgres://", "postgresql://", 1), autocommit=True) as db:
    for (name,) in db.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [sys.argv[2]]).fetchall():
        db.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
PY
}
# On every exit, an interrupted run's included; the scratch directories go too.
trap 'drop_pg_template; rm -rf "${scratch[@]+"${scratch[@]}"}"' EXIT

case "$which_db" in
  sqlite) run_sqlite "$@" ;;
  pg) run_pg "$@" ;;
  s3) run_s3 "$@" ;;
  *) # the whole suite: coverage measured in the SQLite pass only (it adds about a third to it)
     [ "${VANBAN_TEST_COVERAGE-1}" = 0 ] || { rm -f .coverage; VANBAN_TEST_COVERAGE=1 run_sqlite "$@"; report_coverage; }
     [ "${VANBAN_TEST_COVERAGE-1}" != 0 ] || VANBAN_TEST_COVERAGE= run_sqlite "$@"
     # PostgreSQL's exclusive tests (they restart the server) run beside the S3 pass, which uses
     # SQLite and no PostgreSQL: one test that mostly waits for a restart need not hold the machine
     # alone (~30 s idle, ~50 s on the CI machine). Its output follows the S3 pass's.
     VANBAN_TEST_COVERAGE= TEST_STEPS=parallel run_pg "$@"
     exclusive_log="$(mktemp)"; scratch+=("$exclusive_log")
     (scratch=(); trap 'rm -rf "${scratch[@]+"${scratch[@]}"}"' EXIT  # its own data directory only
      VANBAN_TEST_COVERAGE= TEST_STEPS=exclusive run_pg "$@"; exit $status) >"$exclusive_log" 2>&1 &
     exclusive_pid=$!
     VANBAN_TEST_COVERAGE= run_s3 "$@"
     wait "$exclusive_pid" || status=1
     echo "=== PostgreSQL: the exclusive tests (they ran beside the S3 pass)"
     cat "$exclusive_log" ;;
esac
exit $status
