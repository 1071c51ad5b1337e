#!/usr/bin/env bash
# Writes the markdown "footprint" section from a footprint.sh results directory ($RESULTS, with
# summary.env and the raw files). Sourced by footprint.sh; can be re-run alone on old results:
#   RESULTS=device-sim/bench/results/footprint-<stamp> bash device-sim/bench/footprint-report.sh

set -euo pipefail
: "${RESULTS:?RESULTS must point at a footprint results directory}"
# shellcheck disable=SC1091
source "$RESULTS/summary.env"
# run alone: take the shared helpers (commands_details) from lib.sh
declare -F commands_details >/dev/null || source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
OPTS="$(cat "$RESULTS/java-opts.txt")"
STAMP="${RESULTS##*footprint-}"
rel() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
verdict() { awk -v m="$1" -v b="$2" 'BEGIN {if (m <= b) print "met"; else printf "**missed** by %s (%.0f%%)", (m - b < 1 ? sprintf("%.2f", m - b) : sprintf("%.1f", m - b)), (m - b) * 100 / b}'; }
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

READY_MED=$(awk '{print $3}' "$RESULTS/starts.txt" | median)
MQTT_MED=$(awk '{print $2}' "$RESULTS/starts.txt" | median)
IDLE_MED=$(awk '{print $4}' "$RESULTS/starts.txt" | median)
JAR_MB=$(awk -v b="$JAR_BYTES" 'BEGIN {printf "%.1f", b / 1048576}')
PAYLOAD=200
per_msg() { awk -v b="$1" -v n="$2" 'BEGIN {printf "%.0f", b / n}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.1f", a / b; else print "-"}'; }
per_byte() { awk -v b="$1" -v n="$2" -v p="$PAYLOAD" 'BEGIN {printf "%.2f", b / n / p}'; }

echo
echo "Run $STAMP with \`device-sim/bench/footprint.sh $(cat "$RESULTS/args.txt" 2>/dev/null)\`."
echo
echo "Machine:"
echo
cat "$RESULTS/machine.md"
echo
CDS_BUILT=""
if [[ -n "${CDS_TRAIN_MS:-}" ]]; then
  CDS_BUILT=" in $CDS_TRAIN_MS ms, $(rel "$((CDS_ARCHIVE_BYTES / 1024))") MiB, as the .deb's postinst does"
fi
echo "Daemon: started as the package starts it, \`outpost run --config F\` through the .deb's launcher"
echo "(\`java -Xshare:auto -XX:SharedArchiveFile=… \$JAVA_OPTS -jar outpost.jar\`, with the class-data"
echo "sharing archive and SQLite library its \`outpost update-cds-archive\` built first$CDS_BUILT) and JAVA_OPTS as shipped in"
echo "\`packaging/src/deb/files/etc/default/outpost\`: \`$OPTS\`. Config: one listener, no \`cloud\`"
echo "section, route \`devices/+/telemetry\` → cloud, so every message is spooled (SQLite, WAL). Memory"
echo "is VmRSS from \`/proc/<pid>/status\` in MiB; disk writes are \`write_bytes\` from \`/proc/<pid>/io\`"
echo "(bytes the process sent to the block layer, page cache write-back included) over the ingest,"
echo "taken once every acknowledged message was in the spool plus 5 s. Payloads are 200 bytes, QoS 1."
echo
[[ -z "${EXTRA_OPTS:-}" ]] || { echo "**Not the shipped options: this run appended \`$EXTRA_OPTS\`.**"; echo; }
echo "| Budget | Limit | Measured | Verdict |"
echo "|---|---:|---:|---|"
echo "| Idle RSS (median of $(wc -l < "$RESULTS/starts.txt") starts, $SETTLE s after ready) | 96 MiB | $(rel "$IDLE_MED") MiB | $(verdict "$(rel "$IDLE_MED")" 96) |"
echo "| RSS under $LOAD_DEVICES devices × $LOAD_RATE msg/s (max of 1 s samples) | 160 MiB | $(rel "$LOAD_MAX_RSS") MiB | $(verdict "$(rel "$LOAD_MAX_RSS")" 160) |"
echo "| Process start → \`/health/ready\` (median) | 1000 ms | $READY_MED ms | $(verdict "$READY_MED" 1000) |"
echo "| outpost.jar | 20 MiB | $JAR_MB MiB | $(verdict "$JAR_MB" 20) |"
echo "| Disk writes per payload byte, steady load | 3.00 | $(per_byte "$LOAD_WRITE" "$LOAD_ACKED") | $(verdict "$(per_byte "$LOAD_WRITE" "$LOAD_ACKED")" 3) |"
if [[ -n "${BACKLOG_WRITE:-}" ]]; then
  echo "| Disk writes per payload byte, unthrottled backlog | 3.00 | $(per_byte "$BACKLOG_WRITE" "$BACKLOG_ACKED") | $(verdict "$(per_byte "$BACKLOG_WRITE" "$BACKLOG_ACKED")" 3) |"
