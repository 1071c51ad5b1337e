#!/usr/bin/env bash
# Where Outpost's broker spends its CPU: runs rows of broker-compare.sh against Outpost alone with
# Java Flight Recorder on (the JDK's profile settings, CPU samples every 1 ms), one recording per row, and prints hot-method tables
# (self and total CPU samples on the event-loop threads) with jfr-hot-methods.py, plus folded
# stacks for a flame graph. Offline: needs only the JDK's `jfr` tool.
#
# Usage: device-sim/bench/broker-profile.sh [--rows fanin-q1,fanout-q1] [--duration 10] [--top 20]
#   OUTPOST_JVM_OPTS as for broker-compare.sh (default: the shipped /etc/default/outpost options).
# Results: device-sim/bench/results/profile-<stamp>/<row>/{outpost.jfr,hot-methods.md,folded.txt}.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PROFILE_ROWS="fanin-q1,fanout-q1"
DURATION=10
TOP=20
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rows) PROFILE_ROWS="$2"; shift 2 ;;
    --duration) DURATION="${2%s}"; shift 2 ;;
    --top) TOP="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) die "unknown argument $1" ;;
  esac
done
[[ -n "${OUTPOST_JVM_OPTS+set}" ]] || OUTPOST_JVM_OPTS="$(shipped_jvm_opts)"
JFR_TOOL="${JFR_TOOL:-$(dirname "$(readlink -f "$(command -v "$JAVA")")")/jfr}"
[[ -x "$JFR_TOOL" ]] || die "the JDK's jfr tool is required (looked at $JFR_TOOL; set JFR_TOOL)"
OUT="$BENCH_DIR/results/profile-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"
# the JDK's "profile" settings with CPU samples every 1 ms instead of 10 ms (more samples per short row)
JFC="$OUT/profile-1ms.jfc"
sed '/<event name="jdk.ExecutionSample">/,/<\/event>/ s/>10 ms</>1 ms</' \
  "$(dirname "$(dirname "$JFR_TOOL")")/lib/jfr/profile.jfc" > "$JFC"
IFS=',' read -r -a rows <<< "$PROFILE_ROWS"
for row in "${rows[@]}"; do
  mkdir -p "$OUT/$row"
  OUTPOST_JVM_OPTS="$OUTPOST_JVM_OPTS -XX:StartFlightRecording=filename=$OUT/$row/outpost.jfr,settings=$JFC,dumponexit=true" \
    "$BENCH_DIR/broker-compare.sh" --targets outpost --rows "$row" --duration "$DURATION" --no-doc \
    | tee "$OUT/$row/table.md"
  for _ in $(seq 100); do [[ -s "$OUT/$row/outpost.jfr" ]] && break; sleep 0.1; done
  {
    echo "### $row"
    echo
    python3 "$BENCH_DIR/jfr-hot-methods.py" --jfr "$JFR_TOOL" --thread eventloop --top "$TOP" \
      --folded "$OUT/$row/folded.txt" "$OUT/$row/outpost.jfr"
  } > "$OUT/$row/hot-methods.md"
  cat "$OUT/$row/hot-methods.md"
done
echo "recordings and tables in ${OUT#"$REPO_ROOT"/}" >&2
