#!/usr/bin/env bash
# Side-by-side broker benchmark on loopback: Outpost, Mosquitto and HiveMQ CE, run in turn, every
# broker configured not to drop (the configuration of each is printed in the report), the same
# third-party load generator for all (MQTT.js, the npm `mqtt` package; device-sim's Paho clients
# with --generator device-sim).
#
# Rows (100-byte payloads, in-flight window WINDOW per publisher, publishers unthrottled for the
# duration; throughput = deliveries per second at the subscribers, first to last arrival):
#   fan-in 4->1   QoS 0 (MQTT 3.1.1), QoS 1 (3.1.1), QoS 1 (MQTT 5)
#   fan-out 1->50 QoS 0, QoS 1 (3.1.1)
#   durable       Outpost only: 4 publishers at QoS 1 on a topic routed to the cloud (no cloud
#                 configured, so every message is committed to the SQLite spool before its PUBACK);
#                 throughput = PUBACKs per second; Lost = acknowledged but not in the spool (the
#                 spool depth from the admin API's /metrics).
# Every row has Lost and Dup (exact: each subscriber keeps a bitmap of the sequence numbers of
# each publisher) and end-to-end latency p50/p99 at that full load (send time in the payload to
# arrival). "Limited by" comes from CPU time during the row: the broker's from /proc/<pid>/stat,
# the generator's from /usr/bin/time; node is single-threaded, so a generator process near 100%
# of a core is the limit, and so is the whole machine near 2 cores.
#
# Usage: device-sim/bench/broker-compare.sh [--targets outpost,mosquitto,hivemq] [--duration 10]
#            [--repeat 1] [--rows fanin-q0,fanin-q1,fanin-q1-v5,fanout-q0,fanout-q1,durable]
#            [--generator mqttjs|device-sim] [--no-doc]
#   Outpost runs as the packaged launcher runs it: java $JAVA_OPTS -jar packaging/target/outpost.jar
#   run --config F, JAVA_OPTS from packaging/src/deb/files/etc/default/outpost (OUTPOST_JVM_OPTS
#   overrides them; OUTPOST_LABEL names that variant in the table, e.g. to compare JVM profiles),
#   F = the shipped outpost.yaml's keys (listener, storage, admin) on bench ports.
#   Target outpost-throughput runs the same jar with the throughput JVM profile documented in
#   /etc/default/outpost (OUTPOST_THROUGHPUT_JVM_OPTS), to compare the two profiles in one run.
#   HiveMQ CE runs embedded from device-sim/bench/hivemq (built on first use with Maven).
#   --repeat N runs each row N times and keeps the best throughput. A try whose subscribers the broker does not
#   accept within 60 s (e.g. still working off the previous try's backlog) is recorded as failed and the run goes on.
# Environment: MOSQUITTO_PORT (18830), OUTPOST_PORT (18840), OUTPOST_ADMIN_PORT (18841),
#   HIVEMQ_PORT (18850), WINDOW (100), SUB_PROCS (2: node processes a row's subscribers are split over, so one
#   single-threaded process does not limit a fan-out row), IDLE (10: seconds without arrivals before the subscribers give
#   up on messages not yet arrived; they stop at once when all have), MAX_DRAIN (60: seconds after the
#   publishers' duration by which a row ends; what has not arrived then counts as lost), HIVEMQ_JVM_OPTS (-Xmx2g), SIM_JAR, OUTPOST_JAR, JAVA,
#   OUTPOST_BROKER_KEYS (one line added to Outpost's broker: section, e.g. 'nativeTransport: false').
#   HiveMQ variants (to check what limits it): HIVEMQ_QUEUE_SIZE (10000000 messages per client),
#   HIVEMQ_PERSISTENCE (in-memory; file-native), HIVEMQ_LIFT (all; none keeps HiveMQ's internal QoS 0 limits).
# Results: device-sim/bench/results/broker-<stamp>/ (raw JSON, logs, configs, commands) and, unless
# --no-doc, the "broker-comparison" section of docs/benchmarks.md.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TARGETS="outpost,mosquitto,hivemq"
DURATION=10
REPEAT=1
ROWS="fanin-q0,fanin-q1,fanin-q1-v5,fanout-q0,fanout-q1,durable"
GENERATOR=mqttjs
WRITE_DOC=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --targets) TARGETS="$2"; shift 2 ;;
    --duration) DURATION="${2%s}"; shift 2 ;;
    --repeat) REPEAT="$2"; shift 2 ;;
    --rows) ROWS="$2"; shift 2 ;;
    --generator) GENERATOR="$2"; shift 2 ;;
    --no-doc) WRITE_DOC=0; shift ;;
    -h|--help) sed -n '2,36p' "$0"; exit 0 ;;
    *) die "unknown argument $1" ;;
  esac