fi
echo
echo "Start-up (each run on a fresh data directory):"
echo
echo "| Run | Start → MQTT listener accepts (ms) | Start → /health/ready 200 (ms) | Idle RSS (MiB) | of which RssAnon / RssFile | Threads | Log: first line / spool open / ready (ms after start) |"
echo "|---:|---:|---:|---:|---:|---:|---|"
# ms after process start at which the daemon logged a line matching $2 in log $1
log_at() { local ts; ts=$(grep -m1 "$2" "$1" | cut -d' ' -f1); [[ -n "$ts" ]] && echo $(( $(date -d "$ts" +%s%3N) - $3 )) || echo "-"; }
while read -r i m r rss th t0 anon file; do
  lg="$RESULTS/start-$i.log"
  echo "| $i | $m | $r | $(rel "$rss") | $(rel "$anon") / $(rel "$file") | $th | $(log_at "$lg" ' starting ' "$t0") / $(log_at "$lg" 'Spool open' "$t0") / $(log_at "$lg" 'Outpost ready' "$t0") |"
done < "$RESULTS/starts.txt"
echo
echo "Memory by phase:"
echo
echo "| Phase | Messages acked | RSS (MiB) | Peak RSS (MiB) | Threads (peak) |"
echo "|---|---:|---:|---:|---:|"
echo "| idle before load | 0 | $(rel "$LOAD_IDLE_RSS") | | |"
echo "| $LOAD_DEVICES devices × $LOAD_RATE msg/s, QoS 1, $LOAD_SECONDS s | $LOAD_ACKED of $LOAD_SENT | $(rel "$LOAD_END_RSS") (end; RssAnon $(rel "$LOAD_END_ANON"), RssFile $(rel "$LOAD_END_FILE")) | $(rel "$LOAD_MAX_RSS") (VmHWM $(rel "$LOAD_HWM")) | $LOAD_THREADS |"
if [[ -n "${BACKLOG_ACKED:-}" ]]; then
  echo "| offline backlog, unthrottled, then idle | $BACKLOG_ACKED in $BACKLOG_SECONDS s (spool depth $BACKLOG_DEPTH) | $(rel "$BACKLOG_END_RSS") (after) | $(rel "$BACKLOG_MAX_RSS") | $BACKLOG_THREADS |"
