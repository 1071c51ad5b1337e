#!/usr/bin/env bash
# Function developer loop: machine time from `outpost functions init` to the first output of the deployed function
# on a running daemon, per runtime:
#   java   - init, `mvn -o -q package` (compile + unit test + jar, offline against the packaged SDK), deploy, publish
#   python - init, `python3 -m unittest`, deploy, publish
#   wasm   - init, `npm install --offline` (AssemblyScript from the packaged SDK's tarballs, with an empty npm cache of
#            its own), `npm test`, deploy, publish
# "First output" = a subscriber on NAME/out receives the function's reply to {"name": "Ada"} published on NAME/in.
#
# Usage: device-sim/bench/function-devloop.sh [--runtimes java,python,wasm]
#   Needs the tarball (mvn -B -pl packaging -am package -DskipTests), mosquitto-clients, mvn, python3, npm.
#   The daemon runs from the unpacked tarball on 127.0.0.1:$DEVLOOP_MQTT_PORT (18850), admin :$DEVLOOP_ADMIN_PORT
#   (18851). Maven builds use a local repository of their own that links ~/.m2's plugins but not io.outpost, so the
#   SDK is what the build resolves (and ~/.m2 is never written).
# Prints one line per runtime and writes them to device-sim/bench/results/<stamp>/function-devloop.txt.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RUNTIMES="java,python,wasm"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runtimes) RUNTIMES="$2"; shift 2 ;;
    *) die "usage: $0 [--runtimes java,python,wasm]" ;;
  esac
done
MQTT_PORT="${DEVLOOP_MQTT_PORT:-18850}"
ADMIN_PORT="${DEVLOOP_ADMIN_PORT:-18851}"

command -v mosquitto_pub >/dev/null || die "mosquitto-clients are required"
tarball=$(ls "$REPO_ROOT"/packaging/target/outpost-*.tar.gz 2>/dev/null | head -1)
[[ -n "$tarball" ]] || die "no tarball: build it with  mvn -B -pl packaging -am package -DskipTests"

RESULTS="$BENCH_DIR/results/$(date -u +%Y%m%dT%H%M%SZ)-devloop"
mkdir -p "$RESULTS"
work=$(mktemp -d "${TMPDIR:-/tmp}/outpost-devloop.XXXXXX")
trap 'bench_cleanup; rm -rf "$work"' EXIT

tar -xzf "$tarball" -C "$work"
outpost_root=$(ls -d "$work"/outpost-*/)
launcher="$outpost_root/bin/outpost"
export OUTPOST_DEFAULTS="$work/no-defaults" OUTPOST_CDS_DIR="$work/no-cds"

# a local repository without io.outpost: plugins and JUnit from ~/.m2 (read only, offline), the SDK from the tarball
repo="$work/m2"
mkdir -p "$repo/io"
for entry in "$HOME"/.m2/repository/*; do [[ "$(basename "$entry")" == io ]] || ln -s "$entry" "$repo/"; done
for entry in "$HOME"/.m2/repository/io/*; do
  [[ -e "$entry" && "$(basename "$entry")" != outpost ]] && ln -s "$entry" "$repo/io/"
done
export MAVEN_OPTS="${MAVEN_OPTS:-} -Dmaven.repo.local=$repo"

daemon_dir="$work/daemon"
mkdir -p "$daemon_dir"
cat > "$daemon_dir/outpost.yaml" <<YAML
broker: {listeners: [{host: 127.0.0.1, port: $MQTT_PORT}]}
storage: {dir: $daemon_dir/data}
admin: {listen: "127.0.0.1:$ADMIN_PORT"}
YAML
bench_bg "$RESULTS/daemon.log" "$launcher" run --config "$daemon_dir/outpost.yaml"
wait_for_port "$ADMIN_PORT" "outpost admin"
for _ in $(seq 300); do grep -q "Outpost ready" "$RESULTS/daemon.log" && break; sleep 0.1; done

cli() { "$launcher" "$@" --config "$daemon_dir/outpost.yaml"; }

# Publishes the trigger until the subscriber has seen the function's output (or 60 s pass).
first_output() {
  local name="$1" out="$work/$1.out"
  mosquitto_sub -h 127.0.0.1 -p "$MQTT_PORT" -t "$name/out" -C 1 -W 60 -v > "$out" &
  local sub=$!
  sleep 0.2
  while kill -0 "$sub" 2>/dev/null; do
    mosquitto_pub -h 127.0.0.1 -p "$MQTT_PORT" -q 1 -t "$name/in" -m '{"name": "Ada"}'
    sleep 0.2
  done
  wait "$sub" || die "$name: no output on $name/out within 60 s (see $RESULTS/daemon.log)"
  cat "$out"
}

elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }

for runtime in ${RUNTIMES//,/ }; do
  name="devloop-$runtime"
  cd "$work"
  t0=$(date +%s%N)
  bench_cmd "$launcher" functions init "$name" --runtime "$runtime" --dir "$work/$name" > /dev/null
  cd "$work/$name"
  case "$runtime" in
    java)   bench_cmd mvn -o -q -B package; pkg="target/$name.jar" ;;
    python) bench_cmd python3 -m unittest -q 2>/dev/null; pkg="." ;;
    wasm)   bench_cmd env npm_config_cache="$work/npm-cache" npm install --offline -q > /dev/null
            bench_cmd env npm_config_cache="$work/npm-cache" npm test > /dev/null; pkg="dist" ;;
    *) die "unknown runtime $runtime" ;;
  esac
  t_built=$(date +%s%N)
  cli functions deploy "$pkg" > /dev/null
  output=$(first_output "$name")
  t1=$(date +%s%N)
  line="$runtime: init -> first output $(elapsed "$t0" "$t1") s (init + build + test $(elapsed "$t0" "$t_built") s, deploy + first output $(elapsed "$t_built" "$t1") s): $output"
  echo "$line" | tee -a "$RESULTS/function-devloop.txt"
done
