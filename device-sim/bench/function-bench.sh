#!/usr/bin/env bash
# Function benchmark, per runtime and isolation mode: Java in-process, Java process (child JVM), process (Python)
# and Wasm, each running a trivial echo handler.
#
#   invocations/s  - the runtime alone (RuntimeBench, WasmBench from function-runtime's test sources), trivial
#                    handler, run with the shipped JVM options;
#   added latency  - through the packaged daemon at RATE msg/s (DEVICES devices, QoS 1): device -> function ->
#                    local subscriber minus device -> subscriber directly, both measured in the same run by two
#                    device-sim consumers (bench/in/+ directly, bench/out/+ what the echo republished), per message
#                    (paired by device and sequence number, paired-latency.py) and as a difference of percentiles, in steady
#                    state: the same load runs PREWARM before the measured run and its first WARMUP are left out, so
#                    a function started cold under that load has caught up (a Java child JVM needs seconds of it to
#                    compile its hot paths; that start is the cold start row's business, not the added latency's)
#                    and the consumers, which take the prewarm load too, are warm as well;
#   cold start     - trigger to first output after the function scaled to zero (idleTimeoutMillis 1000),
#                    STARTS times, timed by function-cold-start.py over MQTT;
#   RSS per idle instance - process runtimes: the resident memory of the function's child processes after one
#                    invocation; in-daemon runtimes (Java in-process, Wasm): growth of the daemon's RSS after
#                    COPIES more copies were deployed and invoked once each, divided by COPIES.
# The daemon runs as the packaged launcher starts it: java $JAVA_OPTS -jar packaging/target/outpost.jar run, with
# JAVA_OPTS from packaging/src/deb/files/etc/default/outpost. Writes raw figures and command lines under
# device-sim/bench/results/function-<stamp>/ and the "function-runtimes" section of docs/benchmarks.md.
#
# Usage: device-sim/bench/function-bench.sh [--runtimes java-in-process,java-process,python,wasm[,none]]
#            [--duration 20s] [--no-invocations] [--no-doc]
# Environment: MQTT_PORT (18850), ADMIN_PORT (18851), RATE (2000), DEVICES (20), STARTS (10), COPIES (10),
#   WARMUP (3s), PREWARM (10s; 0s measures from the function's first start), CONSUMER_JVM_OPTS (Epsilon GC), SIM_JAR,
#   OUTPOST_JAR, JAVA, OUTPOST_JVM_OPTS (instead of the shipped options), IN_FLIGHT (8: the
#   maxConcurrency of the java-process and python echoes, requests in flight in their one child; 1 = one at a time),
#   SKIP_COLD (1: measure only the added latency, no cold start or RSS), EXTRA_DESC (lines added to the Java echoes'
#   descriptors, e.g. 'limits: {cpus: 2}'), KEEP_LATENCY_LOGS (1: keep the consumers' per-message latency logs,
#   <runtime>-{direct,function}.lat, which are otherwise deleted once paired), EXTRA_CONFIG (lines added to the
#   daemon's config, e.g. 'functions: {sandbox: rlimit}'), DAEMON_CPUS and LOAD_CPUS (taskset CPU lists: the daemon,
#   with the function children it starts, and the device-sim load and consumers on CPUs of their own, as devices are
#   on a real site; unset: all share every CPU), LOAD_NICE (a nice value for the device-sim load and consumers:
#   they share every CPU but yield it to the daemon and its children when both are runnable, as devices on their own
#   hardware would; unset: the same priority).
# CPU per message: the daemon's and the function's child processes' user+system time (/proc/<pid>/stat) over the
# load, divided by the messages the devices sent.
# Needs: packaging/target/outpost.jar, device-sim/simulator/target/device-sim.jar, jq, curl, javac, /usr/bin/python3
# with python3-paho-mqtt, and for the invocations/s part Maven (it compiles function-runtime's test sources).

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RUNTIMES="java-in-process,java-process,python,wasm"
DURATION="20s"
INVOCATIONS=1
WRITE_DOC=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runtimes) RUNTIMES="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --no-invocations) INVOCATIONS=0; shift ;;
    --no-doc) WRITE_DOC=0; shift ;;
    -h|--help) sed -n '2,37p' "$0"; exit 0 ;;
    *) die "unknown argument $1" ;;
  esac
