#!/usr/bin/env bash
# Side-by-side broker benchmark: Outpost vs Mosquitto on loopback, same load from device-sim.
#
# Rows: fan-in (4 publishers -> 1 subscriber) and fan-out (1 publisher -> 50 subscribers), QoS 0
# and QoS 1, 100-byte payloads. Each row runs twice:
#   max   - publishers as fast as their in-flight window allows; throughput = deliveries/s at the
#           subscribers, plus what was lost or duplicated on the way;
#   fixed - a fixed offered load (well below saturation); end-to-end latency p50/p99 from the send
#           time embedded in each payload (coordinated-omission aware: measured from the intended
#           send time).
# Writes raw JSON + command lines under device-sim/bench/results/<stamp>/, PNG plots under
# docs/benchmarks/, and the "broker-comparison" section of docs/benchmarks.md.
#
# Usage: device-sim/bench/broker-compare.sh [--targets mosquitto,outpost] [--duration 10s]
#            [--mqtt-version 3.1.1|5] [--no-doc]
#   Outpost is started as the packaged launcher (/usr/bin/outpost) starts it:
#   java $JAVA_OPTS -jar packaging/target/outpost.jar run --config F, with JAVA_OPTS read from
#   packaging/src/deb/files/etc/default/outpost (the shipped /etc/default/outpost) and
#   F = broker: {listeners: [{host: 127.0.0.1, port: PORT}]} and storage: {dir: DIR}.
# Environment: MOSQUITTO_PORT (18830), OUTPOST_PORT (18840), FANIN_RATE (250 msg/s per publisher),
#   FANOUT_RATE (100 msg/s), WINDOW (100 unacked per publisher), WARMUP (2s of arrivals left out of
#   latency figures), SIM_JAR, OUTPOST_JAR, JAVA, OUTPOST_JVM_OPTS (JVM options of Outpost instead
#   of the shipped ones; set it empty for a plain `java -jar`).

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TARGETS="mosquitto"
DURATION="10s"
MQTT_VERSION="3.1.1"
WRITE_DOC=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --targets) TARGETS="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --mqtt-version) MQTT_VERSION="$2"; shift 2 ;;
    --no-doc) WRITE_DOC=0; shift ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) die "unknown argument $1" ;;
  esac
done
MOSQUITTO_PORT="${MOSQUITTO_PORT:-18830}"
OUTPOST_PORT="${OUTPOST_PORT:-18840}"
FANIN_RATE="${FANIN_RATE:-250}"
FANOUT_RATE="${FANOUT_RATE:-100}"
WINDOW="${WINDOW:-100}"
WARMUP="${WARMUP:-2s}"
# The JVM options Outpost ships with; read in a subshell so the file's other settings stay out of this script.
if [[ -z "${OUTPOST_JVM_OPTS+set}" ]]; then
  OUTPOST_JVM_OPTS="$(. "$REPO_ROOT/packaging/src/deb/files/etc/default/outpost" && echo "${JAVA_OPTS:-}")"
fi

require_tools
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RESULTS="$BENCH_DIR/results/broker-$STAMP"
mkdir -p "$RESULTS" "$REPO_ROOT/docs/benchmarks"
trap bench_cleanup EXIT
machine_info > "$RESULTS/machine.md"

# run_case TARGET PORT PATTERN QOS PHASE -> writes $RESULTS/<id>-{consume,run}.json
run_case() {
  local target="$1" port="$2" pattern="$3" qos="$4" phase="$5"
  local id="$target-$pattern-qos$qos-$phase" pubs subs rate
  if [[ "$pattern" == fanin ]]; then pubs=4; subs=1; rate="$FANIN_RATE"; else pubs=1; subs=50; rate="$FANOUT_RATE"; fi
  [[ "$phase" == max ]] && rate=0
  echo "== $id: $pubs publisher(s) -> $subs subscriber(s), QoS $qos, rate ${rate/#0/unlimited}" >&2
  rm -f "$RESULTS/$id.ready"
  bench_bg "$RESULTS/$id-consume.log" "$JAVA" -jar "$SIM_JAR" consume -b "tcp://127.0.0.1:$port" \
    -m "$MQTT_VERSION" --qos "$qos" --subscribers "$subs" --client-id-prefix "sub-$id" \
    -t "bench/$id/+" --warmup "$WARMUP" --idle-timeout 3s --duration 10m --ready-file "$RESULTS/$id.ready" \
    -o "$RESULTS/$id-consume.json" -q
  local consumer=$BENCH_LAST_PID
  wait_for_file "$RESULTS/$id.ready" "consumer for $id"
  bench_cmd "$JAVA" -jar "$SIM_JAR" run -b "tcp://127.0.0.1:$port" -m "$MQTT_VERSION" \
    -n "$pubs" --device-prefix "pub-$id-" -t "bench/$id/{deviceId}" -s 100 --qos "$qos" \
    -r "$rate" -d "$DURATION" --window "$WINDOW" -o "$RESULTS/$id-run.json" -q > /dev/null || true
  wait "$consumer" || die "consumer for $id failed, see $RESULTS/$id-consume.log"
}

