#!/usr/bin/env bash
# Shared helpers for the device-sim benchmark scripts. Source it; do not run it.
# Every command a script runs through `bench_cmd` is logged to $RESULTS/commands.txt so the report
# can show the exact command lines.

set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$BENCH_DIR/../.." && pwd)"
SIM_JAR="${SIM_JAR:-$REPO_ROOT/device-sim/simulator/target/device-sim.jar}"
OUTPOST_JAR="${OUTPOST_JAR:-$REPO_ROOT/packaging/target/outpost.jar}"
JAVA="${JAVA:-java}"
BENCH_PIDS=()

die() { echo "bench: $*" >&2; exit 1; }

require_tools() {
  command -v jq >/dev/null || die "jq is required (apt-get install -y jq)"
  command -v "$JAVA" >/dev/null || die "java is required"
  [[ -f "$SIM_JAR" ]] || die "missing $SIM_JAR: build it with  mvn -B -pl device-sim/simulator -am package -DskipTests"
}

# Runs a command in the foreground and records its exact command line.
bench_cmd() {
  printf '%q ' "$@" | sed "s#$REPO_ROOT/##g" >> "$RESULTS/commands.txt"
  echo >> "$RESULTS/commands.txt"
  "$@"
}

# Starts a command in the background (its pid in BENCH_LAST_PID), recording its command line.
bench_bg() {
  local log="$1"; shift
  printf '%q ' "$@" | sed "s#$REPO_ROOT/##g" >> "$RESULTS/commands.txt"
  echo " &" >> "$RESULTS/commands.txt"
  "$@" > "$log" 2>&1 &
  BENCH_LAST_PID=$!
  BENCH_PIDS+=("$BENCH_LAST_PID")
}

