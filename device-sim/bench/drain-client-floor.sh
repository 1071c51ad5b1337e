#!/usr/bin/env bash
# The floor under the outage drain: the rate a JVM MQTT client publishes QoS 1 to the same cloud as
# spool-outage-drain.sh (Mosquitto with max_inflight_messages N and persistence, an MQTT.js consumer
# counting the messages) when it does nothing else: no spool, no gateway. Each client keeps the cloud's
# in-flight limit less one awaiting PUBACK (as the daemon's MQTT 5 link does) and sends the next publish
# from a PUBACK's completion (client-floor/ClientFloor.java). Clients: paho (Eclipse Paho 1.2.5, the
# daemon's cloud client, MQTT 5), hivemq (HiveMQ MQTT client 1.3.5, Netty, MQTT 5) and vertx (the Vert.x 5
# MQTT client, Netty, MQTT 3.1.1 only: PUBACK handling and the next publish on one event loop). In one JVM with the shipped JVM
# options (OUTPOST_JVM_OPTS overrides): half of --messages as a warm-up (not timed), then the other half timed.
#
# Usage: device-sim/bench/drain-client-floor.sh [--messages 100000] [--inflight "20 1000"] [--clients "paho vertx hivemq"]
# Needs: mosquitto, node + npm (MQTT.js under mqttjs/), jq, Maven (builds client-floor/ on first use).
# Environment: CLOUD_PORT (18891). Prints a markdown table; raw files under results/client-floor-<time>/.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MESSAGES=100000
INFLIGHT="20 1000"
CLIENTS="paho vertx hivemq"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --messages) MESSAGES="$2"; shift 2 ;;
    --inflight) INFLIGHT="$2"; shift 2 ;;
    --clients) CLIENTS="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) die "unknown argument $1" ;;
  esac
done
CLOUD_PORT="${CLOUD_PORT:-18891}"
[[ -n "${OUTPOST_JVM_OPTS+set}" ]] || OUTPOST_JVM_OPTS="$(shipped_jvm_opts)"
command -v jq >/dev/null || die "jq is required (apt-get install -y jq)"
[[ -d "$BENCH_DIR/mqttjs/node_modules/mqtt" ]] || (cd "$BENCH_DIR/mqttjs" && npm ci --no-audit --no-fund >&2)
FLOOR="$BENCH_DIR/client-floor"
[[ -f "$FLOOR/target/client-floor.jar" ]] || mvn -B -q -f "$FLOOR/pom.xml" package >&2 || die "could not build $FLOOR"

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RESULTS="$BENCH_DIR/results/client-floor-$STAMP"
mkdir -p "$RESULTS"
trap bench_cleanup EXIT
machine_info > "$RESULTS/machine.md"

echo "| client | cloud allows in flight | kept in flight | messages | publisher's rate (msg/s) | unique / duplicates at the consumer (warm-up included) |" > "$RESULTS/table.md"
echo "|---|---:|---:|---:|---:|---|" >> "$RESULTS/table.md"
for inflight in $INFLIGHT; do
  for client in $CLIENTS; do
    case_dir="$RESULTS/$client-$inflight"
    start_mosquitto "$CLOUD_PORT" "$(drain_cloud_config "$case_dir/cloud-data" "$inflight")"
    cloud_pid=$BENCH_LAST_PID
    warm=$(( MESSAGES / 2 ))
    bench_bg "$case_dir/consume.json" node "$BENCH_DIR/mqttjs/consume.mjs" --url "mqtt://127.0.0.1:$CLOUD_PORT" \
      --client-id "floor-$client-$inflight-$STAMP" --topic 'devices/#' --expect "$MESSAGES" --timeout 300 \
      --ready-file "$case_dir/consume.ready"
    consumer_pid=$BENCH_LAST_PID
    wait_for_file "$case_dir/consume.ready" "consumer"
    # shellcheck disable=SC2086 # the options are words
    bench_cmd "$JAVA" $OUTPOST_JVM_OPTS -cp "$FLOOR/target/client-floor.jar:$FLOOR/target/lib/*" io.outpost.bench.ClientFloor \
      "$client" 127.0.0.1 "$CLOUD_PORT" "$(( MESSAGES - warm ))" $(( inflight - 1 )) "$warm" > "$case_dir/floor.json"
    wait "$consumer_pid" || echo "consumer did not see all messages, see $case_dir/consume.json" >&2
    bench_stop "$cloud_pid"
    jq -r --arg c "$client" --argjson i "$inflight" --slurpfile f "$case_dir/floor.json" \
      '"| \($c) | \($i) | \($i - 1) | \($f[0].count) | \($f[0].rate) | \(.unique) / \(.duplicates) |"' \
      "$case_dir/consume.json" >> "$RESULTS/table.md"
  done
done
{
  echo "Run $STAMP with \`device-sim/bench/drain-client-floor.sh --messages $MESSAGES --inflight \"$INFLIGHT\" --clients \"$CLIENTS\"\`;"
  echo "client JVM options: \`${OUTPOST_JVM_OPTS:-none}\`."
  echo
  cat "$RESULTS/machine.md"
  echo
  cat "$RESULTS/table.md"
} > "$RESULTS/section.md"
cat "$RESULTS/section.md"