fi
echo
ack() { jq -r '"p50 \(.ackLatency.p50Ms) ms, p99 \(.ackLatency.p99Ms) ms, max \(.ackLatency.maxMs) ms; \(.throughputPerSecond | floor) msg/s"' "$1"; }
BACKLOG_ACK=""
[[ -f "$RESULTS/backlog-run.json" ]] && BACKLOG_ACK="; backlog $(ack "$RESULTS/backlog-run.json")"
echo "Device-side PUBACK latency (the ack follows the spool commit and its fsync): steady load $(ack "$RESULTS/load-run.json")$BACKLOG_ACK."
echo
echo "Disk writes while spooling (process totals, so they include the daemon's own log on stdout):"
echo
echo "| Ingest | Messages | write_bytes | per message | per payload byte | wchar (write syscalls) | of which log | Group commits | Messages per commit | write_bytes per commit |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
echo "| steady load | $LOAD_ACKED | $LOAD_WRITE | $(per_msg "$LOAD_WRITE" "$LOAD_ACKED") | $(per_byte "$LOAD_WRITE" "$LOAD_ACKED") | $LOAD_WCHAR | $LOAD_LOG | $LOAD_COMMITS | $(ratio "$LOAD_ACKED" "$LOAD_COMMITS") | $(ratio "$LOAD_WRITE" "$LOAD_COMMITS") |"
if [[ -n "${BACKLOG_WRITE:-}" ]]; then
  echo "| unthrottled backlog | $BACKLOG_ACKED | $BACKLOG_WRITE | $(per_msg "$BACKLOG_WRITE" "$BACKLOG_ACKED") | $(per_byte "$BACKLOG_WRITE" "$BACKLOG_ACKED") | $BACKLOG_WCHAR | $BACKLOG_LOG | $BACKLOG_COMMITS | $(ratio "$BACKLOG_ACKED" "$BACKLOG_COMMITS") | $(ratio "$BACKLOG_WRITE" "$BACKLOG_COMMITS") |"
  echo
  echo "Data directory after the backlog: $(awk -v k="$BACKLOG_DISK" 'BEGIN {printf "%.0f", k / 1024}') MiB (\`du\`)."
fi
if [[ -f "$RESULTS/options.txt" ]]; then
  echo
  echo "What each shipped JVM option costs or saves (idle RSS, one start each; the delta is RSS without"
  echo "the option minus RSS as shipped, so a positive delta is memory the option saves):"
  echo
  echo "| JVM options | Idle RSS (MiB) | Δ vs shipped (MiB) | Threads | Ready (ms) |"
  echo "|---|---:|---:|---:|---:|"
  BASE=$(awk -F'|' '$1 == "shipped" {print $2}' "$RESULTS/options.txt")
  while IFS='|' read -r label rss th ready; do
    # runs from before the option was shipped measured it as an extra; with it shipped that row is a repeat
    [[ "$label" == "shipped + -XX:TieredStopAtLevel=1"* && " $OPTS " == *" -XX:TieredStopAtLevel=1 "* ]] \
      && label="shipped, started again (the option given twice): a repeat, shows run-to-run noise"
    echo "| $label | $(rel "$rss") | $(awk -v a="$rss" -v b="$BASE" 'BEGIN {printf "%+.1f", (a - b) / 1024}') | $th | $ready |"
  done < "$RESULTS/options.txt"
fi
echo
echo "Native memory (separate run with \`-XX:NativeMemoryTracking=summary\`, which itself adds memory:"
echo "RSS $(rel "$NMT_IDLE_RSS") MiB idle, $(rel "$NMT_LOAD_RSS") MiB under load), committed KiB by JVM category:"
echo
echo "| Category | Idle | Under load |"
echo "|---|---:|---:|"
join -t'|' -a1 -e '' -o '0,1.2,2.2' <(sort -t'|' -k1,1 "$RESULTS/nmt-idle.txt") <(sort -t'|' -k1,1 "$RESULTS/nmt-load.txt") \
  | sort -t'|' -k2,2 -rn | awk -F'|' '{printf "| %s | %s | %s |\n", $1, $2, $3}'
echo
echo "Heap after the load phase (\`jcmd GC.heap_info\`):"
echo
echo '```'
cat "$RESULTS/load-heap.txt"
echo '```'
echo
echo "Threads under load, by name (digits folded to N; \`/proc/<pid>/task/*/comm\`, 15 characters):"
echo
echo '```'
head -25 "$RESULTS/threads-load.txt"
echo '```'
echo
echo "Sizes: outpost.jar $JAR_BYTES bytes ($JAR_MB MiB)${DEB_BYTES:+; .deb $DEB_BYTES bytes, Installed-Size $DEB_INSTALLED_KB KiB}."
echo "Largest parts of the shaded jar (uncompressed bytes by package prefix):"
echo
echo '```'
head -20 "$RESULTS/jar-content.txt"
echo '```'
echo
echo "What ships: \`mvn dependency:tree -pl gateway-daemon -Dscope=runtime\`"
echo
echo '```'
cat "$RESULTS/dependency-tree.txt" 2>/dev/null || echo "(dependency:tree failed)"
echo '```'
echo
commands_details "$RESULTS/commands.txt"
