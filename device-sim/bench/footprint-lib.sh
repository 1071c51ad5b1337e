#!/usr/bin/env bash
# Helpers for footprint.sh: start the packaged daemon with given JVM options, time it to ready, and
# read its memory, threads and disk writes from /proc. Source it after lib.sh; do not run it.

FP_PORT="${FP_PORT:-18870}"
FP_ADMIN_PORT="${FP_ADMIN_PORT:-18871}"
FP_DEFAULTS="${FP_DEFAULTS:-$REPO_ROOT/packaging/src/deb/files/etc/default/outpost}"

# The JAVA_OPTS the package ships, read from its /etc/default/outpost so the benchmark cannot drift.
shipped_java_opts() {
  [[ -r "$FP_DEFAULTS" ]] || die "cannot read $FP_DEFAULTS"
  ( set +eu; unset JAVA_OPTS; . "$FP_DEFAULTS"; printf '%s' "${JAVA_OPTS:-}" )
}

now_ns() { date +%s%N; }

# /proc/<pid>/status field in kB (VmRSS, VmHWM) or count (Threads).
proc_status() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
# /proc/<pid>/io field (write_bytes, wchar).
proc_io() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/io"; }

admin_get() {
  curl -s --max-time 2 -H "Authorization: Bearer $(cat "$FP_DIR/admin.token" 2>/dev/null)" \
    "http://127.0.0.1:$FP_ADMIN_PORT/$1"
}

# Writes the daemon config for data directory $1 to $2: one listener, offline (no cloud section),
# one route to the cloud, so everything the devices publish is spooled.
write_config() {
  cat > "$2" <<EOF
broker:
  listeners:
    - host: 127.0.0.1
      port: $FP_PORT
storage:
  dir: $1
routes:
  - {name: telemetry, from: local, filter: "devices/+/telemetry", to: cloud, qos: 1}
admin:
  listen: "127.0.0.1:$FP_ADMIN_PORT"
EOF
}

# The packaged way of starting: the .deb's launcher (packaging/src/deb/files/usr/bin/outpost) next to a
# copy of outpost.jar in the layout it expects, reading FP_DEFAULTS, with the class-data sharing archive
# that its `update-cds-archive` (run by the .deb's postinst) builds in $RESULTS/packaged/cds. Sets
# FP_LAUNCHER, FP_CDS_DIR, CDS_TRAIN_MS and CDS_ARCHIVE_BYTES.
prepare_launcher() {
  local root="$RESULTS/packaged" t0
  mkdir -p "$root/bin" "$root/share/outpost"
  cp "$REPO_ROOT/packaging/src/deb/files/usr/bin/outpost" "$root/bin/outpost"
  chmod 0755 "$root/bin/outpost"
  cp "$OUTPOST_JAR" "$root/share/outpost/outpost.jar"
  FP_LAUNCHER="$root/bin/outpost"; FP_CDS_DIR="$root/cds"
  t0=$(now_ns)
  bench_cmd $(launcher_env) "$FP_LAUNCHER" update-cds-archive > "$RESULTS/update-cds-archive.log" 2>&1 \
    || die "outpost update-cds-archive failed, see $RESULTS/update-cds-archive.log and $FP_CDS_DIR"
  CDS_TRAIN_MS=$(( ($(now_ns) - t0) / 1000000 ))
  CDS_ARCHIVE_BYTES=$(stat -c %s "$FP_CDS_DIR/outpost.jsa")
}

# `env VAR=value...` words for running the launcher: FP_DEFAULTS, FP_CDS_DIR and the java of $JAVA
# (paths without spaces).
launcher_env() {
  local java_home="${JAVA_HOME:-}"
  [[ "$JAVA" == java ]] || java_home="$(dirname "$(dirname "$(readlink -f "$(command -v "$JAVA")")")")"
  echo env OUTPOST_DEFAULTS="$FP_DEFAULTS" OUTPOST_CDS_DIR="$FP_CDS_DIR" ${java_home:+JAVA_HOME="$java_home"}
}

# Starts the daemon as `java <opts> -jar outpost.jar run --config F` in a fresh data directory named
# $1 and waits until /health/ready answers 200. See launch_and_wait for what it sets.
start_daemon() {
  local name="$1"; shift
  if [[ -n "${FP_ENV:-}" ]]; then set -- env $FP_ENV "$JAVA" "$@"; else set -- "$JAVA" "$@"; fi
  launch_and_wait "$name" "$@" -jar "$OUTPOST_JAR"
}

# Starts the daemon as the package does (`outpost run --config F` through the launcher, see
# prepare_launcher), with extra JVM options $2... in OUTPOST_JAVA_OPTS, and waits for ready.
start_packaged() {
  local name="$1"; shift
  launch_and_wait "$name" $(launcher_env) OUTPOST_JAVA_OPTS="$*" "$FP_LAUNCHER"
}

