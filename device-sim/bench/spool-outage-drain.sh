#!/usr/bin/env bash
# Outage drain, side by side: while the cloud broker (Mosquitto) is down, MQTT.js publishers put
# --messages QoS 1 messages into the gateway; then the cloud comes back and a cloud-side consumer
# (MQTT.js, persistent session) counts them. Reported separately:
#   time to first message: cloud listening again -> first message at the consumer (reconnect promptness;
#                          includes the consumer's own reconnect, at most 100 ms);
#   drain rate:            messages / (last arrival - first arrival).
# Gateways: Outpost (packaged daemon; cloud link MQTT 5 and 3.1.1, cloud.inflightWindow = what the cloud
# allows, at least the default 100: the MQTT window follows the cloud's Receive Maximum by itself) and a Mosquitto bridge that drops nothing (max_queued_messages 0, cleansession false, QoS 1 out),
# for a cloud allowing 20 and 1,000 messages in flight (max_inflight_messages; MQTT 5 Receive Maximum).
# The cloud keeps sessions on disk and queues without limit, so nothing is dropped there either.
#
# Each case: the cloud is up and the gateway connected; with --warmup N (default 20000) N messages on warmup/...
# first go through the gateway to a consumer of their own while the link is up (a gateway that has been
# forwarding before the outage, so its drain path is compiled and its buffers sized, as in the field; the
# forwarding rate is reported); then the cloud stops, the backlog is published, and the cloud returns.
# --warmup 0 measures a gateway that starts during the outage and drains cold (a JIT-compiled daemon is slower in
# its first seconds).
#
# Usage: device-sim/bench/spool-outage-drain.sh [--messages 50000] [--inflight "20 1000"]
#          [--gateways "outpost-5 outpost-3.1.1 bridge"] [--baseline-jar PATH] [--window N]
#          [--pending-deletes N] [--warmup N] [--no-doc]
#   --baseline-jar: an earlier build of the daemon, run as gateways baseline-5 / baseline-3.1.1 in the same run
#                   (before/after of a change, back to back on the same machine).
#   --window:       Outpost's cloud.inflightWindow (default: what the cloud allows, at least 100): publishes
#                   awaiting PUBACK.
#   --pending-deletes: Outpost's cloud.pendingDeletes for the outpost-* gateways only (default: the build's own;
#                   a baseline build may not know the key): acknowledged publishes whose delete is not committed.
#                   A crash may send window + pendingDeletes twice. After each outpost-*/baseline-* case the
#                   daemon's outpost_cloud_drain_paused_total and spool commit counters are printed.
# Needs: the packaged daemon, mosquitto, node + npm (MQTT.js installed under mqttjs/ on first use), jq.
# Environment: GATEWAY_PORT (18880), CLOUD_PORT (18881), ADMIN_PORT (18882, Outpost's admin API), OUTPOST_JAR,
#   OUTPOST_JVM_OPTS (default: the shipped /etc/default/outpost JAVA_OPTS, as the packaged launcher runs it; set it
#   empty for a plain `java -jar`).

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MESSAGES=50000
INFLIGHT="20 1000"
GATEWAYS="outpost-5 outpost-3.1.1 bridge"
WRITE_DOC=1
WINDOW=
PENDING_DELETES=
WARMUP=20000
while [[ $# -gt 0 ]]; do
  case "$1" in
    --messages) MESSAGES="$2"; shift 2 ;;
    --inflight) INFLIGHT="$2"; shift 2 ;;
    --gateways) GATEWAYS="$2"; shift 2 ;;
    --baseline-jar) BASELINE_JAR="$2"; shift 2 ;;
    --window) WINDOW="$2"; shift 2 ;;
    --pending-deletes) PENDING_DELETES="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --no-doc) WRITE_DOC=0; shift ;;
    -h|--help) sed -n '2,36p' "$0"; exit 0 ;;
    *) die "unknown argument $1" ;;
  esac
done
BASELINE_JAR="${BASELINE_JAR:-}"
CURRENT_JAR="$OUTPOST_JAR"
GATEWAY_PORT="${GATEWAY_PORT:-18880}"
CLOUD_PORT="${CLOUD_PORT:-18881}"
ADMIN_PORT="${ADMIN_PORT:-18882}"
[[ -n "${OUTPOST_JVM_OPTS+set}" ]] || OUTPOST_JVM_OPTS="$(shipped_jvm_opts)"