done
MQTT_PORT="${MQTT_PORT:-18850}"
ADMIN_PORT="${ADMIN_PORT:-18851}"
RATE="${RATE:-2000}"
DEVICES="${DEVICES:-20}"
STARTS="${STARTS:-10}"
COPIES="${COPIES:-10}"
WARMUP="${WARMUP:-3s}"
PREWARM="${PREWARM:-10s}"
[[ "$WARMUP" =~ ^[0-9]+s$ && "$PREWARM" =~ ^[0-9]+s$ ]] || die "WARMUP and PREWARM are whole seconds, e.g. 3s"
# the measuring consumers must not add pauses of their own to what they measure: no garbage collector at all (a
# consumer of a 30 s run allocates well under the heap given), the same for both
CONSUMER_JVM_OPTS="${CONSUMER_JVM_OPTS--XX:+UnlockExperimentalVMOptions -XX:+UseEpsilonGC -Xms256m -Xmx4g}"
IN_FLIGHT="${IN_FLIGHT:-8}"
SKIP_COLD="${SKIP_COLD:-0}"
EXTRA_DESC="${EXTRA_DESC:-}"
[[ -n "${OUTPOST_JVM_OPTS+set}" ]] || OUTPOST_JVM_OPTS="$(shipped_jvm_opts)"
PY=/usr/bin/python3

require_tools
[[ -f "$OUTPOST_JAR" ]] || die "missing $OUTPOST_JAR: build it with  mvn -B -pl packaging -am package -DskipTests"
command -v javac >/dev/null || die "javac (a JDK) is required to build the Java echo function"
"$PY" -c 'import paho.mqtt.client' 2>/dev/null || die "python3-paho-mqtt is required (apt-get install -y python3-paho-mqtt)"

RESULTS="$BENCH_DIR/results/function-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RESULTS/pkgs"
trap bench_cleanup EXIT
machine_info > "$RESULTS/machine.md"
WASM_RES="$REPO_ROOT/local-functions/function-runtime/src/test/resources/wasm"

# ---- invocations/s of the runtime alone ---------------------------------------------------------------------
if [[ "$INVOCATIONS" == 1 ]]; then
  command -v mvn >/dev/null || die "mvn is required for the invocations/s part (or pass --no-invocations)"
  echo "== invocations/s: compiling function-runtime's test sources" >&2
  ( cd "$REPO_ROOT" && mvn -B -q -pl local-functions/function-runtime -am test-compile dependency:build-classpath \
      -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test -Djacoco.skip=true )
  FR="$REPO_ROOT/local-functions/function-runtime"
  CP="$FR/target/classes:$FR/target/test-classes:$(cat "$FR/target/bench.cp")"
  # shellcheck disable=SC2086  # a list of options: word splitting intended, as in the launcher
  {
    bench_cmd "$JAVA" $OUTPOST_JVM_OPTS -cp "$CP" io.outpost.function.runtime.RuntimeBench
    bench_cmd "$JAVA" $OUTPOST_JVM_OPTS -cp "$CP" io.outpost.function.runtime.RuntimeBench java-process
    bench_cmd "$JAVA" $OUTPOST_JVM_OPTS -cp "$CP" io.outpost.function.runtime.WasmBench
  } 2>&1 | grep -E 'invocations/s|cold start|start \(' | tee "$RESULTS/invocations.txt"
fi

# ---- the echo function in each runtime ----------------------------------------------------------------------
descriptor() { # NAME RUNTIME HANDLER-LINE TRIGGER EXTRA
  # a generous timeout: a child's start-up on a busy box must not count as a failure; only the cold-start copies
  # scale to zero (the echo measured under load must not be idle when the load starts: that is the cold start row)
  local idle="idleTimeoutMillis: 1000"; [[ "$1" == echo-* ]] && idle="idleTimeoutMillis: 0"
  printf 'name: %s\nversion: "1"\nruntime: %s\n%s\ntriggers: ["%s"]\ninputEncoding: binary\nmaxQueued: 20000\n%s\ntimeoutMillis: 30000\n%s\n' \
    "$1" "$2" "$3" "$4" "$idle" "$5"
}
mkdir -p "$RESULTS/pkgs/java-src/bench" "$RESULTS/pkgs/java-classes"
cat > "$RESULTS/pkgs/java-src/bench/Echo.java" <<'JAVA'
package bench;

import io.outpost.function.Context;
import io.outpost.function.Handler;
import io.outpost.function.Message;
import io.outpost.function.Publication;
import java.util.List;

