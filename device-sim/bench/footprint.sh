#!/usr/bin/env bash
# Footprint benchmark: resident memory, start-up time, artifact sizes and disk writes of the packaged
# daemon, run with the JVM options the .deb ships (JAVA_OPTS read from
# packaging/src/deb/files/etc/default/outpost, so the figures cannot drift from the package) and started
# as the package starts it: through its launcher (packaging/src/deb/files/usr/bin/outpost) with the
# class-data sharing archive that `outpost update-cds-archive` builds at installation (built here first,
# timed). Only the options phase starts `java <options> -jar outpost.jar` directly (no archive).
#
# The daemon runs offline: one listener, no cloud section, a route devices/+/telemetry -> cloud, so
# every message a device publishes is spooled to SQLite. Phases, each on a fresh data directory:
#   start    --starts runs: process start (the launcher) -> MQTT listener accepts, -> /health/ready = 200; then
#            --settle seconds idle and VmRSS / Threads from /proc/<pid>/status
#   options  idle VmRSS with each shipped JVM option left out in turn, and with none at all
#   load     --devices devices x --rate msg/s, QoS 1, 200-byte payloads, for --load-duration;
#            VmRSS sampled every second; /proc/<pid>/io write_bytes delta per message and payload byte
#   backlog  --backlog messages, QoS 1 unthrottled, into the spool; VmRSS after; write_bytes delta
#   nmt      one more idle + load run with -XX:NativeMemoryTracking=summary: jcmd VM.native_memory
#            summary, GC.heap_info and thread names (NMT costs memory itself, so it is kept out of
#            the budget figures)
#   sizes    outpost.jar, the .deb and its Installed-Size; mvn dependency:tree (runtime scope)
# Raw output under device-sim/bench/results/footprint-<stamp>/; the "footprint" section of
# docs/benchmarks.md is rewritten unless --no-doc.
#
# Usage: device-sim/bench/footprint.sh [--starts 3] [--settle 10] [--devices 100] [--rate 10]
#            [--load-duration 60] [--backlog 1000000] [--backlog-devices 10] [--skip-options]
#            [--skip-backlog] [--extra-opts "-XX:..."] [--no-doc]
#   --extra-opts appends JVM options to the shipped ones for every phase (to try a candidate default).
# Environment: OUTPOST_JAR, SIM_JAR, DEB (default packaging/target/outpost_*.deb), FP_PORT (18870),
#   FP_ADMIN_PORT (18871), FP_DEFAULTS, FP_KEEP_DATA (1 keeps each run's data directory), JAVA.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$BENCH_DIR/footprint-lib.sh"

STARTS=3; SETTLE=10; DEVICES=100; RATE=10; LOAD_DURATION=60; BACKLOG=1000000; BACKLOG_DEVICES=10
DO_OPTIONS=1; DO_BACKLOG=1; WRITE_DOC=1; PAYLOAD=200
ORIG_ARGS="$*"; EXTRA_OPTS=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --starts) STARTS="$2"; shift 2 ;;
    --settle) SETTLE="$2"; shift 2 ;;
    --devices) DEVICES="$2"; shift 2 ;;
    --rate) RATE="$2"; shift 2 ;;
    --load-duration) LOAD_DURATION="$2"; shift 2 ;;
    --backlog) BACKLOG="$2"; shift 2 ;;
    --backlog-devices) BACKLOG_DEVICES="$2"; shift 2 ;;
    --skip-options) DO_OPTIONS=0; shift ;;
    --skip-backlog) DO_BACKLOG=0; shift ;;
    --no-doc) WRITE_DOC=0; shift ;;
    --extra-opts) EXTRA_OPTS="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^$/p' "$0"; exit 0 ;;
    *) die "unknown argument $1" ;;
  esac
done
(( BACKLOG % BACKLOG_DEVICES == 0 )) || die "--backlog must be a multiple of --backlog-devices"