command -v jq >/dev/null || die "jq is required (apt-get install -y jq)"
command -v node >/dev/null || die "node is required"
[[ -d "$BENCH_DIR/mqttjs/node_modules/mqtt" ]] || (cd "$BENCH_DIR/mqttjs" && npm ci --no-audit --no-fund >&2)

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RESULTS="$BENCH_DIR/results/outage-drain-$STAMP"
mkdir -p "$RESULTS"
trap bench_cleanup EXIT
machine_info > "$RESULTS/machine.md"
now_ms() { date +%s%3N; }

echo "gateway,cloud_inflight,messages,received,duplicates,time_to_first_ms,drain_seconds,drain_rate,warmup_rate" > "$RESULTS/drain.csv"
for inflight in $INFLIGHT; do
  for gateway in $GATEWAYS; do
    case_dir="$RESULTS/$gateway-$inflight"
    cloud_conf="$(drain_cloud_config "$case_dir/cloud-data" "$inflight")"
    echo "== $gateway, cloud allowing $inflight in flight" >&2
    start_mosquitto "$CLOUD_PORT" "$cloud_conf"
    cloud_pid=$BENCH_LAST_PID

    case "$gateway" in
      bridge)
        start_mosquitto "$GATEWAY_PORT" "max_queued_messages 0
max_inflight_messages $inflight
connection cloud
address 127.0.0.1:$CLOUD_PORT
topic devices/# out 1
topic warmup/# out 1
cleansession false
restart_timeout 1 2"
        gateway_pid=$BENCH_LAST_PID
        ;;
      outpost-*|baseline-*)
        version="${gateway#*-}"
        OUTPOST_JAR="$CURRENT_JAR"
        if [[ "$gateway" == baseline-* ]]; then
          [[ -n "$BASELINE_JAR" ]] || die "gateway $gateway needs --baseline-jar"
          OUTPOST_JAR="$BASELINE_JAR"
        fi
        cat > "$case_dir/outpost.yaml" <<YAML
broker:
  receiveMaximum: 1000 # window-100 publishers must not be cut off at the default 64
  listeners:
    - host: 127.0.0.1
      port: $GATEWAY_PORT
storage:
  dir: $case_dir/outpost-data
  maxBytes: 8589934592
cloud:
  url: tcp://127.0.0.1:$CLOUD_PORT
  clientId: outpost-drain-$STAMP
  mqttVersion: "$version"
  inflightWindow: ${WINDOW:-$(( inflight > 100 ? inflight : 100 ))}
$([[ -n "$PENDING_DELETES" && "$gateway" == outpost-* ]] && echo "  pendingDeletes: $PENDING_DELETES" || true)
routes:
  - {name: telemetry, from: local, filter: "devices/#", to: cloud, qos: 1}
  - {name: warmup, from: local, filter: "warmup/#", to: cloud, qos: 1}
admin:
  listen: "127.0.0.1:$ADMIN_PORT"