done
MOSQUITTO_PORT="${MOSQUITTO_PORT:-18830}"
OUTPOST_PORT="${OUTPOST_PORT:-18840}"
OUTPOST_ADMIN_PORT="${OUTPOST_ADMIN_PORT:-18841}"
HIVEMQ_PORT="${HIVEMQ_PORT:-18850}"
WINDOW="${WINDOW:-100}"
SUB_PROCS="${SUB_PROCS:-2}"
IDLE="${IDLE:-10}"
MAX_DRAIN="${MAX_DRAIN:-60}"
HIVEMQ_JVM_OPTS="${HIVEMQ_JVM_OPTS:--Xmx2g}"
HIVEMQ_DIR="$BENCH_DIR/hivemq"
CLK_TCK="$(getconf CLK_TCK)"
[[ -n "${OUTPOST_JVM_OPTS+set}" ]] || OUTPOST_JVM_OPTS="$(shipped_jvm_opts)"
OUTPOST_LABEL="${OUTPOST_LABEL:-outpost}"
[[ -n "${OUTPOST_THROUGHPUT_JVM_OPTS+set}" ]] || OUTPOST_THROUGHPUT_JVM_OPTS="$(shipped_throughput_jvm_opts)"

command -v jq >/dev/null || die "jq is required (apt-get install -y jq)"
[[ -x /usr/bin/time ]] || die "/usr/bin/time is required (apt-get install -y time)"
case "$GENERATOR" in
  mqttjs)
    command -v node >/dev/null || die "node is required for the MQTT.js generator"
    [[ -d "$BENCH_DIR/mqttjs/node_modules/mqtt" ]] || (cd "$BENCH_DIR/mqttjs" && npm ci --no-audit --no-fund >&2) ;;
  device-sim) require_tools ;;
  *) die "unknown generator $GENERATOR (mqttjs or device-sim)" ;;
esac
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RESULTS="$BENCH_DIR/results/broker-$STAMP"
mkdir -p "$RESULTS"
trap bench_cleanup EXIT
machine_info > "$RESULTS/machine.md"
IFS=',' read -r -a target_list <<< "$TARGETS"
IFS=',' read -r -a row_list <<< "$ROWS"

# row_shape ROW -> "publishers subscribers qos protocol"
row_shape() {
  case "$1" in
    fanin-q0) echo "4 1 0 4" ;;
    fanin-q1) echo "4 1 1 4" ;;
    fanin-q1-v5) echo "4 1 1 5" ;;
    fanout-q0) echo "1 50 0 4" ;;
    fanout-q1) echo "1 50 1 4" ;;
    durable) echo "4 1 1 4" ;;
    *) die "unknown row $1" ;;
  esac
}
row_title() {
  case "$1" in
    fanin-q0) echo "fan-in 4→1, QoS 0" ;;
    fanin-q1) echo "fan-in 4→1, QoS 1" ;;
    fanin-q1-v5) echo "fan-in 4→1, QoS 1, MQTT 5" ;;
    fanout-q0) echo "fan-out 1→50, QoS 0" ;;
    fanout-q1) echo "fan-out 1→50, QoS 1" ;;
    durable) echo "cloud-routed QoS 1 (durable spool), 4 publishers" ;;
  esac
}

# Cumulative CPU ticks (user + system) of a running process.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
now_s() { date +%s.%N; }
# Machine-wide "total idle" jiffies from /proc/stat (all cores), for how busy the machine was.
machine_ticks() { awk '/^cpu / {t = 0; for (i = 2; i <= NF; i++) t += $i; print t, $5 + $6}' /proc/stat; }
# CPU seconds (user + system) recorded by /usr/bin/time -f '%U %S %e' in file $1.
time_cpu() { awk 'END {print $1 + $2}' "$1" 2>/dev/null || echo 0; }