/** Republishes the payload unchanged on bench/out/<last level of the topic>. */
public class Echo implements Handler {
  @Override
  public List<Publication> handle(Message message, Context context) {
    String t = message.topic();
    return List.of(Publication.bytes("bench/out/" + t.substring(t.lastIndexOf('/') + 1), message.payload()));
  }
}
JAVA
javac --release 17 -cp "$OUTPOST_JAR" -d "$RESULTS/pkgs/java-classes" "$RESULTS/pkgs/java-src/bench/Echo.java"
cat > "$RESULTS/pkgs/echo.py" <<'PYTHON'
import json
import sys

for line in sys.stdin:
    req = json.loads(line)
    last = req["topic"].rsplit("/", 1)[-1]
    print(json.dumps({"id": req["id"], "publish": [{"topic": "bench/out/" + last,
                                                    "payloadBase64": req["payloadBase64"]}]}), flush=True)
PYTHON

# package RUNTIME NAME TRIGGER -> prints the path to deploy
package() {
  local rt="$1" name="$2" trigger="$3" dir="$RESULTS/pkgs/$2"
  rm -rf "$dir"; mkdir -p "$dir"
  case "$rt" in
    java-in-process|java-process)
      local iso=in-process; [[ "$rt" == java-process ]] && iso=process$'\n'"maxConcurrency: $IN_FLIGHT"
      cp -r "$RESULTS/pkgs/java-classes/." "$dir/"
      descriptor "$name" java "handler: bench.Echo" "$trigger" "isolation: $iso${EXTRA_DESC:+$'\n'$EXTRA_DESC}" \
        > "$dir/outpost-function.yaml"
      (cd "$dir" && jar cf "../$name.jar" .)
      echo "$RESULTS/pkgs/$name.jar" ;;
    python)
      cp "$RESULTS/pkgs/echo.py" "$dir/"
      # echo.py reads and answers one line after the other: it can take requests pipelined
      descriptor "$name" process "command: [python3, echo.py]" "$trigger" "maxConcurrency: $IN_FLIGHT" > "$dir/outpost-function.yaml"
      echo "$dir" ;;
    wasm)
      cp "$WASM_RES/echo.wasm" "$dir/"
      descriptor "$name" wasm "handler: echo.wasm" "$trigger" "" > "$dir/outpost-function.yaml"
      echo "$dir" ;;
    *) die "unknown runtime $rt (java-in-process, java-process, python or wasm)" ;;
  esac
}

# ---- the packaged daemon ------------------------------------------------------------------------------------
require_free_port "$MQTT_PORT" "outpost"
require_free_port "$ADMIN_PORT" "outpost admin"
mkdir -p "$RESULTS/outpost-data"
printf 'broker: {listeners: [{host: 127.0.0.1, port: %s}]}\nstorage: {dir: %s}\nadmin: {listen: "127.0.0.1:%s"}\n' \
  "$MQTT_PORT" "$RESULTS/outpost-data" "$ADMIN_PORT" > "$RESULTS/outpost.yaml"
