#!/usr/bin/env bash
# `make interop`: every conformance run against systems we did not write (VNPT's public Java
# libraries), each in its own folder here with its own run.sh: interop/sdk (the national-hub
# SDK driving `vanban serve` on loopback) and, when present, interop/edxml (VNPT's edXML parser
# reading our packages). Each says PASS, FAIL or SKIP (jar or JDK absent); this fails if any failed.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
status=0
found=0
for script in "$here"/*/run.sh; do
  [ -e "$script" ] || continue
  found=1
  echo "=== $(basename "$(dirname "$script")")"
  bash "$script" || status=1
done
[ "$found" = 1 ] || echo "no interop runs found"
exit $status
