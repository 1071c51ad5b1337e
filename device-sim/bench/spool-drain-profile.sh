#!/usr/bin/env bash
# Where a drain's wall time goes: runs spool-outage-drain.sh for Outpost gateways with the daemon under a
# flight recording that keeps every thread park, monitor wait and enter and socket read and write (threshold 0,
# so keep runs short) and CPU samples every 10 ms, then prints drain-jfr/DrainJfr.java's breakdown of each
# recording: per thread of the drain path the time spent waiting and where, and a publish's round trip
# (written -> its PUBACK read -> callback thread woken -> the publish that refilled the slot written).
#
# Usage: device-sim/bench/spool-drain-profile.sh [--messages 20000] [--inflight 20] [--gateways outpost-5]
#          [--baseline-jar PATH] [--window N]
#   --window: publishes the link keeps in flight, for matching a PUBACK with the publish that refills its slot
#             (default: the cloud's in-flight limit less one, as the MQTT 5 link does; an MQTT 3.1.1 link uses
#             cloud.inflightWindow, 100 in spool-outage-drain.sh)
# Environment as for spool-outage-drain.sh (GATEWAY_PORT, CLOUD_PORT, OUTPOST_JAR). Recordings and reports are
# written to device-sim/bench/results/drain-profile-<time>/.

set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

MESSAGES=20000
INFLIGHT=20
GATEWAYS=outpost-5
EXTRA=()
WINDOW=
while [[ $# -gt 0 ]]; do
  case "$1" in
    --messages) MESSAGES="$2"; shift 2 ;;
    --inflight) INFLIGHT="$2"; shift 2 ;;
    --gateways) GATEWAYS="$2"; shift 2 ;;
    --baseline-jar) EXTRA+=(--baseline-jar "$2"); shift 2 ;;
    --window) WINDOW="$2"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 1 ;;
  esac
done

JAVA_BIN="$(readlink -f "$(command -v java)")"
JAVA_HOME_DIR="$(dirname "$(dirname "$JAVA_BIN")")"
OUT="$BENCH_DIR/results/drain-profile-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"

# JDK 17's jfr has no "configure": derive the settings from the JDK's default.jfc
/usr/bin/python3 - "$JAVA_HOME_DIR/lib/jfr/default.jfc" "$OUT/drain.jfc" <<'PY'
import re, sys
src = open(sys.argv[1]).read()
for event in ["jdk.ThreadPark", "jdk.JavaMonitorEnter", "jdk.JavaMonitorWait", "jdk.SocketRead", "jdk.SocketWrite"]:
    src, n = re.subn(r'(<event name="%s">.*?<setting name="threshold"[^>]*>)[^<]*' % re.escape(event),
                     r'\g<1>0 ms', src, flags=re.S)
    assert n == 1, event
src, n = re.subn(r'(<event name="jdk.ExecutionSample">.*?<setting name="period"[^>]*>)[^<]*', r'\g<1>10 ms',
                 src, flags=re.S)
assert n == 1
open(sys.argv[2], "w").write(src)
PY

cat > "$OUT/java" <<EOF
#!/bin/sh
# the daemon under a flight recording; anything else (java -version) as it is
case "\$1" in -version) exec "$JAVA_BIN" "\$@" ;; esac
exec "$JAVA_BIN" -XX:StartFlightRecording=filename=$OUT/daemon-\$\$.jfr,settings=$OUT/drain.jfc,dumponexit=true "\$@"
EOF
chmod +x "$OUT/java"

JAVA="$OUT/java" "$BENCH_DIR/spool-outage-drain.sh" --messages "$MESSAGES" --inflight "$INFLIGHT" \
  --gateways "$GATEWAYS" "${EXTRA[@]}" --no-doc | tee "$OUT/drain.md"

window="${WINDOW:-$(( INFLIGHT - 1 ))}"
for recording in "$OUT"/daemon-*.jfr; do
  echo
  echo "== $(basename "$recording")"
  "$JAVA_BIN" "$BENCH_DIR/drain-jfr/DrainJfr.java" "$recording" "$window" | tee "${recording%.jfr}.txt"
done