require_tools
command -v curl >/dev/null || die "curl is required"
command -v jcmd >/dev/null || die "jcmd (JDK) is required"
[[ -f "$OUTPOST_JAR" ]] || die "missing $OUTPOST_JAR"
DEB="${DEB:-$(ls "$REPO_ROOT"/packaging/target/outpost_*.deb 2>/dev/null | head -1)}"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RESULTS="$BENCH_DIR/results/footprint-$STAMP"
mkdir -p "$RESULTS"
trap bench_cleanup EXIT
machine_info > "$RESULTS/machine.md"
OPTS="$(shipped_java_opts)${EXTRA_OPTS:+ $EXTRA_OPTS}"
echo "$OPTS" > "$RESULTS/java-opts.txt"
S="$RESULTS/summary.env"   # key=value results, read back when writing the report
: > "$S"
echo "$ORIG_ARGS" > "$RESULTS/args.txt"
put() { echo "$1=$2" >> "$S"; }
put EXTRA_OPTS "\"$EXTRA_OPTS\""; put SETTLE "$SETTLE"; put LOAD_DEVICES "$DEVICES"; put LOAD_RATE "$RATE"; put LOAD_SECONDS "$LOAD_DURATION"
mpub() { # devices count-or-duration-args... : device-sim run against the daemon
  local out="$1"; shift
  bench_cmd "$JAVA" -jar "$SIM_JAR" run -b "tcp://127.0.0.1:$FP_PORT" --qos 1 -s "$PAYLOAD" -q -o "$out" "$@" \
    > "${out%.json}.log" 2>&1 || echo "device-sim run reported errors (counted in the report), see ${out%.json}.log" >&2
  [[ -f "$out" ]] || die "device-sim run wrote no summary, see ${out%.json}.log"
}

# ---- the launcher and its class-data sharing archive, as the .deb's postinst builds it ----------------
echo "== outpost update-cds-archive" >&2
prepare_launcher
put CDS_TRAIN_MS "$CDS_TRAIN_MS"; put CDS_ARCHIVE_BYTES "$CDS_ARCHIVE_BYTES"

# ---- start-up and idle -------------------------------------------------------------------------
for i in $(seq "$STARTS"); do
  echo "== start $i/$STARTS" >&2
  start_packaged "start-$i" $EXTRA_OPTS
  sleep "$SETTLE"
  echo "$i $FP_MQTT_MS $FP_READY_MS $(proc_status "$FP_PID" VmRSS) $(proc_status "$FP_PID" Threads) $FP_T0_MS $(proc_status "$FP_PID" RssAnon) $(proc_status "$FP_PID" RssFile)" \
    >> "$RESULTS/starts.txt"
  stop_daemon
done

# ---- cost of each shipped option (idle) -------------------------------------------------------
if [[ "$DO_OPTIONS" == 1 ]]; then
  run_variant() { # label, opts...
    local label="$1"; shift
    echo "== options: $label" >&2
    start_daemon "opt-$(echo "$label" | tr -c 'A-Za-z0-9' '_')" "$@"
    sleep "$SETTLE"
    printf '%s|%s|%s|%s\n' "$label" "$(proc_status "$FP_PID" VmRSS)" "$(proc_status "$FP_PID" Threads)" "$FP_READY_MS" \
      >> "$RESULTS/options.txt"
    stop_daemon
  }
  run_variant "shipped" $OPTS
  for o in $OPTS; do
    run_variant "without $o" $(for x in $OPTS; do [[ "$x" == "$o" ]] || echo "$x"; done)
  done
  [[ " $OPTS " == *" -XX:TieredStopAtLevel=1 "* ]] || run_variant "shipped + -XX:TieredStopAtLevel=1" $OPTS -XX:TieredStopAtLevel=1
  # the package's way for comparison: the launcher with the class-data sharing archive
  echo "== options: as packaged" >&2
  start_packaged opt-packaged $EXTRA_OPTS
  sleep "$SETTLE"
  printf '%s|%s|%s|%s\n' "shipped, through the launcher with its CDS archive (as packaged)" \
    "$(proc_status "$FP_PID" VmRSS)" "$(proc_status "$FP_PID" Threads)" "$FP_READY_MS" >> "$RESULTS/options.txt"
  stop_daemon
  FP_ENV="MALLOC_ARENA_MAX=2" run_variant "shipped + env MALLOC_ARENA_MAX=2 (glibc malloc arenas)" $OPTS
  run_variant "none (JVM defaults, this machine)"
  run_variant "none, -XX:MaxRAM=1g (JVM defaults as on a 1 GB box)" -XX:MaxRAM=1g