YAML
        start_outpost "$GATEWAY_PORT" "$case_dir/outpost.yaml"
        gateway_pid=$BENCH_LAST_PID
        ;;
      *) die "unknown gateway $gateway" ;;
    esac

    warmup_rate=-
    if [[ "$WARMUP" -gt 0 ]]; then
      bench_bg "$case_dir/warmup-consume.json" node "$BENCH_DIR/mqttjs/consume.mjs" --url "mqtt://127.0.0.1:$CLOUD_PORT" \
        --client-id "warmup-$gateway-$inflight-$STAMP" --topic 'warmup/#' --expect "$WARMUP" --timeout 300 \
        --ready-file "$case_dir/warmup-consume.ready"
      warmup_pid=$BENCH_LAST_PID
      wait_for_file "$case_dir/warmup-consume.ready" "warm-up consumer"
      bench_cmd node "$BENCH_DIR/mqttjs/load.mjs" --url "mqtt://127.0.0.1:$GATEWAY_PORT" --publishers 4 --window 100 \
        --rate 0 --count "$WARMUP" --prefix warmup --run "warmup-$gateway-$inflight" > "$case_dir/warmup-load.json"
      wait "$warmup_pid" || die "the warm-up did not reach the cloud, see $case_dir/warmup-consume.json"
      warmup_rate="$(jq -r 'if .lastAtMs > .firstAtMs then ((.unique - 1) * 1000 / (.lastAtMs - .firstAtMs) | floor) else "-" end' \
        "$case_dir/warmup-consume.json")"
      echo "   warm-up: $WARMUP messages forwarded live at $warmup_rate msg/s" >&2
    fi

    bench_bg "$case_dir/consume.json" node "$BENCH_DIR/mqttjs/consume.mjs" --url "mqtt://127.0.0.1:$CLOUD_PORT" \
      --client-id "cloud-$gateway-$inflight-$STAMP" --topic 'devices/#' --expect "$MESSAGES" --timeout 900 \
      --ready-file "$case_dir/consume.ready"
    consumer_pid=$BENCH_LAST_PID
    wait_for_file "$case_dir/consume.ready" "consumer"
    bench_stop "$cloud_pid" # the outage starts; the consumer's session is kept on disk

    bench_cmd node "$BENCH_DIR/mqttjs/load.mjs" --url "mqtt://127.0.0.1:$GATEWAY_PORT" --publishers 4 --window 100 \
      --rate 0 --count "$MESSAGES" --run "drain-$gateway-$inflight" > "$case_dir/load.json"
    echo "   gateway holds $(jq .acked "$case_dir/load.json") acknowledged messages; cloud up" >&2
    start_mosquitto "$CLOUD_PORT" "$cloud_conf"
    up_ms=$(now_ms)
    cloud_pid=$BENCH_LAST_PID
    wait "$consumer_pid" || echo "consumer did not see all messages, see $case_dir/consume.json" >&2
    jq -r --arg g "$gateway" --argjson i "$inflight" --argjson n "$MESSAGES" --argjson up "$up_ms" \
      --arg w "$warmup_rate" \
      '[$g, $i, $n, .unique, .duplicates, (.firstAtMs - $up),
        ((.lastAtMs - .firstAtMs) / 1000), (if .lastAtMs > .firstAtMs then ((.unique - 1) * 1000 / (.lastAtMs - .firstAtMs) | floor) else "-" end),
        $w] | @csv' \
      "$case_dir/consume.json" >> "$RESULTS/drain.csv"
    tail -1 "$RESULTS/drain.csv" >&2
    if [[ "$gateway" != bridge && -f "$case_dir/outpost-data/admin.token" ]]; then
      curl -s -H "Authorization: Bearer $(cat "$case_dir/outpost-data/admin.token")" \
        "http://127.0.0.1:$ADMIN_PORT/metrics" > "$case_dir/metrics.txt" || true
      grep -E '^outpost_(cloud_drain_paused_total|cloud_deletes_pending|spool_commit_seconds_count|spool_commit_seconds_sum)' \
        "$case_dir/metrics.txt" | sed 's/^/   /' >&2 || true
    fi
    bench_stop "$gateway_pid"
    bench_stop "$cloud_pid"
  done
done

{
  echo
  echo "Run $STAMP with \`device-sim/bench/spool-outage-drain.sh --messages $MESSAGES --inflight \"$INFLIGHT\" --gateways \"$GATEWAYS\"${WINDOW:+ --window $WINDOW}${PENDING_DELETES:+ --pending-deletes $PENDING_DELETES} --warmup $WARMUP\`;"
  echo "Outpost's JVM options: \`${OUTPOST_JVM_OPTS:-none (plain java -jar)}\`."
  echo
  cat "$RESULTS/machine.md"
  echo
  echo "| gateway | cloud in flight | messages | received (unique) | duplicates | cloud up -> first message (ms) | drain (s) | drain rate (msg/s) | warm-up forwarded live (msg/s) |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  tail -n +2 "$RESULTS/drain.csv" | tr -d '"' | awk -F, '{printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1,$2,$3,$4,$5,$6,$7,$8,$9}'
  echo
  commands_details "$RESULTS/commands.txt"
} > "$RESULTS/section.md"

if [[ "$WRITE_DOC" == 1 ]]; then
  update_doc_section "spool-outage-drain" "$RESULTS/section.md"
  echo "updated docs/benchmarks.md (raw results in ${RESULTS#$REPO_ROOT/})" >&2
fi
cat "$RESULTS/section.md"