[[ -n "${EXTRA_CONFIG:-}" ]] && printf '%s\n' "$EXTRA_CONFIG" >> "$RESULTS/outpost.yaml"
DAEMON_PIN=(); LOAD_PIN=()
[[ -n "${DAEMON_CPUS:-}" ]] && DAEMON_PIN=(taskset -c "$DAEMON_CPUS")
[[ -n "${LOAD_CPUS:-}" ]] && LOAD_PIN=(taskset -c "$LOAD_CPUS")
[[ -n "${LOAD_NICE:-}" ]] && LOAD_PIN=(nice -n "$LOAD_NICE" "${LOAD_PIN[@]}")
# shellcheck disable=SC2086
bench_bg "$RESULTS/outpost.log" "${DAEMON_PIN[@]}" "$JAVA" $OUTPOST_JVM_OPTS -jar "$OUTPOST_JAR" run --config "$RESULTS/outpost.yaml"
DAEMON_PID=$BENCH_LAST_PID
wait_for_port "$MQTT_PORT" "outpost"
wait_for_port "$ADMIN_PORT" "outpost admin"
TOKEN="$RESULTS/outpost-data/admin.token"
wait_for_file "$TOKEN" "the admin token"
ADMIN="http://127.0.0.1:$ADMIN_PORT"
cli() { "$JAVA" -jar "$OUTPOST_JAR" "$@" --admin-url "$ADMIN" --token-file "$TOKEN"; }
deploy() { bench_cmd "$JAVA" -jar "$OUTPOST_JAR" functions deploy "$1" --admin-url "$ADMIN" --token-file "$TOKEN" > /dev/null; }
remove() { cli functions remove "$1" > /dev/null; }
rss_kib() { ps -o rss= -p "$1" | awk '{s += $1} END {print s + 0}'; }
descendants() { local p; for p in $(pgrep -P "$1" || true); do echo "$p"; descendants "$p"; done; }
# cpu_ticks PID... -> user+system clock ticks of those processes (fields 14 and 15 of /proc/<pid>/stat)
cpu_ticks() {
  local p t=0
  for p in "$@"; do
    [[ -r "/proc/$p/stat" ]] || continue
    t=$(( t + $(sed 's/.*) //' "/proc/$p/stat" | awk '{print $12 + $13}') ))
  done
  echo "$t"
}
publish_once() { "$PY" - "$MQTT_PORT" "$1" <<'PYTHON'
import sys, paho.mqtt.publish as p
p.single(sys.argv[2], '{"seq":1,"ts":0}', qos=1, hostname="127.0.0.1", port=int(sys.argv[1]))
PYTHON
}

# latency RUNTIME -> $RESULTS/<rt>-{direct,function,run}.json
latency() {
  local rt="$1" per_device consume_for="10m"
  # a function that delivers nothing must not hold the consumer for long
  [[ "$DURATION" =~ ^[0-9]+s$ ]] && consume_for="$(( ${DURATION%s} + ${PREWARM%s} + 60 ))s"
  per_device="$(awk -v r="$RATE" -v d="$DEVICES" 'BEGIN {print r / d}')"
  # The consumers start first and take the prewarm load too, so the measuring JVMs are warm as well (a cold
  # consumer falls behind at the start and its JIT hiccups land on one path only); arrivals in the prewarm and
  # the first WARMUP of the run are left out: the consumers' own figures by time from their first arrival, the
  # paired ones by each message's intended send time.
  local consumer_warmup="$WARMUP"
  [[ "$PREWARM" != "0s" ]] && consumer_warmup="$(( ${PREWARM%s} + ${WARMUP%s} ))s"
  for side in direct function; do
    # runtime "none": the second consumer takes the direct path too, so "added" is the harness's own noise
    local filter="bench/in/+"; [[ "$side" == function && "$rt" != none ]] && filter="bench/out/+"
    rm -f "$RESULTS/$rt-$side.ready"
    # shellcheck disable=SC2086  # a list of options
    bench_bg "$RESULTS/$rt-$side.log" "${LOAD_PIN[@]}" "$JAVA" $CONSUMER_JVM_OPTS -jar "$SIM_JAR" consume -b "tcp://127.0.0.1:$MQTT_PORT" --qos 1 \
      --client-id-prefix "sub-$rt-$side" -t "$filter" --warmup "$consumer_warmup" --idle-timeout 8s --duration "$consume_for" \
      --ready-file "$RESULTS/$rt-$side.ready" --latency-log "$RESULTS/$rt-$side.lat" -o "$RESULTS/$rt-$side.json" -q
    eval "consumer_$side=$BENCH_LAST_PID"
    wait_for_file "$RESULTS/$rt-$side.ready" "consumer $rt-$side"
  done
  if [[ "$PREWARM" != "0s" ]]; then
    bench_cmd "${LOAD_PIN[@]}" "$JAVA" -jar "$SIM_JAR" run -b "tcp://127.0.0.1:$MQTT_PORT" -n "$DEVICES" --device-prefix "warm-$rt-" \
      -t "bench/in/{deviceId}" -s 100 --qos 1 -r "$per_device" -d "$PREWARM" -o "$RESULTS/$rt-prewarm.json" -q > /dev/null || true
  fi
  local children daemon0 children0
  children="$(descendants "$DAEMON_PID" | paste -sd' ')"
  daemon0="$(cpu_ticks "$DAEMON_PID")"
  # shellcheck disable=SC2086  # a list of pids
  children0="$(cpu_ticks $children)"
  local run_start_us
  run_start_us="$(date +%s%6N)"
  bench_cmd "${LOAD_PIN[@]}" "$JAVA" -jar "$SIM_JAR" run -b "tcp://127.0.0.1:$MQTT_PORT" -n "$DEVICES" --device-prefix "dev-$rt-" \
    -t "bench/in/{deviceId}" -s 100 --qos 1 -r "$per_device" -d "$DURATION" -o "$RESULTS/$rt-run.json" -q > /dev/null || true
  # shellcheck disable=SC2154  # set by the eval above
  wait "$consumer_direct" || die "consumer $rt-direct failed, see $RESULTS/$rt-direct.log"
  # shellcheck disable=SC2154
  wait "$consumer_function" || die "consumer $rt-function failed, see $RESULTS/$rt-function.log"
  # after the consumers went idle: a backlog the function worked off after the load counts too
  # a child started during the load (an on-demand one) counts from its start
  children="$(descendants "$DAEMON_PID" | paste -sd' ')"
  # shellcheck disable=SC2086
  jq -n --argjson d "$(( $(cpu_ticks "$DAEMON_PID") - daemon0 ))" --argjson c "$(( $(cpu_ticks $children) - children0 ))" \
    --argjson hz "$(getconf CLK_TCK)" --argjson sent "$(jq '.sent' "$RESULTS/$rt-run.json")" \
    '{daemonCpuMs: ($d * 1000 / $hz), childCpuMs: ($c * 1000 / $hz), sent: $sent,
      daemonUsPerMessage: ($d * 1e6 / $hz / $sent | round), childUsPerMessage: ($c * 1e6 / $hz / $sent | round)}' \
    > "$RESULTS/$rt-cpu.json"
  # the same messages at both consumers, paired: what the function path added to each
  "$PY" "$BENCH_DIR/paired-latency.py" "$RESULTS/$rt-direct.lat" "$RESULTS/$rt-function.lat" \
    "$(( run_start_us + ${WARMUP%s} * 1000000 ))" > "$RESULTS/$rt-paired.json"
  [[ "${KEEP_LATENCY_LOGS:-0}" == 1 ]] || rm -f "$RESULTS/$rt-direct.lat" "$RESULTS/$rt-function.lat"
}

