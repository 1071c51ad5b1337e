#!/usr/bin/env bash
# Durable ingest sweep: the packaged daemon with everything routed to an absent cloud (so every QoS 1
# message is committed to the spool before its PUBACK), driven by MQTT.js publishers over loopback.
# With --cloud-online the cloud is there (Mosquitto on CLOUD_PORT, 18871): each message is also drained and
# deleted while the publishers run, as on a gateway whose link is up.
# For each wear budget (storage.maxCommitsPerSecond) and each load point (offered rate x publishers x
# window) it reports PUBACK p50/p99, the rate achieved, and bytes the daemon wrote to disk per payload
# byte (write_bytes of /proc/<daemon pid>/io, before and after the point). The disk's own floor (single-
# row SQLite WAL commit with synchronous=FULL, and fsync of 4 KiB) is measured in the same run, on the
# same file system, by disk-floor.py.
#
# Usage: device-sim/bench/spool-ingest-sweep.sh [--budgets "0 25 5"] (a budget "default" leaves the key out;
#          "25@1024" also sets storage.pageSize: 1024 for a fresh spool) [--rates "10 100 1000 10000 0"]
#          [--publishers "1 4"] [--windows "1 100"] [--seconds 10] [--count 50000] [--nodelay] [--cloud-online]
#          [--no-doc]
#   rate 0 = unthrottled (--count messages); other rates run for --seconds. --nodelay: publishers set
#   TCP_NODELAY (MQTT.js leaves Nagle on, so a publish may wait for the broker's delayed TCP ACK).
# Needs: the packaged daemon (mvn -B -pl packaging -am package -DskipTests), node + npm (MQTT.js is
# installed into device-sim/bench/mqttjs/node_modules on first use), /usr/bin/python3, jq.
# Environment: GATEWAY_PORT (18870), CLOUD_PORT (18871), OUTPOST_JAR, OUTPOST_JVM_OPTS (none: a plain java -jar).

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BUDGETS="0 25 5"
RATES="10 100 1000 10000 0"
PUBLISHERS="1 4"
WINDOWS="1 100"
SECONDS_PER_POINT=10
COUNT=50000
WRITE_DOC=1
NODELAY=0
CLOUD_ONLINE=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --budgets) BUDGETS="$2"; shift 2 ;;
    --rates) RATES="$2"; shift 2 ;;
    --publishers) PUBLISHERS="$2"; shift 2 ;;
    --windows) WINDOWS="$2"; shift 2 ;;
    --seconds) SECONDS_PER_POINT="$2"; shift 2 ;;
    --count) COUNT="$2"; shift 2 ;;
    --no-doc) WRITE_DOC=0; shift ;;
    --nodelay) NODELAY=1; shift ;;
    --cloud-online) CLOUD_ONLINE=1; shift ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) die "unknown argument $1" ;;
  esac
done
GATEWAY_PORT="${GATEWAY_PORT:-18870}"
CLOUD_PORT="${CLOUD_PORT:-18871}"
PAYLOAD=200

command -v jq >/dev/null || die "jq is required (apt-get install -y jq)"
command -v node >/dev/null || die "node is required"
[[ -x /usr/bin/python3 ]] || die "/usr/bin/python3 is required"
[[ -d "$BENCH_DIR/mqttjs/node_modules/mqtt" ]] || (cd "$BENCH_DIR/mqttjs" && npm ci --no-audit --no-fund >&2)

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RESULTS="$BENCH_DIR/results/ingest-sweep-$STAMP"
mkdir -p "$RESULTS"
trap bench_cleanup EXIT
machine_info > "$RESULTS/machine.md"

echo "== disk floor" >&2
bench_cmd /usr/bin/python3 "$BENCH_DIR/disk-floor.py" "$RESULTS/floor" 2000 > "$RESULTS/floor.json"

write_bytes() { awk '/^write_bytes:/ {print $2}' "/proc/$1/io"; }

cloud_url=
if [[ "$CLOUD_ONLINE" == 1 ]]; then
  start_mosquitto "$CLOUD_PORT" "max_queued_messages 0"
  cloud_url="tcp://127.0.0.1:$CLOUD_PORT"
