#!/usr/bin/env bash
# Outage story: devices publish to a gateway at a fixed rate while the cloud broker goes down and
# comes back; a consumer on the cloud side checks that nothing was lost or duplicated and reports
# when the backlog finished arriving and how fast it drained.
#
#   devices (device-sim run) --> gateway --> cloud broker (Mosquitto) --> device-sim consume
#                                               ^ stopped after --before, restarted after --outage
#
# Gateways:
#   outpost           java -jar packaging/target/outpost.jar run --config F, F rendered from
#                     $OUTPOST_OUTAGE_CONFIG (default: outpost-outage.yaml.template beside this
#                     script; @PORT@, @CLOUD_PORT@ and @DIR@ are substituted). Adjust the template
#                     to the daemon's cloud-link keys once they exist.
#   mosquitto-bridge  a second Mosquitto bridging devices/# to the cloud (QoS 1, persistent bridge
#                     session): the baseline to compare Outpost's spool with.
# The cloud Mosquitto keeps its sessions on disk (persistence true), so the consumer's persistent
# session (--no-clean-session, QoS 1) survives the restart and nothing it is owed is dropped there.
#
# Usage: device-sim/bench/outage-drain.sh [--gateway outpost|mosquitto-bridge] [--devices 10]
#            [--rate 20] [--before 15] [--outage 20] [--after 25] [--no-doc]
#   (--before/--outage/--after in seconds; rate in msg/s per device)
# Environment: GATEWAY_PORT (18850), CLOUD_PORT (18851), STALE_THRESHOLD (2s), SIM_JAR, OUTPOST_JAR.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

GATEWAY="outpost"
DEVICES=10
RATE=20
BEFORE=15
OUTAGE=20
AFTER=25
WRITE_DOC=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --gateway) GATEWAY="$2"; shift 2 ;;
    --devices) DEVICES="$2"; shift 2 ;;
    --rate) RATE="$2"; shift 2 ;;
    --before) BEFORE="$2"; shift 2 ;;
    --outage) OUTAGE="$2"; shift 2 ;;
    --after) AFTER="$2"; shift 2 ;;
    --no-doc) WRITE_DOC=0; shift ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) die "unknown argument $1" ;;
  esac
done
GATEWAY_PORT="${GATEWAY_PORT:-18850}"
CLOUD_PORT="${CLOUD_PORT:-18851}"
STALE_THRESHOLD="${STALE_THRESHOLD:-2s}"
OUTPOST_OUTAGE_CONFIG="${OUTPOST_OUTAGE_CONFIG:-$BENCH_DIR/outpost-outage.yaml.template}"

require_tools
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RESULTS="$BENCH_DIR/results/outage-$GATEWAY-$STAMP"
mkdir -p "$RESULTS" "$REPO_ROOT/docs/benchmarks"
trap bench_cleanup EXIT
machine_info > "$RESULTS/machine.md"
now_ms() { date +%s%3N; }

COUNT=$(( RATE * (BEFORE + OUTAGE + AFTER) ))
CLOUD_CONF="persistence true
persistence_location $RESULTS/cloud-data/
max_queued_messages 0"
mkdir -p "$RESULTS/cloud-data"
# Mosquitto started as root drops to its own user; it must be able to write its session store, or
# the consumer's persistent session (and what it is owed) is gone after the restart.
chmod a+rwx "$RESULTS/cloud-data"

echo "== cloud broker on $CLOUD_PORT" >&2
start_mosquitto "$CLOUD_PORT" "$CLOUD_CONF"
CLOUD_PID=$BENCH_LAST_PID

echo "== gateway ($GATEWAY) on $GATEWAY_PORT" >&2
case "$GATEWAY" in
  mosquitto-bridge)
    start_mosquitto "$GATEWAY_PORT" "max_queued_messages 0
connection cloud
address 127.0.0.1:$CLOUD_PORT
topic devices/# out 1
cleansession false
restart_timeout 1 2"
    ;;
  outpost)
    mkdir -p "$RESULTS/outpost-data"
    sed -e "s#@PORT@#$GATEWAY_PORT#g" -e "s#@CLOUD_PORT@#$CLOUD_PORT#g" -e "s#@DIR@#$RESULTS/outpost-data#g" \
      "$OUTPOST_OUTAGE_CONFIG" > "$RESULTS/outpost.yaml"
    start_outpost "$GATEWAY_PORT" "$RESULTS/outpost.yaml"
    ;;
  *) die "unknown gateway $GATEWAY" ;;
esac

echo "== consumer on the cloud side" >&2
bench_bg "$RESULTS/consume.log" "$JAVA" -jar "$SIM_JAR" consume -b "tcp://127.0.0.1:$CLOUD_PORT" \
  --qos 1 --no-clean-session --client-id-prefix "cloud-drain-$STAMP" -t 'devices/+/telemetry' \
  --expect-per-device "$COUNT" --expect-devices "$DEVICES" --stale-threshold "$STALE_THRESHOLD" \
  --duration "$(( BEFORE + OUTAGE + AFTER + 180 ))s" --ready-file "$RESULTS/consume.ready" \
  -o "$RESULTS/consume.json"