IFS=',' read -r -a runtime_list <<< "$RUNTIMES"
for rt in "${runtime_list[@]}"; do
  echo "== $rt: added latency at $RATE msg/s" >&2
  if [[ "$rt" == none ]]; then
    latency none
    continue
  fi
  deploy "$(package "$rt" "echo-$rt" "bench/in/+")"
  latency "$rt"
  # what the daemon counted meanwhile: invocation outcomes, requests by who wrote them, drops, the function's queue
  curl -s -H "Authorization: Bearer $(cat "$TOKEN")" "$ADMIN/metrics" \
    | grep -E '^outpost_(function_invocations_total|function_process_requests_total|broker_messages_dropped_total|function_queue_depth|broker_publishers_(throttled|held)_total|function_limit_hits_total)' \
    | grep -E "echo-$rt|dropped|publishers" > "$RESULTS/$rt-metrics.txt" || true
  remove "echo-$rt"
  [[ "$SKIP_COLD" == 1 ]] && continue

  echo "== $rt: cold start" >&2
  deploy "$(package "$rt" "cold-$rt" "bench/in/cold")"
  publish_once "bench/in/cold" # first start after deploy is not a cold start from idle
  bench_cmd "$PY" "$BENCH_DIR/function-cold-start.py" "$MQTT_PORT" "$ADMIN" "$TOKEN" "cold-$rt" \
    bench/in/cold bench/out/cold "$STARTS" > "$RESULTS/$rt-cold.json"

  echo "== $rt: RSS per idle instance" >&2
  case "$rt" in
    java-process|python)
      publish_once "bench/in/cold"
      sleep 0.5
      # shellcheck disable=SC2046
      echo "{\"rssKiB\": $(rss_kib "$(descendants "$DAEMON_PID" | paste -sd, -)")}" > "$RESULTS/$rt-rss.json"
      remove "cold-$rt" ;;
    *)
      remove "cold-$rt"
      sleep 2
      before="$(rss_kib "$DAEMON_PID")"
      for i in $(seq "$COPIES"); do
        deploy "$(package "$rt" "copy$i-$rt" "bench/rss/$i")"
        publish_once "bench/rss/$i"
      done
      sleep 2
      after="$(rss_kib "$DAEMON_PID")"
      echo "{\"rssKiB\": $(( (after - before) / COPIES )), \"copies\": $COPIES}" > "$RESULTS/$rt-rss.json"
      for i in $(seq "$COPIES"); do remove "copy$i-$rt"; done ;;
  esac