# Spool depth (messages waiting for the cloud) from Outpost's admin API.
spool_depth() {
  local token
  token="$(cat "$RESULTS/outpost-data/admin.token")"
  curl -fsS -H "Authorization: Bearer $token" "http://127.0.0.1:$OUTPOST_ADMIN_PORT/metrics" \
    | awk '/^outpost_spool_depth[{ ]/ {sum += $NF} END {printf "%d\n", sum}'
}

# run_row TARGET PORT BROKER_PID ROW TRY -> $RESULTS/<target>-<row>-<try>.json (normalized figures)
run_row() {
  local target="$1" port="$2" broker_pid="$3" row="$4" try="$5"
  local id="$target-$row-$try" pubs subs qos proto topic depth_before=0
  read -r pubs subs qos proto <<< "$(row_shape "$row")"
  topic="bench/$row-$try"
  [[ "$row" == durable ]] && topic="bench/durable"
  echo "== $id: $pubs publisher(s) -> $subs subscriber(s), QoS $qos, MQTT $proto, ${DURATION}s" >&2
  [[ "$row" == durable ]] && depth_before="$(spool_depth)"
  rm -f "$RESULTS/$id.ready"
  local sub_json="$RESULTS/$id-sub.json" pub_json="$RESULTS/$id-pub.json"
  # node is single-threaded: a row's subscribers are split over up to SUB_PROCS processes so that the
  # generator is not what limits a fan-out row; their reports are merged (fanmerge.mjs)
  local procs=1 k consumers=()
  [[ "$GENERATOR" == mqttjs ]] && procs=$(( subs < SUB_PROCS ? subs : SUB_PROCS ))
  if [[ "$GENERATOR" == mqttjs ]]; then
    for ((k = 1; k <= procs; k++)); do
      local share=$(( subs / procs + (k <= subs % procs ? 1 : 0) ))
      rm -f "$RESULTS/$id.ready.$k"
      bench_bg "$RESULTS/$id-sub.$k.log" /usr/bin/time -f '%U %S %e' -o "$RESULTS/$id-sub.$k.time" \
        node "$BENCH_DIR/mqttjs/fansub.mjs" --url "mqtt://127.0.0.1:$port" --out "$RESULTS/$id-sub.$k.json" \
        --latencies-out "$RESULTS/$id-sub.$k.lat" \
        --subscribers "$share" --qos "$qos" --protocol "$proto" --topic "$topic/+" --client-id-prefix "s-$id-$k-" \
        --ready-file "$RESULTS/$id.ready.$k" --expect-file "$RESULTS/$id.expect" --idle "$IDLE" --warmup 1 \
        --max-seconds "$((DURATION + MAX_DRAIN))"
      consumers+=("$BENCH_LAST_PID")
    done
    # a broker that does not take the subscribers (e.g. still working off the previous try's backlog) fails
    # this try, recorded as such; the run goes on with the next one
    local ready_by=$((SECONDS + 60)) k2
    for ((k = 1; k <= procs; k++)); do
      while [[ ! -f "$RESULTS/$id.ready.$k" && $SECONDS -lt $ready_by ]] && kill -0 "${consumers[$((k - 1))]}" 2>/dev/null; do
        sleep 0.1
      done
      if [[ ! -f "$RESULTS/$id.ready.$k" ]]; then
        echo "subscribers for $id ($k of $procs) not accepted by $target within 60 s: try recorded as failed" >&2
        for k2 in "${consumers[@]}"; do kill "$k2" 2>/dev/null || true; wait "$k2" 2>/dev/null || true; done
        jq -n --arg row "$row" --arg target "$target" --arg why "the broker did not accept the subscribers within 60 s" \
          '{target: $target, row: $row, throughput: 0, failed: $why}' > "$RESULTS/$id.row.json"
        return 0
      fi
    done
    touch "$RESULTS/$id.ready"
  else
    bench_bg "$RESULTS/$id-sub.log" /usr/bin/time -f '%U %S %e' -o "$RESULTS/$id-sub.time" \
      "$JAVA" -jar "$SIM_JAR" consume -b "tcp://127.0.0.1:$port" -m "$([[ $proto == 5 ]] && echo 5 || echo 3.1.1)" \
      --qos "$qos" --subscribers "$subs" --client-id-prefix "s-$id" -t "$topic/+" --warmup 1s --idle-timeout 3s \
      --duration 10m --ready-file "$RESULTS/$id.ready" -o "$sub_json" -q
    consumers+=("$BENCH_LAST_PID")
  fi
  wait_for_file "$RESULTS/$id.ready" "subscribers for $id"
  local t0 c0 t1 c1 m0 m1
  t0="$(now_s)"; c0="$(cpu_ticks "$broker_pid")"; m0="$(machine_ticks)"
  if [[ "$GENERATOR" == mqttjs ]]; then
    bench_cmd /usr/bin/time -f '%U %S %e' -o "$RESULTS/$id-pub.time" node "$BENCH_DIR/mqttjs/fanpub.mjs" \
      --url "mqtt://127.0.0.1:$port" --publishers "$pubs" --qos "$qos" --protocol "$proto" --window "$WINDOW" \
      --seconds "$DURATION" --topic-prefix "$topic" --client-id-prefix "p-$id-" > "$pub_json" || true
    cp "$pub_json" "$RESULTS/$id.expect.tmp" && mv "$RESULTS/$id.expect.tmp" "$RESULTS/$id.expect"
  else
    bench_cmd /usr/bin/time -f '%U %S %e' -o "$RESULTS/$id-pub.time" "$JAVA" -jar "$SIM_JAR" run \
      -b "tcp://127.0.0.1:$port" -m "$([[ $proto == 5 ]] && echo 5 || echo 3.1.1)" -n "$pubs" \
      --device-prefix "p$try-" -t "$topic/{deviceId}" -s 100 --qos "$qos" -r 0 -d "${DURATION}s" \
      --window "$WINDOW" -o "$pub_json" -q > /dev/null || true
  fi
  for k in "${consumers[@]}"; do wait "$k" || die "subscribers for $id failed, see $RESULTS/$id-sub*.log"; done
  if [[ "$GENERATOR" == mqttjs ]]; then
    local merge=()
    for ((k = 1; k <= procs; k++)); do merge+=("$RESULTS/$id-sub.$k.json:$RESULTS/$id-sub.$k.lat"); done
    node "$BENCH_DIR/mqttjs/fanmerge.mjs" --out "$sub_json" "${merge[@]}" || die "could not merge the subscribers' reports for $id"
    cat "$RESULTS/$id-sub".*.time | awk '{u += $1; s += $2; if ($3 > e) e = $3} END {print u, s, e}' > "$RESULTS/$id-sub.time"
  fi
  # the busiest single subscriber process: what says whether one of them was the limit
  local sub_max_cpu f
  sub_max_cpu="$(time_cpu "$RESULTS/$id-sub.time")"
  if [[ "$GENERATOR" == mqttjs ]]; then
    sub_max_cpu=0
    for f in "$RESULTS/$id-sub".[0-9]*.time; do
      sub_max_cpu="$(awk -v a="$sub_max_cpu" -v b="$(time_cpu "$f")" 'BEGIN {print (b > a ? b : a)}')"
    done
  fi
  t1="$(now_s)"; c1="$(cpu_ticks "$broker_pid")"; m1="$(machine_ticks)"
  local depth_after=0
  [[ "$row" == durable ]] && depth_after="$(spool_depth)"
  local wall broker_cpu pub_cpu sub_cpu machine_busy last_ms
  # the load lasts from the publishers' start to the last arrival, not through the idle wait
  last_ms="$(jq -r '.lastAtMs // empty' "$sub_json" 2>/dev/null || true)"
  wall="$(awk -v a="$t0" -v b="$t1" -v l="${last_ms:-0}" 'BEGIN {w = (l > 0 ? l / 1000 : b) - a; print (w > 0.1 ? w : 0.1)}')"
  machine_busy="$(awk -v a="$m0" -v b="$m1" 'BEGIN {split(a, x, " "); split(b, y, " "); t = y[1] - x[1];
    print (t > 0 ? int(100 * (t - (y[2] - x[2])) / t) : 0)}')" # the subscribers' idle wait is not load
  broker_cpu="$(awk -v a="$c0" -v b="$c1" -v t="$CLK_TCK" 'BEGIN {print (b - a) / t}')"
  pub_cpu="$(time_cpu "$RESULTS/$id-pub.time")"
  sub_cpu="$(time_cpu "$RESULTS/$id-sub.time")"
  if [[ "$GENERATOR" == mqttjs ]]; then
    jq -n --slurpfile s "$sub_json" --slurpfile p "$pub_json" --arg row "$row" --arg target "$target" \
      --argjson subs "$subs" --argjson wall "$wall" --argjson bcpu "$broker_cpu" --argjson pcpu "$pub_cpu" \
      --argjson scpu "$sub_cpu" --argjson smax "$sub_max_cpu" --argjson procs "$procs" \
      --argjson busy "$machine_busy" --argjson dbefore "$depth_before" --argjson dafter "$depth_after" '
      ($s[0]) as $s | ($p[0]) as $p |
      ([$p.perPublisher | to_entries[] | (.value * $subs) - ($s.uniquePerPublisher[.key] // 0)] | add) as $lost |
      { target: $target, row: $row,
        throughput: (if $row == "durable" then $p.ackedPerSecond else $s.deliveriesPerSecond end),
        sent: $p.sent, acked: $p.acked, deliveries: $s.deliveries, lost: $lost, dup: $s.duplicates,
        spooled: ($dafter - $dbefore),
        durableLost: (if $row == "durable" then ([$p.acked - ($dafter - $dbefore), 0] | max) else null end),
        p50: $s.latencyMs.p50, p99: $s.latencyMs.p99,
        brokerCpu: ($bcpu / $wall * 100 | floor), pubCpu: ($pcpu / $wall * 100 | floor),
        subCpu: ($scpu / $wall * 100 | floor), subMaxCpu: ($smax / $wall * 100 | floor), subProcs: $procs,
        machineBusy: $busy }' > "$RESULTS/$id.row.json"
  else
    jq -n --slurpfile s "$sub_json" --slurpfile p "$pub_json" --arg row "$row" --arg target "$target" \
      --argjson wall "$wall" --argjson bcpu "$broker_cpu" --argjson pcpu "$pub_cpu" --argjson scpu "$sub_cpu" \
      --argjson busy "$machine_busy" '
      ($s[0]) as $s |
      { target: $target, row: $row, throughput: ($s.throughputPerSecond | floor), lost: $s.sequence.lost,
        dup: $s.sequence.duplicates, p50: $s.endToEndLatency.p50Ms, p99: $s.endToEndLatency.p99Ms,
        brokerCpu: ($bcpu / $wall * 100 | floor), pubCpu: ($pcpu / $wall * 100 | floor),
        subCpu: ($scpu / $wall * 100 | floor), machineBusy: $busy }' > "$RESULTS/$id.row.json"
  fi
  jq -c . "$RESULTS/$id.row.json" >&2
}

start_target() {
  local target="$1"
  case "$target" in
    mosquitto)
      local extra
      extra="$(printf '%s\n' 'max_queued_messages 0' 'max_queued_bytes 0' 'max_inflight_messages 100' \
        'persistence false')"
      start_mosquitto "$MOSQUITTO_PORT" "$extra"
      TARGET_PORT="$MOSQUITTO_PORT"
      TARGET_CONFIG="$RESULTS/mosquitto-$MOSQUITTO_PORT/mosquitto.conf"
      ;;
    outpost|outpost-throughput)
      local jvm_opts="$OUTPOST_JVM_OPTS"
      [[ "$target" == outpost-throughput ]] && jvm_opts="$OUTPOST_THROUGHPUT_JVM_OPTS"
      [[ -f "$OUTPOST_JAR" ]] || die "missing $OUTPOST_JAR: build it with  mvn -B -pl packaging -am package -DskipTests"
      require_free_port "$OUTPOST_PORT" outpost
      rm -rf "$RESULTS/outpost-data"; mkdir -p "$RESULTS/outpost-data"
      cat > "$RESULTS/outpost.yaml" <<EOF
broker:
  listeners:
    - host: 127.0.0.1
      port: $OUTPOST_PORT
${OUTPOST_BROKER_KEYS:+  $OUTPOST_BROKER_KEYS}
storage:
  dir: $RESULTS/outpost-data
admin:
  listen: 127.0.0.1:$OUTPOST_ADMIN_PORT
routes:
  - {from: local, filter: "bench/durable/+", to: cloud}
logging:
  level: info
EOF
      # shellcheck disable=SC2086  # a list of options: word splitting intended, as in the launcher
      bench_bg "$RESULTS/$target.log" "$JAVA" $jvm_opts -jar "$OUTPOST_JAR" run --config "$RESULTS/outpost.yaml"
      wait_for_port "$OUTPOST_PORT" outpost
      wait_for_file "$RESULTS/outpost-data/admin.token" "outpost admin token"
      TARGET_PORT="$OUTPOST_PORT"
      TARGET_CONFIG="$RESULTS/outpost.yaml"
      { echo "# JVM options: ${jvm_opts:-none}"; cat "$RESULTS/outpost.yaml"; } > "$RESULTS/$target.config.txt"
      TARGET_CONFIG="$RESULTS/$target.config.txt"
      ;;
    hivemq)
      if [[ ! -f "$HIVEMQ_DIR/target/hivemq-launcher.jar" ]]; then
        echo "building the HiveMQ CE launcher (device-sim/bench/hivemq)" >&2
        mvn -B -q -f "$HIVEMQ_DIR/pom.xml" package >&2 || die "could not build $HIVEMQ_DIR"
      fi
      require_free_port "$HIVEMQ_PORT" hivemq
      # shellcheck disable=SC2086
      bench_bg "$RESULTS/hivemq.log" "$JAVA" $HIVEMQ_JVM_OPTS -jar "$HIVEMQ_DIR/target/hivemq-launcher.jar" \
        "$HIVEMQ_PORT" "$RESULTS/hivemq" ${HIVEMQ_QUEUE_SIZE:-}
      wait_for_port "$HIVEMQ_PORT" hivemq
      TARGET_PORT="$HIVEMQ_PORT"
      { echo "# JVM options: $HIVEMQ_JVM_OPTS; HiveMQ CE $(sed -n 's:.*<hivemq.version>\(.*\)</hivemq.version>.*:\1:p' "$HIVEMQ_DIR/pom.xml") embedded"
        grep '^hivemq internal' "$RESULTS/hivemq.log" | sed 's/^/# /'
        cat "$RESULTS/hivemq/conf/config.xml"; } > "$RESULTS/hivemq.config.txt"
      TARGET_CONFIG="$RESULTS/hivemq.config.txt"
      ;;
    *) die "unknown target $target (outpost, outpost-throughput, mosquitto or hivemq)" ;;
  esac
  TARGET_PID=$BENCH_LAST_PID
}

