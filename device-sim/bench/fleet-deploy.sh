#!/usr/bin/env bash
# Fleet deployment time: from `outpost fleet deploy` to SUCCEEDED on every gateway, for a function package of about
# 1 MB, and the jobs messages exchanged per gateway per deployment.
#
#   outpost fleet deploy --> cloud broker (Mosquitto) <--> N gateways (java -jar outpost.jar run)
#                                                           \-> artifact over HTTP (python3 -m http.server)
#
# Usage: device-sim/bench/fleet-deploy.sh [--gateways 3] [--size-kb 1024] [--health 1]
#   --health: each gateway's fleet.healthWindowSeconds (part of the measured time)
# Environment: CLOUD_PORT (18860), ARTIFACT_PORT (18861), OUTPOST_JAR, JAVA.
# Prints one line: gateways, package size, seconds to all SUCCEEDED, jobs messages per gateway.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

GATEWAYS=3
SIZE_KB=1024
HEALTH=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --gateways) GATEWAYS="$2"; shift 2 ;;
    --size-kb) SIZE_KB="$2"; shift 2 ;;
    --health) HEALTH="$2"; shift 2 ;;
    *) die "unknown option $1" ;;
  esac
done
CLOUD_PORT="${CLOUD_PORT:-18860}"
ARTIFACT_PORT="${ARTIFACT_PORT:-18861}"
[[ -f "$OUTPOST_JAR" ]] || die "missing $OUTPOST_JAR: build it with  mvn -B -pl packaging -am package -DskipTests"
[[ -x /usr/sbin/mosquitto ]] || die "mosquitto is required (apt-get install -y mosquitto)"
PY=/usr/bin/python3
[[ -x "$PY" ]] || PY=python3

RESULTS="$(mktemp -d "${TMPDIR:-/tmp}/outpost-fleet-bench.XXXXXX")"
trap 'bench_cleanup; rm -rf "$RESULTS"' EXIT
: > "$RESULTS/commands.txt"

# the cloud
printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nmax_inflight_messages 0\n' "$CLOUD_PORT" \
  > "$RESULTS/mosquitto.conf"
bench_bg "$RESULTS/mosquitto.log" /usr/sbin/mosquitto -c "$RESULTS/mosquitto.conf"
wait_for_port "$CLOUD_PORT" mosquitto

# a ~SIZE_KB process function package (incompressible padding) and its digest
mkdir -p "$RESULTS/www"
"$PY" - "$RESULTS/www/bench-fn.jar" "$SIZE_KB" <<'PYEOF'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_STORED) as z:
    z.writestr("outpost-function.yaml", "name: bench\nversion: 1.0.0\nruntime: process\ncommand: [cat]\n"
               "triggers: [\"bench/in/#\"]\n")
    z.writestr("padding.bin", os.urandom(int(sys.argv[2]) * 1024))
PYEOF
SHA=$(sha256sum "$RESULTS/www/bench-fn.jar" | cut -d' ' -f1)
BYTES=$(stat -c %s "$RESULTS/www/bench-fn.jar")
bench_bg "$RESULTS/http.log" "$PY" -m http.server "$ARTIFACT_PORT" --bind 127.0.0.1 --directory "$RESULTS/www"
wait_for_port "$ARTIFACT_PORT" "artifact server"
cat > "$RESULTS/deployment.json" <<JSON
{"schemaVersion": 1, "name": "bench", "functions": [{"name": "bench", "version": "1.0.0", "runtime": "process",
 "artifact": {"url": "http://127.0.0.1:$ARTIFACT_PORT/bench-fn.jar", "sha256": "$SHA", "size": $BYTES}}]}
JSON

# the gateways, one after the other (a loaded machine times out starting twenty JVMs at once)
THINGS=()
for i in $(seq 1 "$GATEWAYS"); do
  d="$RESULTS/gw-$i"
  mkdir -p "$d/tmp"
  cat > "$d/outpost.yaml" <<YAML
broker: {listeners: [{host: 127.0.0.1, port: 0}]}
storage: {dir: $d/data}
admin: {enabled: false}
cloud: {url: "tcp://127.0.0.1:$CLOUD_PORT", clientId: bench-$i, mqttVersion: "3.1.1"}
fleet: {healthWindowSeconds: $HEALTH, retainReports: true}
YAML
  bench_bg "$d/daemon.log" "$JAVA" -Xmx96m -XX:TieredStopAtLevel=1 "-Djava.io.tmpdir=$d/tmp" -jar "$OUTPOST_JAR" \
    run --config "$d/outpost.yaml"
  THINGS+=(--thing "bench-$i")
  for _ in $(seq 1200); do
    grep -q "Cloud link online" "$d/daemon.log" 2>/dev/null && break
    grep -q "start failed" "$d/daemon.log" 2>/dev/null && die "gateway $i did not start: $(tail -1 "$d/daemon.log")"
    sleep 0.1
  done
  grep -q "Cloud link online" "$d/daemon.log" || die "gateway $i did not come online"
done

# the measurement
start=$(date +%s.%N)
bench_cmd "$JAVA" -jar "$OUTPOST_JAR" fleet deploy --broker "tcp://127.0.0.1:$CLOUD_PORT" "${THINGS[@]}" \
  --job-id "bench-$(date +%s)" --timeout 300 "$RESULTS/deployment.json" > "$RESULTS/deploy.out" 2>&1 || {
  cat "$RESULTS/deploy.out"; die "deployment did not succeed everywhere"; }
end=$(date +%s.%N)
summary=$(grep -E "succeeded in" "$RESULTS/deploy.out")
echo "gateways=$GATEWAYS package_bytes=$BYTES health_window_s=$HEALTH wall_s=$(echo "$end - $start" | bc) | $summary"
