#!/usr/bin/env bash
# Parser half of `make interop`: VNPT's EdXML102 library (Java) and vanban read each other's
# packages, and every attachment must come out byte-identical (docs/edxml.md, "Conformance with
# VNPT's EdXML102"). Nothing here touches the network. The jar is NOT part of vanban: point
# VANBAN_VNPT_EDXML_JAR at EdXML102-0.0.3.jar (public in PVN-Organization/API-Gateway-iOffice,
# `JDK 1.8/SDKVXP_Example/lib/`); its dependencies (jdom2, guava, commons-codec …) are taken
# from the jar's own directory, or from VANBAN_VNPT_EDXML_LIBS (a directory of jars).
# Exit 0 = passed or skipped (says which), 1 = a comparison failed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="${VANBAN_PYTHON:-$root/.venv/bin/python}"
jar="${VANBAN_VNPT_EDXML_JAR:-}"

skip() { echo "SKIP interop/edxml: $*"; exit 0; }
command -v java >/dev/null 2>&1 || skip "java not installed (apt-get install openjdk-17-jdk-headless)"
command -v javac >/dev/null 2>&1 || skip "javac not installed (apt-get install openjdk-17-jdk-headless)"
[ -n "$jar" ] || skip "VANBAN_VNPT_EDXML_JAR not set (path to EdXML102-0.0.3.jar; see docs/edxml.md)"
[ -f "$jar" ] || skip "VANBAN_VNPT_EDXML_JAR=$jar does not exist"

libs="${VANBAN_VNPT_EDXML_LIBS:-$(dirname "$jar")}"
cp="$jar"
for dep in "$libs"/*.jar; do
  [ -e "$dep" ] || continue
  case "$(basename "$dep")" in EdXML102-*) ;; *) cp="$cp:$dep" ;; esac
done

work="$(mktemp -d "${TMPDIR:-/tmp}/vanban-interop-edxml.XXXXXX")"
trap 'rm -rf "$work"' EXIT
javac -nowarn -d "$work/classes" -cp "$cp" "$here/EdxmlInteropDriver.java"
run_java() { (cd "$work" && java -cp "$cp:$work/classes" EdxmlInteropDriver "$@" 2>"$work/java.err") \
  || { grep -v SLF4J "$work/java.err" | head -20; echo "FAIL interop/edxml: VNPT's library failed ($1)"; exit 1; }; }

echo "--- interop/edxml: $(basename "$jar"), $(java -version 2>&1 | head -1)"
"$python" "$here/roundtrip.py" prepare "$work"
run_java read "$work/ours.edxml" "$work/java-out" >"$work/java-read.txt"
(cd "$work/files" && java -cp "$cp:$work/classes" EdxmlInteropDriver write "$work/theirs.edxml" * >/dev/null 2>"$work/java.err") \
  || { grep -v SLF4J "$work/java.err" | head -20; echo "FAIL interop/edxml: VNPT's builder failed"; exit 1; }
run_java relay "$work/ours.edxml" "$work/relayed.edxml" >/dev/null
mkdir -p "$work/real"
for real in "$root"/tests/edxml/real/*.edxml; do
  name="$(basename "$real" .edxml)"
  (cd "$work" && java -cp "$cp:$work/classes" EdxmlInteropDriver read "$real" "$work/real/$name" \
      >"$work/real/$name.txt" 2>/dev/null) || { rm -f "$work/real/$name.txt"; echo "INFO VNPT's EdXmlParser cannot read $name"; }
done
if "$python" "$here/roundtrip.py" check "$work"; then
  echo "PASS interop/edxml"
else
  echo "FAIL interop/edxml"; exit 1
fi