fi

# ---- 100 devices x 10 msg/s ------------------------------------------------------------------
echo "== load: $DEVICES devices x $RATE msg/s for ${LOAD_DURATION}s" >&2
start_packaged load $EXTRA_OPTS
sleep "$SETTLE"
put LOAD_IDLE_RSS "$(proc_status "$FP_PID" VmRSS)"
start_sampler "$FP_PID" "$RESULTS/load-rss.txt"
admin_get metrics > "$RESULTS/load-metrics-before.txt"
W0=$(proc_io "$FP_PID" write_bytes); C0=$(proc_io "$FP_PID" wchar); L0=$(stat -c %s "$FP_LOG")
mpub "$RESULTS/load-run.json" -n "$DEVICES" -r "$RATE" -d "${LOAD_DURATION}s" --ramp-up 5s
ACKED=$(jq .acked "$RESULTS/load-run.json")
wait_spool_depth "$ACKED" 60
sleep 5   # let the WAL checkpoint that follows the last commits happen inside the window
stop_sampler
W1=$(proc_io "$FP_PID" write_bytes); C1=$(proc_io "$FP_PID" wchar); L1=$(stat -c %s "$FP_LOG")
put LOAD_ACKED "$ACKED"; put LOAD_SENT "$(jq .sent "$RESULTS/load-run.json")"
put LOAD_MAX_RSS "$(max_rss_kb "$RESULTS/load-rss.txt")"; put LOAD_END_RSS "$(proc_status "$FP_PID" VmRSS)"
put LOAD_END_ANON "$(proc_status "$FP_PID" RssAnon)"; put LOAD_END_FILE "$(proc_status "$FP_PID" RssFile)"
put LOAD_HWM "$(proc_status "$FP_PID" VmHWM)"; put LOAD_THREADS "$(max_threads "$RESULTS/load-rss.txt")"
put LOAD_WRITE "$((W1 - W0))"; put LOAD_WCHAR "$((C1 - C0))"; put LOAD_LOG "$((L1 - L0))"
put LOAD_DEPTH "$(spool_depth)"
admin_get metrics > "$RESULTS/load-metrics.txt"
put LOAD_COMMITS "$(( $(commits "$RESULTS/load-metrics.txt") - $(commits "$RESULTS/load-metrics-before.txt") ))"
jcmd "$FP_PID" GC.heap_info > "$RESULTS/load-heap.txt" 2>&1 || true
stop_daemon