fi

echo "budget,publishers,window,offered,acked,achieved,p50_ms,p99_ms,bytes_written,bytes_per_payload_byte" \
  > "$RESULTS/sweep.csv"
for budget in $BUDGETS; do
  data="$RESULTS/data-$budget"
  mkdir -p "$data"
  spool_bench_config "$budget" "$data" "$GATEWAY_PORT" "$cloud_url" > "$RESULTS/outpost-$budget.yaml"
  echo "== daemon, storage.maxCommitsPerSecond $budget" >&2
  start_outpost "$GATEWAY_PORT" "$RESULTS/outpost-$budget.yaml"
  pid=$BENCH_LAST_PID
  for publishers in $PUBLISHERS; do
    for window in $WINDOWS; do
      for rate in $RATES; do
        before=$(write_bytes "$pid")
        out="$RESULTS/point-$budget-$publishers-$window-$rate.json"
        bench_cmd node "$BENCH_DIR/mqttjs/load.mjs" --url "mqtt://127.0.0.1:$GATEWAY_PORT" --publishers "$publishers" \
          --window "$window" --rate "$rate" --seconds "$SECONDS_PER_POINT" --count "$COUNT" --payload "$PAYLOAD" \
          --nodelay "$NODELAY" --run "b$budget-p$publishers-w$window-r$rate" > "$out" || echo "load point failed: $out" >&2
        sleep 1 # let the last commits and a checkpoint land in this point's bytes
        written=$(( $(write_bytes "$pid") - before ))
        jq -r --arg b "$budget" --argjson w "$written" --argjson p "$PAYLOAD" \
          '[$b, .publishers, .window, .offeredRate, .acked, .achievedRate, .pubackP50Ms, .pubackP99Ms, $w,
            (if .acked > 0 then ($w / (.acked * $p) * 100 | round / 100) else "-" end)] | @csv' "$out" \
          >> "$RESULTS/sweep.csv"
        tail -1 "$RESULTS/sweep.csv" >&2
      done
    done
  done
  bench_stop "$pid"
done

{
  echo
  echo "Run $STAMP with \`device-sim/bench/spool-ingest-sweep.sh --budgets \"$BUDGETS\" --rates \"$RATES\" --publishers \"$PUBLISHERS\" --windows \"$WINDOWS\" --seconds $SECONDS_PER_POINT --count $COUNT$([[ $NODELAY == 1 ]] && echo " --nodelay")$([[ $CLOUD_ONLINE == 1 ]] && echo " --cloud-online")\`."
  echo "Outpost's JVM options: \`${OUTPOST_JVM_OPTS:-none (plain java -jar)}\`."
  echo
  cat "$RESULTS/machine.md"
  echo
  echo "Disk floor (same file system): single-row SQLite WAL commit, synchronous=FULL:" \
    "$(jq -r '.sqliteSingleRowCommit | "\(.commitsPerSecond) commits/s, p50 \(.p50Ms) ms, p99 \(.p99Ms) ms"' "$RESULTS/floor.json");" \
    "fsync of 4 KiB: $(jq -r '.fsync4k | "p50 \(.p50Ms) ms, p99 \(.p99Ms) ms"' "$RESULTS/floor.json")."
  echo
  echo "| maxCommitsPerSecond[@pageSize] | publishers | window | offered msg/s (0 = unthrottled) | acked | achieved msg/s | PUBACK p50 ms | p99 ms | bytes written | per payload byte |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  tail -n +2 "$RESULTS/sweep.csv" | tr -d '"' | awk -F, '{printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1,$2,$3,$4,$5,$6,$7,$8,$9,$10}'
  echo
  commands_details "$RESULTS/commands.txt"
} > "$RESULTS/section.md"

if [[ "$WRITE_DOC" == 1 ]]; then
  update_doc_section "spool-ingest-sweep" "$RESULTS/section.md"
  echo "updated docs/benchmarks.md (raw results in ${RESULTS#$REPO_ROOT/})" >&2
fi
cat "$RESULTS/section.md"