done
bench_stop "$DAEMON_PID"

# ---- report -------------------------------------------------------------------------------------------------
{
  echo "Figures from a loaded, shared machine (other builds ran at the same time): compare rows with each other,"
  echo "not with other sections. Trivial echo handler, inputEncoding binary; daemon and runtime benches with the"
  echo "shipped JVM options (\`${OUTPOST_JVM_OPTS:-plain java}\`). Added latency at $RATE msg/s ($DEVICES devices, QoS 1,"
  echo "100-byte payloads, $DURATION after $PREWARM of the same load that the consumers also take, first $WARMUP of the run left out)."
  echo "Added per message: each message's"
  echo "latency device -> function -> subscriber minus its own latency device -> subscriber directly (both from its intended"
  echo "send time, paired by device and sequence number), p50/p99 over the messages. Difference of percentiles: p50/p99 of the"
  echo "function path minus the same percentile of the direct path (two tails with their own noise; can be negative)."
  echo "Cold start: trigger to first output after scaling to"
  echo "zero, p50 (max) of $STARTS. RSS per idle instance: see the script's header. java-process and python echoes"
  echo "declare maxConcurrency $IN_FLIGHT (requests in flight in their one child)."
  echo
  cat "$RESULTS/machine.md"
  echo
  echo "| Runtime | added per message p50 / p99 (ms) | difference of p50 / p99 (ms) | direct p50/p99 (ms) | via function received (paired) | Cold start p50 (max) ms | RSS per idle instance |"
  echo "|---|---|---|---|---|---|---|"
  for rt in "${runtime_list[@]}"; do
    d="$RESULTS/$rt-direct.json"; f="$RESULTS/$rt-function.json"
    cold="$RESULTS/$rt-cold.json"; rss="$RESULTS/$rt-rss.json"; paired="$RESULTS/$rt-paired.json"
    printf '| %s | %s / %s | %s / %s | %s / %s | %s of %s (%s) | %s (%s) | %s MiB |\n' "$rt" \
      "$(jq -r '.p50Ms' "$paired")" "$(jq -r '.p99Ms' "$paired")" \
      "$(jq -n --slurpfile f "$f" --slurpfile d "$d" '($f[0].endToEndLatency.p50Ms - $d[0].endToEndLatency.p50Ms) * 10 | round / 10')" \
      "$(jq -n --slurpfile f "$f" --slurpfile d "$d" '($f[0].endToEndLatency.p99Ms - $d[0].endToEndLatency.p99Ms) * 10 | round / 10')" \
      "$(jq -r '.endToEndLatency.p50Ms' "$d")" "$(jq -r '.endToEndLatency.p99Ms' "$d")" \
      "$(jq -r '.received' "$f")" "$(jq -r '.received' "$d")" "$(jq -r '.paired' "$paired")" \
      "$( [[ -f "$cold" ]] && jq -r '.p50Ms' "$cold" || echo -)" "$( [[ -f "$cold" ]] && jq -r '.maxMs' "$cold" || echo -)" \
      "$( [[ -f "$rss" ]] && jq -r '.rssKiB / 1024 * 10 | round / 10' "$rss" || echo -)"
  done
  echo
  echo "CPU per message sent during the load (user + system time over the run, divided by the messages sent):"
  echo
  for rt in "${runtime_list[@]}"; do
    jq -r --arg rt "$rt" '"- \($rt): daemon \(.daemonUsPerMessage) µs, function child processes \(.childUsPerMessage) µs (\(.sent) messages)"' \
      "$RESULTS/$rt-cpu.json"
  done
  if [[ -f "$RESULTS/invocations.txt" ]]; then
    echo
    echo "Invocations/s of the runtime alone (no MQTT), same JVM options:"
    echo
    echo '```'
    cat "$RESULTS/invocations.txt"
    echo '```'
  fi
  echo
  commands_details "$RESULTS/commands.txt"
} > "$RESULTS/section.md"
cat "$RESULTS/section.md"
[[ "$WRITE_DOC" == 1 ]] && update_doc_section "function-runtimes" "$RESULTS/section.md"
echo "results in $RESULTS" >&2