# Runs `$2... run --config F` in a fresh data directory named $1 and waits until /health/ready
# answers 200. Sets FP_PID, FP_DIR, FP_LOG, FP_MQTT_MS (process start to the MQTT listener accepting
# a TCP connection) and FP_READY_MS (process start to ready).
launch_and_wait() {
  local name="$1"; shift
  FP_DIR="$RESULTS/$name-data"; FP_LOG="$RESULTS/$name.log"
  rm -rf "$FP_DIR"; mkdir -p "$FP_DIR"
  write_config "$FP_DIR" "$RESULTS/$name.yaml"
  local t0 now code
  t0=$(now_ns); FP_T0_MS=$(( t0 / 1000000 ))
  bench_bg "$FP_LOG" "$@" run --config "$RESULTS/$name.yaml"
  FP_PID=$BENCH_LAST_PID
  FP_MQTT_MS=""; FP_READY_MS=""
  while [[ -z "$FP_READY_MS" ]]; do
    kill -0 "$FP_PID" 2>/dev/null || die "daemon $name exited during start, see $FP_LOG"
    now=$(now_ns)
    (( (now - t0) / 1000000 < 60000 )) || die "daemon $name not ready within 60 s, see $FP_LOG"
    if [[ -z "$FP_MQTT_MS" ]] && (exec 3<>"/dev/tcp/127.0.0.1/$FP_PORT") 2>/dev/null; then
      FP_MQTT_MS=$(( ($(now_ns) - t0) / 1000000 ))
    fi
    if [[ -f "$FP_DIR/admin.token" ]]; then
      code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 \
        -H "Authorization: Bearer $(cat "$FP_DIR/admin.token")" \
        "http://127.0.0.1:$FP_ADMIN_PORT/health/ready" || true)
      [[ "$code" == 200 ]] && FP_READY_MS=$(( ($(now_ns) - t0) / 1000000 ))
    fi
    [[ -n "$FP_READY_MS" ]] || sleep 0.01
  done
  [[ -n "$FP_MQTT_MS" ]] || FP_MQTT_MS=$FP_READY_MS
}

# Stops the daemon and removes its data directory (a 1M-message spool is ~240 MB) unless FP_KEEP_DATA=1.
stop_daemon() {
  bench_stop "$FP_PID"
  [[ "${FP_KEEP_DATA:-0}" == 1 ]] || rm -rf "$FP_DIR"
}

# Samples "seconds VmRSS(kB) Threads" of pid $1 into file $2 once a second until stopped.
start_sampler() {
  local pid="$1" out="$2" t0
  t0=$(date +%s)
  ( while kill -0 "$pid" 2>/dev/null; do
      echo "$(( $(date +%s) - t0 )) $(proc_status "$pid" VmRSS) $(proc_status "$pid" Threads)" >> "$out"
      sleep 1
    done ) &
  FP_SAMPLER=$!
  BENCH_PIDS+=("$FP_SAMPLER")
}
stop_sampler() { kill "$FP_SAMPLER" 2>/dev/null || true; wait "$FP_SAMPLER" 2>/dev/null || true; }
max_rss_kb() { awk '$2 > m {m = $2} END {print m + 0}' "$1"; }
max_threads() { awk '$3 > m {m = $3} END {print m + 0}' "$1"; }

spool_depth() { admin_get api/spool | jq -r '.depth // empty'; }

# Waits until the spool holds at least $1 messages (at most $2 seconds).
wait_spool_depth() {
  local want="$1" limit="$2" d
  for _ in $(seq "$limit"); do
    d=$(spool_depth || true)
    [[ -n "$d" && "$d" -ge "$want" ]] && return 0
    sleep 1
  done
  die "spool depth ${d:-?} did not reach $want within $limit s"
}


# Native memory summary of pid $1 (NMT must be on) as "category committedKB" lines.
nmt_committed() {
  jcmd "$1" VM.native_memory summary | sed -n 's/^-[[:space:]]*\(.*[^ ]\)[[:space:]]*(reserved=[0-9]*KB, committed=\([0-9]*\)KB).*/\1|\2/p'
}

# Thread names of pid $1 grouped by name with digits stripped: "count name" lines.
thread_groups() {
  local t
  for t in /proc/"$1"/task/*; do cat "$t/comm"; done | sed 's/[0-9]\+/N/g' | sort | uniq -c | sort -rn
}

# Spool group commits so far, from a Prometheus scrape in file $1 (outpost_spool_commit_seconds_count).
commits() { awk '$1 ~ /^outpost_spool_commit_seconds_count/ {printf "%d", $2; found = 1} END {if (!found) print 0}' "$1"; }