# Stops one background process we started (TERM, then KILL after 10 s).
bench_stop() {
  local pid="$1"
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# Stops everything this script started, in reverse order.
bench_cleanup() {
  local i
  for (( i=${#BENCH_PIDS[@]}-1; i>=0; i-- )); do bench_stop "${BENCH_PIDS[$i]}"; done
  BENCH_PIDS=()
}

wait_for_port() {
  local port="$1" what="$2"
  for _ in $(seq 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  die "$what did not listen on 127.0.0.1:$port within 30 s"
}

# Fails when something already listens on the port: a bench must not measure another process.
require_free_port() {
  local port="$1" what="$2"
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "127.0.0.1:$port is already in use; $what needs it (pick other ports or stop what listens there)"
  fi
}

wait_for_file() {
  local file="$1" what="$2"
  for _ in $(seq 600); do [[ -f "$file" ]] && return 0; sleep 0.1; done
  die "$what not ready within 60 s"
}

# spool_bench_config BUDGET DIR PORT [CLOUD_URL] -> stdout: the daemon config of the spool benches: a listener on PORT
# that takes window-100 publishers (receiveMaximum 1000, not the default 64), the spool in DIR,
# storage.maxCommitsPerSecond from BUDGET ("default", N, or N@SIZE to set storage.pageSize too), devices/# routed to
# the cloud (at CLOUD_URL; without it none is configured, so everything stays spooled), the admin API on an ephemeral
# port.
spool_bench_config() {
  local budget="$1" dir="$2" port="$3" cloud_url="${4:-}" commits page_size=""
  [[ "$budget" == *@* ]] && page_size="${budget#*@}"
  commits="${budget%@*}"
  cat <<YAML
broker:
  receiveMaximum: 1000
  listeners:
    - host: 127.0.0.1
      port: $port
storage:
  dir: $dir
  maxBytes: 8589934592
$( [[ $commits == default ]] || echo "  maxCommitsPerSecond: $commits")
$( [[ -z $page_size ]] || echo "  pageSize: $page_size")
$( [[ -z $cloud_url ]] || printf 'cloud:\n  url: %s\n  clientId: outpost-spool-bench\n' "$cloud_url")
routes:
  - {name: telemetry, from: local, filter: "devices/#", to: cloud, qos: 1}
admin:
  listen: "127.0.0.1:0"
YAML
}

# Writes the machine description (markdown list) to stdout.
machine_info() {
  local cpu mem jdk
  cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  mem="$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  jdk="$("$JAVA" -version 2>&1 | head -1)"
  echo "- CPU: ${cpu:-unknown}, $(nproc) cores available"
  echo "- Memory: $mem"
  echo "- OS: $(uname -sr); load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews figures)"
  echo "- JDK: $jdk"
  if command -v mosquitto >/dev/null; then
    echo "- Mosquitto: $(mosquitto -h 2>/dev/null | head -1 | sed 's/^mosquitto //')"
  fi
  echo "- Date: $(date -u +%Y-%m-%dT%H:%MZ), git $(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo 'uncommitted')"
}

# Starts Mosquitto on 127.0.0.1:$1 with extra config lines from $2 (may be empty).
start_mosquitto() {
  local port="$1" extra="${2:-}" dir="$RESULTS/mosquitto-$1"
  command -v mosquitto >/dev/null || die "mosquitto is required (apt-get install -y mosquitto)"
  mkdir -p "$dir"
  require_free_port "$port" "mosquitto"
  { echo "listener $port 127.0.0.1"; echo "allow_anonymous true"; printf '%s\n' "$extra"; } > "$dir/mosquitto.conf"
  bench_bg "$dir/mosquitto.log" mosquitto -c "$dir/mosquitto.conf"
  wait_for_port "$port" "mosquitto"
}

# drain_cloud_config DIR INFLIGHT -> stdout: the Mosquitto config of the outage-drain benches' cloud, which keeps its
# sessions on disk in DIR (created, writable for the mosquitto user), queues without limit and allows INFLIGHT
# messages in flight (max_inflight_messages; MQTT 5 Receive Maximum). spool-outage-drain.sh and
# drain-client-floor.sh both use it, so the client floor is measured against the same cloud as the drain.
drain_cloud_config() {
  local dir="$1" inflight="$2"
  mkdir -p "$dir"
  chmod a+rwx "$dir" # mosquitto started as root drops to its own user
  printf '%s\n' "persistence true" "persistence_location $dir/" "max_queued_messages 0" \
    "max_inflight_messages $inflight"
}

# The JVM options the package ships (JAVA_OPTS of /etc/default/outpost: the footprint profile).
shipped_jvm_opts() {
  (. "$REPO_ROOT/packaging/src/deb/files/etc/default/outpost" && echo "${JAVA_OPTS:-}")
}

# The throughput profile: the commented-out JAVA_OPTS line of the shipped /etc/default/outpost.
shipped_throughput_jvm_opts() {
  local opts
  opts="$(sed -n 's/^#JAVA_OPTS="\(.*\)"$/\1/p' "$REPO_ROOT/packaging/src/deb/files/etc/default/outpost" | head -1)"
  [[ -n "$opts" ]] || die "no throughput profile (#JAVA_OPTS=...) in the shipped /etc/default/outpost"
  echo "$opts"
}

# Starts Outpost from packaging/target/outpost.jar with a config file (path in $2) on port $1, with the JVM
# options in OUTPOST_JVM_OPTS (word-split; none when unset, as a plain `java -jar`).
start_outpost() {
  local port="$1" config="$2"
  [[ -f "$OUTPOST_JAR" ]] || die "missing $OUTPOST_JAR: build it with  mvn -B -pl packaging -am package -DskipTests"
  require_free_port "$port" "outpost"
  # shellcheck disable=SC2086 # the options are words
  bench_bg "$RESULTS/outpost-$port.log" "$JAVA" ${OUTPOST_JVM_OPTS:-} -jar "$OUTPOST_JAR" run --config "$config"
  wait_for_port "$port" "outpost"
}

# Replaces the text between '<!-- BEGIN $1 -->' and '<!-- END $1 -->' in docs/benchmarks.md with
# the contents of file $2 (appends the marked section when it does not exist yet).
# Prints a collapsed markdown block with the exact command lines recorded in $1.
commands_details() {
  echo "<details><summary>Exact command lines</summary>"
  echo
  echo '```'
  cat "$1"
  echo '```'
  echo "</details>"
  echo
}

update_doc_section() {
  local name="$1" body="$2" doc="$REPO_ROOT/docs/benchmarks.md" tmp
  tmp="$(mktemp)"
  if grep -q "<!-- BEGIN $name -->" "$doc"; then
    awk -v name="$name" -v body="$body" '
      $0 == "<!-- BEGIN " name " -->" { print; while ((getline line < body) > 0) print line; skip = 1; next }
      $0 == "<!-- END " name " -->" { skip = 0 }
      !skip { print }' "$doc" > "$tmp"
  else
    { cat "$doc"; echo; echo "<!-- BEGIN $name -->"; cat "$body"; echo "<!-- END $name -->"; } > "$tmp"
  fi
  mv "$tmp" "$doc"
}