CONSUMER_PID=$BENCH_LAST_PID
wait_for_file "$RESULTS/consume.ready" "consumer"

echo "== $DEVICES devices x $RATE msg/s x $COUNT messages, QoS 1" >&2
bench_bg "$RESULTS/run.log" "$JAVA" -jar "$SIM_JAR" run -b "tcp://127.0.0.1:$GATEWAY_PORT" \
  -n "$DEVICES" -r "$RATE" -c "$COUNT" --qos 1 -o "$RESULTS/run.json"
RUN_PID=$BENCH_LAST_PID
RUN_START_MS=$(now_ms)

sleep "$BEFORE"
echo "== cloud down" >&2
DOWN_MS=$(now_ms)
bench_stop "$CLOUD_PID"
sleep "$OUTAGE"
echo "== cloud up" >&2
start_mosquitto "$CLOUD_PORT" "$CLOUD_CONF"
UP_MS=$(now_ms)

wait "$RUN_PID" || echo "device-sim run reported errors, see $RESULTS/run.log" >&2
wait "$CONSUMER_PID" || die "consumer failed, see $RESULTS/consume.log"
echo "{\"runStartMs\":$RUN_START_MS,\"cloudDownMs\":$DOWN_MS,\"cloudUpMs\":$UP_MS}" > "$RESULTS/events.json"

C="$RESULTS/consume.json"
CONSUMER_START_MS=$(jq '.timeline[0].epochMillis - (.timeline[0].seconds * 1000 | floor)' "$C")
# the chart's time axis starts when the consumer (the earliest process) started
bench_cmd "$JAVA" -jar "$SIM_JAR" chart timeline \
  --title "Outage and recovery via $GATEWAY: cloud down $(( (DOWN_MS - CONSUMER_START_MS) / 1000 ))s..$(( (UP_MS - CONSUMER_START_MS) / 1000 ))s" \
  --out "$REPO_ROOT/docs/benchmarks/outage-$GATEWAY.png" \
  "devices -> gateway (acked)=$RESULTS/run.json" "cloud consumer (received)=$RESULTS/consume.json"

{
  echo
  echo "Run $STAMP with \`device-sim/bench/outage-drain.sh --gateway $GATEWAY --devices $DEVICES --rate $RATE --before $BEFORE --outage $OUTAGE --after $AFTER\`."
  echo
  echo "Machine:"
  echo
  cat "$RESULTS/machine.md"
  echo
  echo "Load: $DEVICES devices × $RATE msg/s, $COUNT messages each, QoS 1, 100-byte payloads. Cloud"
  echo "(Mosquitto, persistent) stopped with SIGTERM $(( (DOWN_MS - RUN_START_MS) / 1000 )) s after the devices"
  echo "started and restarted $(( (UP_MS - DOWN_MS) / 1000 )) s later. Backlog = messages arriving at the cloud"
  echo "consumer more than $STALE_THRESHOLD after their intended send time."
  echo
  echo "| Gateway | Sent | Acked by gateway | Received in cloud | Lost | Dup | Backlog msgs | Backlog done after cloud up (s) | Drain time (s) | Drain rate (msg/s) | p99 e2e (ms) |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$GATEWAY" \
    "$(jq .sent "$RESULTS/run.json")" "$(jq .acked "$RESULTS/run.json")" "$(jq .received "$C")" \
    "$(jq .sequence.lost "$C")" "$(jq .sequence.duplicates "$C")" "$(jq .drain.backlogMessages "$C")" \
    "$(jq --argjson s "$CONSUMER_START_MS" --argjson up "$UP_MS" \
        'if .drain.lastBacklogAtSeconds < 0 then "-" else (($s + .drain.lastBacklogAtSeconds * 1000 - $up) / 1000 * 100 | round / 100) end' "$C")" \
    "$(jq '.drain.drainSeconds * 100 | round / 100' "$C")" "$(jq '.drain.drainRatePerSecond | floor' "$C")" \
    "$(jq .endToEndLatency.p99Ms "$C")"
  echo
  echo "![outage $GATEWAY](benchmarks/outage-$GATEWAY.png)"
  echo
  commands_details "$RESULTS/commands.txt"
} > "$RESULTS/section.md"

if [[ "$WRITE_DOC" == 1 ]]; then
  update_doc_section "outage-drain-$GATEWAY" "$RESULTS/section.md"
  echo "updated docs/benchmarks.md (raw results in ${RESULTS#$REPO_ROOT/})" >&2
fi
cat "$RESULTS/section.md"
