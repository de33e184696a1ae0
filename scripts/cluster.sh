#!/usr/bin/env bash
# `make cluster`: the demo province on several nodes of one machine, as a province would run it
# on several machines (docs/deployment.md, "Several nodes"):
#   nginx front on $HOST:$PORT  →  2 × `vanban serve` (web1, web2)
#   3 × `vanban worker` (worker1..3)
# every node with its own data directory under var/cluster/, all sharing one PostgreSQL
# database, one Redis queue and one S3 bucket (moto's S3 server here unless VANBAN_BLOB_URL is
# set), and one SECRET_KEY and KEK. Ctrl+C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
ROOT="$PWD/var/cluster"
mkdir -p "$ROOT"

die() { echo "make cluster: $*" >&2; exit 1; }
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || die "cần nginx (apt-get install nginx-light)"
export PATH="$PATH:/usr/sbin"

# PostgreSQL: DATABASE_URL, else a database of its own on the local server.
if [ -z "${DATABASE_URL:-}" ]; then
  DATABASE_URL=$("$BIN/python" - <<'PY'
import psycopg
for admin in ("postgresql://postgres@127.0.0.1:5432/postgres", "postgresql:///postgres"):
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = 'vanban_cluster'").fetchone():
                conn.execute('CREATE DATABASE "vanban_cluster"')
        print(admin.rsplit("/", 1)[0].replace("postgresql", "postgres", 1) + "/vanban_cluster")
        break
    except psycopg.OperationalError:
        continue
PY
) || true
  [ -n "$DATABASE_URL" ] || die "không kết nối được PostgreSQL (đặt DATABASE_URL)"
fi
export DATABASE_URL

# Redis: the queue every worker takes jobs from.
export VANBAN_QUEUE_URL=${VANBAN_CLUSTER_REDIS_URL:-redis://127.0.0.1:6379/12}
"$BIN/python" -c "import redis, sys; redis.Redis.from_url(sys.argv[1], socket_connect_timeout=2).ping()" \
  "$VANBAN_QUEUE_URL" 2>/dev/null || die "không kết nối được Redis tại $VANBAN_QUEUE_URL"

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do pkill -TERM -P "$pid" 2>/dev/null || true; done  # gunicorn's and Huey's own
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  echo "  Đã dừng cụm vanban."
}
trap stop INT TERM EXIT

# S3: the operator's bucket, or moto's server on loopback for this demo.
if [ -z "${VANBAN_BLOB_URL:-}" ]; then
  s3_port=${S3_PORT:-9100}
  export AWS_ACCESS_KEY_ID=cluster AWS_SECRET_ACCESS_KEY=cluster AWS_DEFAULT_REGION=us-east-1
  "$BIN/moto_server" -H 127.0.0.1 -p "$s3_port" >"$ROOT/s3.log" 2>&1 & pids+=($!)
  export VANBAN_S3_ENDPOINT_URL="http://127.0.0.1:$s3_port" VANBAN_BLOB_URL="s3://vanban-cluster/demo"
  for _ in $(seq 50); do
    "$BIN/python" -c "
import sys
from vanban.blobs.s3 import make_client
c = make_client(sys.argv[1])
names = [b['Name'] for b in c.list_buckets().get('Buckets', [])]
'vanban-cluster' in names or c.create_bucket(Bucket='vanban-cluster')" "$VANBAN_S3_ENDPOINT_URL" 2>/dev/null && break
    sleep 0.2
  done
fi

# One SECRET_KEY for every node (sessions made by web1 are read by web2), kept like the data dir's own.
[ -s "$ROOT/secret_key" ] || (umask 077; "$BIN/python" -c "import secrets; print(secrets.token_urlsafe(50))" >"$ROOT/secret_key")
SECRET_KEY=$(cat "$ROOT/secret_key")
export SECRET_KEY VANBAN_TRUSTED_PROXIES=127.0.0.1 VANBAN_PUBLIC_URL="http://$HOST:$PORT"

VANBAN_DATA_DIR="$ROOT/web1" "$BIN/vanban" migrate --no-input -v0
VANBAN_DATA_DIR="$ROOT/web1" "$BIN/vanban" demo load --hub-url "http://$HOST:$PORT/hub/api/v1"

# Each node started directly (not through a shell function), so $! is the node's own process.
for n in 1 2; do
  VANBAN_DATA_DIR="$ROOT/web$n" "$BIN/vanban" serve --bind "127.0.0.1:$((PORT + 100 + n))" --graceful-timeout 5 \
    >"$ROOT/web$n.log" 2>&1 & pids+=($!)
done
for n in 1 2 3; do
  VANBAN_DATA_DIR="$ROOT/worker$n" "$BIN/vanban" worker >"$ROOT/worker$n.log" 2>&1 & pids+=($!)
done
"$BIN/vanban" proxy "$ROOT/nginx" --listen "$HOST:$PORT" --upstream "127.0.0.1:$((PORT + 101)),127.0.0.1:$((PORT + 102))" >/dev/null
nginx -p "$ROOT/nginx" -c "$ROOT/nginx/nginx.conf" -e "$ROOT/nginx/error.log" -g 'daemon off;' & pids+=($!)

echo ""
echo "  Cụm vanban đang chạy tại http://$HOST:$PORT/  (Ctrl+C để dừng)"
echo "  nginx → web1 :$((PORT + 101)), web2 :$((PORT + 102)); worker1..3; PostgreSQL ${DATABASE_URL%%\?*}"
echo "  hàng đợi $VANBAN_QUEUE_URL; tệp $VANBAN_BLOB_URL; nhật ký của từng nút: $ROOT/*.log"
echo ""
wait -n "${pids[@]}" || true