for t in "${target_list[@]}"; do
  start_target "$t"
  cp "$TARGET_CONFIG" "$RESULTS/$t.config.shown"
  for row in "${row_list[@]}"; do
    [[ "$row" == durable && "$t" != outpost* ]] && continue
    for try in $(seq "$REPEAT"); do run_row "$t" "$TARGET_PORT" "$TARGET_PID" "$row" "$try"; done
  done
  if [[ "$t" == outpost* ]]; then
    # what Outpost itself counted: drops by reason, publisher throttling
    curl -fsS -H "Authorization: Bearer $(cat "$RESULTS/outpost-data/admin.token")" \
      "http://127.0.0.1:$OUTPOST_ADMIN_PORT/metrics" \
      | grep -E '^outpost_broker_(messages_dropped|publishers_throttled)' | awk '$NF != 0' \
      > "$RESULTS/$t.counted.txt" || true
    { echo "# counted by $t at the end of its rows (non-zero only):"; sed 's/^/# /' "$RESULTS/$t.counted.txt"; } \
      >> "$RESULTS/$t.config.shown"
  fi
  bench_stop "$TARGET_PID"
done

# ---- report ------------------------------------------------------------------------------------
# The best try of a row (highest throughput).
best() { jq -s 'max_by(.throughput)' "$RESULTS/$1-$2-"[0-9]*.row.json 2>/dev/null; }
limit_of() {
  jq -r '
    if .failed then "try failed: \(.failed)"
    elif (.machineBusy // 0) >= 90 and (.brokerCpu + .pubCpu + .subCpu) < 170 then "machine CPU, shared (\(.machineBusy)% of 2 cores busy; broker \(.brokerCpu)%, generator \(.pubCpu + .subCpu)%)"
    elif .pubCpu >= 85 and .pubCpu >= .subCpu then "generator (publisher node \(.pubCpu)% of a core)"
    elif (.subMaxCpu // .subCpu) >= 85 then "generator (\(if (.subProcs // 1) > 1 then "busiest of \(.subProcs) subscriber nodes" else "subscriber node" end) \(.subMaxCpu // .subCpu)% of a core)"
    elif (.brokerCpu + .pubCpu + .subCpu) >= 170 then "machine CPU (2 cores: broker \(.brokerCpu)%, generator \(.pubCpu + .subCpu)%)"
    elif .brokerCpu >= 85 then "broker CPU (\(.brokerCpu)%)"
    else "no CPU saturated (\(.machineBusy // "?")% of the machine busy): in-flight window / round trips" end'
}
{
  echo "| Row | Broker | Deliveries/s | Lost | Dup | p50 ms | p99 ms | Broker CPU | Generator CPU (pub / sub) | Limited by |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"
  for row in "${row_list[@]}"; do
    for t in "${target_list[@]}"; do
      [[ "$row" == durable && "$t" != outpost* ]] && continue
      r="$(best "$t" "$row")"
      [[ -n "$r" && "$r" != null ]] || continue
      name="$t"; [[ "$t" == outpost ]] && name="$OUTPOST_LABEL"
      lost="$(jq -r '.lost' <<< "$r")"
      [[ "$row" == durable ]] && lost="$(jq -r '"\(.lost) (spool: \(.durableLost) of \(.acked) acked)"' <<< "$r")"
      printf '| %s | %s | %s | %s | %s | %s | %s | %s%% | %s%% / %s%% | %s |\n' "$(row_title "$row")" "$name" \
        "$(jq -r '.throughput' <<< "$r")" "$lost" "$(jq -r '.dup' <<< "$r")" \
        "$(jq -r '.p50' <<< "$r")" "$(jq -r '.p99' <<< "$r")" "$(jq -r '.brokerCpu' <<< "$r")" \
        "$(jq -r '.pubCpu' <<< "$r")" "$(jq -r '.subCpu' <<< "$r")" "$(limit_of <<< "$r")"
    done
  done
} > "$RESULTS/table.md"

{
  echo
  echo "Run $STAMP with \`device-sim/bench/broker-compare.sh --targets $TARGETS --duration $DURATION --repeat $REPEAT --generator $GENERATOR\`."
  echo
  echo "Machine:"
  echo
  cat "$RESULTS/machine.md"
  echo
  echo "Brokers on 127.0.0.1, run in turn, each configured not to drop. Generator: $GENERATOR"
  echo "($([[ $GENERATOR == mqttjs ]] && echo "MQTT.js $(jq -r '.dependencies.mqtt' "$BENCH_DIR/mqttjs/package.json"), one node process for the publishers, the subscribers split over up to $SUB_PROCS" || echo "device-sim's Paho clients, one JVM for the publishers, one for the subscribers")),"
  echo "100-byte payloads, window $WINDOW unacknowledged per publisher (QoS 0: $WINDOW writes per socket"
  echo "before it drains), publishers unthrottled for ${DURATION}s; best of $REPEAT. Deliveries/s are summed over"
  echo "subscribers, first to last arrival (durable row: PUBACKs/s). Latency: send time in the payload to"
  echo "arrival, at that full load, first second left out. CPU: % of one core over the row (2 cores = 200%)."
  echo
  cat "$RESULTS/table.md"
  echo
  for t in "${target_list[@]}"; do
    echo "<details><summary>$t configuration</summary>"
    echo
    echo '```'
    cat "$RESULTS/$t.config.shown"
    echo '```'
    echo "</details>"
    echo
  done
  commands_details "$RESULTS/commands.txt"
} > "$RESULTS/section.md"

if [[ "$WRITE_DOC" == 1 ]]; then
  update_doc_section broker-comparison "$RESULTS/section.md"
  echo "updated docs/benchmarks.md (raw results in ${RESULTS#"$REPO_ROOT"/})" >&2
fi
cat "$RESULTS/table.md"