# ---- 1M-message offline backlog ---------------------------------------------------------------
if [[ "$DO_BACKLOG" == 1 ]]; then
  echo "== backlog: $BACKLOG messages from $BACKLOG_DEVICES devices, unthrottled" >&2
  start_packaged backlog $EXTRA_OPTS
  sleep "$SETTLE"
  start_sampler "$FP_PID" "$RESULTS/backlog-rss.txt"
  admin_get metrics > "$RESULTS/backlog-metrics-before.txt"
  W0=$(proc_io "$FP_PID" write_bytes); C0=$(proc_io "$FP_PID" wchar); L0=$(stat -c %s "$FP_LOG")
  T0=$(now_ns)
  mpub "$RESULTS/backlog-run.json" -n "$BACKLOG_DEVICES" -r 0 -c "$((BACKLOG / BACKLOG_DEVICES))" --window 100
  T1=$(now_ns)
  ACKED=$(jq .acked "$RESULTS/backlog-run.json")
  wait_spool_depth "$ACKED" 120
  sleep 5
  W1=$(proc_io "$FP_PID" write_bytes); C1=$(proc_io "$FP_PID" wchar); L1=$(stat -c %s "$FP_LOG")
  sleep "$SETTLE"
  stop_sampler
  put BACKLOG_ACKED "$ACKED"; put BACKLOG_SECONDS "$(( (T1 - T0) / 1000000000 ))"
  put BACKLOG_MAX_RSS "$(max_rss_kb "$RESULTS/backlog-rss.txt")"; put BACKLOG_END_RSS "$(proc_status "$FP_PID" VmRSS)"
  put BACKLOG_THREADS "$(proc_status "$FP_PID" Threads)"
  put BACKLOG_WRITE "$((W1 - W0))"; put BACKLOG_WCHAR "$((C1 - C0))"; put BACKLOG_LOG "$((L1 - L0))"
  admin_get metrics > "$RESULTS/backlog-metrics.txt"
  put BACKLOG_COMMITS "$(( $(commits "$RESULTS/backlog-metrics.txt") - $(commits "$RESULTS/backlog-metrics-before.txt") ))"
  put BACKLOG_DEPTH "$(spool_depth)"; put BACKLOG_DISK "$(du -sk "$FP_DIR" | cut -f1)"
  jcmd "$FP_PID" GC.heap_info > "$RESULTS/backlog-heap.txt" 2>&1 || true
  stop_daemon
fi

# ---- diagnostics with native memory tracking ----------------------------------------------------
echo "== diagnostics (NMT)" >&2
start_packaged nmt $EXTRA_OPTS -XX:NativeMemoryTracking=summary
sleep "$SETTLE"
put NMT_IDLE_RSS "$(proc_status "$FP_PID" VmRSS)"
nmt_committed "$FP_PID" > "$RESULTS/nmt-idle.txt"
jcmd "$FP_PID" GC.heap_info > "$RESULTS/nmt-idle-heap.txt"
thread_groups "$FP_PID" > "$RESULTS/threads-idle.txt"
mpub "$RESULTS/nmt-run.json" -n "$DEVICES" -r "$RATE" -d 30s --ramp-up 5s &
NMT_PUB=$!
sleep 25
put NMT_LOAD_RSS "$(proc_status "$FP_PID" VmRSS)"
nmt_committed "$FP_PID" > "$RESULTS/nmt-load.txt"
thread_groups "$FP_PID" > "$RESULTS/threads-load.txt"
wait "$NMT_PUB"
stop_daemon

# ---- sizes and what ships ---------------------------------------------------------------------
put JAR_BYTES "$(stat -c %s "$OUTPOST_JAR")"
if [[ -n "$DEB" && -f "$DEB" ]]; then
  put DEB_BYTES "$(stat -c %s "$DEB")"
  put DEB_INSTALLED_KB "$(dpkg-deb -f "$DEB" Installed-Size)"
fi
# shaded jar content by library (first two or three path elements), largest first
unzip -lqq "$OUTPOST_JAR" | awk '{n = split($4, p, "/"); if (n < 2) k = "(root)";
    else if (p[1] == "META-INF") k = "META-INF"; else if (n > 3) k = p[1] "/" p[2] "/" p[3]; else k = p[1] "/" p[2];
    s[k] += $1} END {for (k in s) printf "%d %s\n", s[k], k}' | sort -rn > "$RESULTS/jar-content.txt"
(cd "$REPO_ROOT" && bench_cmd mvn -B -q -o dependency:tree -pl gateway-daemon -Dscope=runtime \
  -DoutputFile="$RESULTS/dependency-tree.txt") > "$RESULTS/dependency-tree.log" 2>&1 \
  || echo "dependency:tree failed, see $RESULTS/dependency-tree.log" >&2

source "$BENCH_DIR/footprint-report.sh" > "$RESULTS/section.md"
if [[ "$WRITE_DOC" == 1 ]]; then
  update_doc_section footprint "$RESULTS/section.md"
  echo "updated docs/benchmarks.md (raw results in ${RESULTS#$REPO_ROOT/})" >&2
fi
cat "$RESULTS/section.md"