run_target() {
  local target="$1" port
  case "$target" in
    mosquitto)
      port="$MOSQUITTO_PORT"
      start_mosquitto "$port" ""
      ;;
    outpost)
      port="$OUTPOST_PORT"
      mkdir -p "$RESULTS/outpost-data"
      printf 'broker: {listeners: [{host: 127.0.0.1, port: %s}]}\nstorage: {dir: %s}\n' \
        "$port" "$RESULTS/outpost-data" > "$RESULTS/outpost.yaml"
      [[ -f "$OUTPOST_JAR" ]] || die "missing $OUTPOST_JAR: build it with  mvn -B -pl packaging -am package -DskipTests"
      # shellcheck disable=SC2086  # a list of options: word splitting intended, as in the launcher
      bench_bg "$RESULTS/outpost-$port.log" "$JAVA" $OUTPOST_JVM_OPTS -jar "$OUTPOST_JAR" run --config "$RESULTS/outpost.yaml"
      wait_for_port "$port" "outpost"
      ;;
    *) die "unknown target $target (mosquitto or outpost)" ;;
  esac
  local broker_pid=$BENCH_LAST_PID
  for pattern in fanin fanout; do
    for qos in 0 1; do
      for phase in max fixed; do run_case "$target" "$port" "$pattern" "$qos" "$phase"; done
    done
  done
  bench_stop "$broker_pid"
}

IFS=',' read -r -a target_list <<< "$TARGETS"
for t in "${target_list[@]}"; do run_target "$t"; done

# ---- report ------------------------------------------------------------------------------------
fmt() { jq -r "$1" "$2"; }
{
  echo "| Broker | Pattern | QoS | Max throughput (deliveries/s) | Lost | Dup | Fixed load | p50 e2e (ms) | p99 e2e (ms) | Lost (fixed) |"
  echo "|---|---|---|---:|---:|---:|---|---:|---:|---:|"
  for t in "${target_list[@]}"; do
    for pattern in fanin fanout; do
      for qos in 0 1; do
        max="$RESULTS/$t-$pattern-qos$qos-max-consume.json"
        fixed="$RESULTS/$t-$pattern-qos$qos-fixed-consume.json"
        if [[ "$pattern" == fanin ]]; then shape="fan-in 4→1"; load="4 × $FANIN_RATE msg/s"; else shape="fan-out 1→50"; load="1 × $FANOUT_RATE msg/s → 50"; fi
        printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$t" "$shape" "$qos" \
          "$(fmt '.throughputPerSecond | floor' "$max")" "$(fmt '.sequence.lost' "$max")" \
          "$(fmt '.sequence.duplicates' "$max")" "$load" \
          "$(fmt '.endToEndLatency.p50Ms' "$fixed")" "$(fmt '.endToEndLatency.p99Ms' "$fixed")" \
          "$(fmt '.sequence.lost' "$fixed")"
      done
    done
  done
} > "$RESULTS/table.md"

for pattern in fanin fanout; do
  series=()
  for t in "${target_list[@]}"; do
    for qos in 0 1; do series+=("$t QoS$qos=$RESULTS/$t-$pattern-qos$qos-fixed-consume.json"); done
  done
  bench_cmd "$JAVA" -jar "$SIM_JAR" chart latency --title "End-to-end latency, $pattern, fixed load" \
    --out "$REPO_ROOT/docs/benchmarks/broker-latency-$pattern.png" "${series[@]}"
  series=()
  for t in "${target_list[@]}"; do
    for qos in 0 1; do series+=("$t QoS$qos=$RESULTS/$t-$pattern-qos$qos-max-consume.json"); done
  done
  bench_cmd "$JAVA" -jar "$SIM_JAR" chart timeline --title "Deliveries per second, $pattern, max load" \
    --out "$REPO_ROOT/docs/benchmarks/broker-throughput-$pattern.png" "${series[@]}"
done

{
  echo
  echo "Run $STAMP with \`device-sim/bench/broker-compare.sh --targets $TARGETS --duration $DURATION --mqtt-version $MQTT_VERSION\`."
  echo
  echo "Machine:"
  echo
  cat "$RESULTS/machine.md"
  echo
  echo "Brokers on 127.0.0.1, default settings (Mosquitto: only \`listener\` and \`allow_anonymous true\`;"
  echo "Outpost: \`broker.listeners\` and \`storage.dir\`, run with the JVM options it ships with in"
  echo "\`/etc/default/outpost\`: \`${OUTPOST_JVM_OPTS:-none, plain java -jar}\`). MQTT $MQTT_VERSION, 100-byte JSON payloads, each"
  echo "publisher and subscriber its own connection, all clients in two device-sim JVMs on the same machine."
  echo "Max phase: publishers unthrottled (window $WINDOW unacked each) for $DURATION; throughput is"
  echo "deliveries per second summed over subscribers (first to last arrival). Fixed phase: the offered"
  echo "load shown, for $DURATION; latency from the intended send time in the payload to arrival,"
  echo "leaving out arrivals in the first $WARMUP (JIT warm-up; they still count for loss checks)."
  echo "Lost/Dup come from per-publisher sequence numbers checked by every subscriber. When a subscriber"
  echo "falls behind (half of its \`maxQueuedMessages\` waiting), Outpost stops reading from the publishers"
  echo "of its messages for 10 ms at a time (TCP backpressure, \`outpost.broker.publishers.throttled\`)"
  echo "instead of taking in messages it would drop; Mosquitto drops them (its \`max_queued_messages\`)."
  echo
  cat "$RESULTS/table.md"
  echo
  echo "![latency fan-in](benchmarks/broker-latency-fanin.png)"
  echo "![latency fan-out](benchmarks/broker-latency-fanout.png)"
  echo "![throughput fan-in](benchmarks/broker-throughput-fanin.png)"
  echo "![throughput fan-out](benchmarks/broker-throughput-fanout.png)"
  echo
  commands_details "$RESULTS/commands.txt"
} > "$RESULTS/section.md"

if [[ "$WRITE_DOC" == 1 ]]; then
  update_doc_section broker-comparison "$RESULTS/section.md"
  echo "updated docs/benchmarks.md (raw results in ${RESULTS#$REPO_ROOT/})" >&2
fi
cat "$RESULTS/table.md"
