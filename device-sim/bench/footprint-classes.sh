#!/usr/bin/env bash
# Which libraries the daemon loads classes from, and when: starts the packaged daemon with the
# shipped JVM options plus -Xlog:class+load, waits for /health/ready, stops it, and prints
#   - classes loaded up to ready, by library (package prefix), largest first (metaspace follows
#     the number of loaded classes), and
#   - the start-up timeline: JVM uptime at which each library loaded its first class.
# Writes the markdown to stdout and the raw log under device-sim/bench/results/classes-<stamp>/.
#
# Usage: device-sim/bench/footprint-classes.sh
# Environment: OUTPOST_JAR, FP_PORT (18870), FP_ADMIN_PORT (18871), FP_DEFAULTS, JAVA.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$BENCH_DIR/footprint-lib.sh"

command -v curl >/dev/null || die "curl is required"
[[ -f "$OUTPOST_JAR" ]] || die "missing $OUTPOST_JAR"
RESULTS="$BENCH_DIR/results/classes-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RESULTS"
trap bench_cleanup EXIT
OPTS="$(shipped_java_opts)"

start_daemon classes $OPTS "-Xlog:class+load=info:file=$RESULTS/class-load.log:uptime"
READY_MS=$FP_READY_MS
stop_daemon

# lines look like: [0.123s][info][class,load] io.netty.util.Foo source: jar:file:...
library() {
  awk '{ name = $2; t = substr($1, 2) + 0
         n = split(name, p, ".")
         if (p[1] == "java" || p[1] == "javax" || p[1] == "jdk" || p[1] == "sun" || p[1] == "com" && p[2] == "sun") k = "JDK (" p[1] "." p[2] ")"
         else if (n > 3) k = p[1] "." p[2] "." p[3]; else k = p[1] "." p[2]
         print t, k }' "$RESULTS/class-load.log"
}
library > "$RESULTS/classes.txt"
TOTAL=$(wc -l < "$RESULTS/classes.txt")

echo "Classes loaded from process start to ready ($READY_MS ms with class logging on): $TOTAL."
echo
echo "| Library (package prefix) | Classes | First class at JVM uptime (s) |"
echo "|---|---:|---:|"
awk '{c[$2]++; if (!($2 in f)) f[$2] = $1} END {for (k in c) printf "%d|%s|%.3f\n", c[k], k, f[k]}' \
  "$RESULTS/classes.txt" | sort -t'|' -k1,1 -rn | head -25 | awk -F'|' '{printf "| %s | %s | %s |\n", $2, $1, $3}'
