#!/usr/bin/env bash
# SDK half of `make interop`: VNPT's SDKVXP 2.0.x (Java) drives a local `vanban serve` through
# send, list, get, update, getSentEdocList, counts and the agency list — once with the JVM in
# Vietnam time, once in UTC. Loopback only. The SDK jar is NOT part of vanban: point
# VANBAN_VNPT_SDK_JAR at SDKVXP-2.0.1.jar (public in PVN-Organization/API-Gateway-iOffice,
# `JDK 1.8/SDKVXP_Example/lib/`); its dependencies (gson, httpclient, httpcore, httpmime,
# commons-codec, commons-logging, json …) are taken from the jar's own directory, or from
# VANBAN_VNPT_SDK_LIBS (a directory of jars). Exit 0 = passed or skipped (says which).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="${VANBAN_PYTHON:-$root/.venv/bin/python}"
jar="${VANBAN_VNPT_SDK_JAR:-}"

skip() { echo "SKIP interop/sdk: $*"; exit 0; }
command -v java >/dev/null 2>&1 || skip "java not installed (apt-get install openjdk-17-jdk-headless)"
command -v javac >/dev/null 2>&1 || skip "javac not installed (apt-get install openjdk-17-jdk-headless)"
[ -n "$jar" ] || skip "VANBAN_VNPT_SDK_JAR not set (path to SDKVXP-2.0.1.jar; see docs/vxp.md)"
[ -f "$jar" ] || skip "VANBAN_VNPT_SDK_JAR=$jar does not exist"

libs="${VANBAN_VNPT_SDK_LIBS:-$(dirname "$jar")}"
cp="$jar"
for dep in "$libs"/*.jar; do
  case "$(basename "$dep")" in SDKVXP-*) ;; *) cp="$cp:$dep" ;; esac
done

work="$(mktemp -d "${TMPDIR:-/tmp}/vanban-interop-sdk.XXXXXX")"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

export VANBAN_DATA_DIR="$work/data" DATABASE_URL="sqlite:///$work/hub.sqlite3" VANBAN_ROLES=hub \
  VANBAN_QUEUE_IMMEDIATE=1 VANBAN_HUB_CODE=interop-sdk DJANGO_SETTINGS_MODULE=vanban.settings
unset VANBAN_HUB_PARENT_URL VANBAN_HUB_PARENT_TOKEN VANBAN_HUB_PARENT_PROTOCOL || true
port="$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
endpoint="http://127.0.0.1:$port/vxp"

echo "--- interop/sdk: preparing a throwaway hub in $work"
"$python" "$here/prepare.py" "$work" vn utc
javac -nowarn -d "$work/classes" -cp "$cp" "$here/VanbanSdkDriver.java"
"$python" -m vanban.cli serve --bind "127.0.0.1:$port" --workers 1 --threads 4 >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 150); do
  if "$python" -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/hub/api/v1/openapi.json', timeout=1)" 2>/dev/null; then
    break
  fi
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log"; echo "FAIL interop/sdk: vanban serve exited"; exit 1; }
  sleep 0.2
done

status=0
for zone in Asia/Ho_Chi_Minh UTC; do
  run=vn; [ "$zone" = UTC ] && run=utc
  sed -i "/^run=/d" "$work/systems.properties"; echo "run=$run" >>"$work/systems.properties"
  echo "--- interop/sdk: SDK $(basename "$jar"), JVM -Duser.timezone=$zone"
  # pipefail: the pipeline fails when the driver does, whatever grep finds
  if ! java -Duser.timezone="$zone" -cp "$cp:$work/classes" VanbanSdkDriver "$endpoint" "$work" 2>"$work/java-$run.err" \
      | grep -E '^(ok|FAIL|PASS|JVM)'; then
    status=1
  fi
  if ! grep -q . "$work/java-$run.err" 2>/dev/null; then :; elif grep -qE "Exception" "$work/java-$run.err"; then
    echo "--- stderr of the SDK run ($zone):"; grep -E "Exception|at com.vpcp" "$work/java-$run.err" | head -20
  fi
done
[ "$status" = 0 ] && echo "PASS interop/sdk" || { echo "--- serve.log (tail)"; tail -40 "$work/serve.log"; echo "FAIL interop/sdk"; }
exit "$status"
