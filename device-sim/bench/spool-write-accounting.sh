#!/usr/bin/env bash
# Where the daemon's disk writes go at one durable ingest point: the packaged daemon with everything routed to an
# absent cloud (as in spool-ingest-sweep.sh), MQTT.js publishers at a steady rate. After a warm-up point it
# measures one point and splits write_bytes of the daemon (/proc/<pid>/io) by thread (/proc/<pid>/task/*/io), next
# to the spool's own metrics (commits, messages per commit, bytes its writer wrote, payload bytes made durable).
# A second point runs under strace (write, pwrite64, writev, pwritev, fsync, fdatasync) to split the bytes the
# daemon hands to the kernel by file, with fsyncs per file (mmap'd writes, SQLite's -shm index, are not syscalls
# and show only in the thread split).
#
# Usage: device-sim/bench/spool-write-accounting.sh [--budget default|N[@pageSize]] [--rate 1000] [--publishers 4]
#          [--window 100] [--seconds 10] [--strace-seconds 5] [--warmup-seconds 5] [--nodelay]
#   --nodelay: the MQTT.js publishers set TCP_NODELAY (as spool-ingest-sweep.sh --nodelay).
# Needs: the packaged daemon, node + npm, curl, jq, strace (apt-get install -y strace), /usr/bin/python3.
# Environment: GATEWAY_PORT (18875), OUTPOST_JAR.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BUDGET=default
RATE=1000
PUBLISHERS=4
WINDOW=100
SECONDS_PER_POINT=10
STRACE_SECONDS=5
WARMUP_SECONDS=5
NODELAY=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --budget) BUDGET="$2"; shift 2 ;;
    --rate) RATE="$2"; shift 2 ;;
    --publishers) PUBLISHERS="$2"; shift 2 ;;
    --window) WINDOW="$2"; shift 2 ;;
    --seconds) SECONDS_PER_POINT="$2"; shift 2 ;;
    --strace-seconds) STRACE_SECONDS="$2"; shift 2 ;;
    --warmup-seconds) WARMUP_SECONDS="$2"; shift 2 ;;
    --nodelay) NODELAY=1; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) die "unknown argument $1" ;;
  esac
done
GATEWAY_PORT="${GATEWAY_PORT:-18875}"
PAYLOAD=200

for tool in jq curl node; do command -v "$tool" >/dev/null || die "$tool is required"; done
[[ -x /usr/bin/python3 ]] || die "/usr/bin/python3 is required"
[[ -d "$BENCH_DIR/mqttjs/node_modules/mqtt" ]] || (cd "$BENCH_DIR/mqttjs" && npm ci --no-audit --no-fund >&2)

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RESULTS="$BENCH_DIR/results/write-accounting-$STAMP"
mkdir -p "$RESULTS"
trap bench_cleanup EXIT
machine_info > "$RESULTS/machine.md"

data="$RESULTS/data"
mkdir -p "$data"
spool_bench_config "$BUDGET" "$data" "$GATEWAY_PORT" > "$RESULTS/outpost.yaml"
start_outpost "$GATEWAY_PORT" "$RESULTS/outpost.yaml"
pid=$BENCH_LAST_PID
log="$RESULTS/outpost-$GATEWAY_PORT.log"
for _ in $(seq 100); do grep -q 'admin http://' "$log" && break; sleep 0.1; done
admin="$(grep -o 'admin http://127.0.0.1:[0-9]*' "$log" | head -1 | sed 's/^admin //')"
[[ -n "$admin" ]] || die "no admin address in $log"
token="$(cat "$data/admin.token")"

load() { # $1 = run name, $2 = seconds
  bench_cmd node "$BENCH_DIR/mqttjs/load.mjs" --url "mqtt://127.0.0.1:$GATEWAY_PORT" --publishers "$PUBLISHERS" \
    --window "$WINDOW" --rate "$RATE" --seconds "$2" --payload "$PAYLOAD" --nodelay "$NODELAY" --run "$1"
}

# One snapshot: "process <bytes>", "thread <tid> <name> <bytes>", "metric <name> <value>", "file <path> <size>".
snapshot() {
  echo "process $(awk '/^write_bytes:/ {print $2}' "/proc/$pid/io")"
  local t
  for t in /proc/"$pid"/task/*; do
    echo "thread ${t##*/} $(tr ' ' '_' < "$t/comm") $(awk '/^write_bytes:/ {print $2}' "$t/io" 2>/dev/null || echo 0)"
  done
  curl -sf -H "Authorization: Bearer $token" "$admin/metrics" \
    | grep -E '^outpost_spool_(commit_seconds_count|commit_seconds_sum|commit_messages_sum|commit_messages_count|written_bytes_total|appended_payload_bytes_total|appended_total|commit_started_total)[ {]' \
    | awk '{print "metric", $1, $2}'
  find "$data" "$log" -type f -printf 'file %p %s\n'
}

echo "== warm-up, ${WARMUP_SECONDS}s" >&2
load warmup "$WARMUP_SECONDS" > "$RESULTS/warmup.json"
sleep 1
snapshot > "$RESULTS/before.txt"
echo "== measured point, ${SECONDS_PER_POINT}s" >&2
load measured "$SECONDS_PER_POINT" > "$RESULTS/point.json"
sleep 1 # the last commit and a checkpoint land in this point
snapshot > "$RESULTS/after.txt"

if command -v strace >/dev/null && [[ "$STRACE_SECONDS" != 0 ]]; then
  echo "== point under strace, ${STRACE_SECONDS}s" >&2
  ls -l "/proc/$pid/fd" > "$RESULTS/fds-before.txt" 2>/dev/null || true
  strace -f -qq -e trace=write,pwrite64,writev,pwritev,fsync,fdatasync -o "$RESULTS/strace.txt" -p "$pid" &
  strace_pid=$!
  sleep 1
  load straced "$STRACE_SECONDS" > "$RESULTS/straced.json"
  sleep 1
  ls -l "/proc/$pid/fd" > "$RESULTS/fds-after.txt" 2>/dev/null || true
  kill -INT "$strace_pid" 2>/dev/null || true
  wait "$strace_pid" 2>/dev/null || true
else
  echo "== no strace run (--strace-seconds 0, or apt-get install -y strace): no split by file" >&2
fi

/usr/bin/python3 - "$RESULTS" "$PAYLOAD" > "$RESULTS/section.md" <<'PY'
import json, os, re, sys
results, payload = sys.argv[1], int(sys.argv[2])

def read(name):
    snap = {"thread": {}, "metric": {}, "file": {}}
    for line in open(os.path.join(results, name)):
        kind, *rest = line.split()
        if kind == "process":
            snap["process"] = int(rest[0])
        elif kind == "thread":
            snap["thread"][rest[0]] = (rest[1], int(rest[2]))
        elif kind == "metric":
            snap["metric"][rest[0]] = float(rest[1])
        elif kind == "file":
            snap["file"][rest[0]] = int(rest[1])
    return snap

before, after = read("before.txt"), read("after.txt")
point = json.load(open(os.path.join(results, "point.json")))
payload_bytes = point["acked"] * payload
total = after["process"] - before["process"]
print(f"Measured point: {point['publishers']} publishers x window {point['window']}, offered {point['offeredRate']} msg/s, "
      f"{point['acked']} acknowledged in {point['seconds']} s (PUBACK p50 {point['pubackP50Ms']} ms, p99 {point['pubackP99Ms']} ms); "
      f"payload {payload_bytes} B.")
print()
print(f"Daemon write_bytes: **{total} B = {total / payload_bytes:.2f} per payload byte**.")
print()
by_name = {}
for tid, (name, now) in after["thread"].items():
    was = before["thread"].get(tid, (name, 0))[1]
    if now - was:
        by_name[name] = by_name.get(name, 0) + now - was
ended = total - sum(by_name.values())
print("| thread | bytes | per payload byte | share |")
print("|---|---:|---:|---:|")
for name, b in sorted(by_name.items(), key=lambda kv: -kv[1]):
    print(f"| {name} | {b} | {b / payload_bytes:.3f} | {100 * b / max(1, total):.1f}% |")
if ended:
    print(f"| (threads that ended during the point) | {ended} | {ended / payload_bytes:.3f} | {100 * ended / max(1, total):.1f}% |")
print()
m0, m1 = before["metric"], after["metric"]
def delta(key):
    for k in m1:
        if k.startswith(key):
            return m1[k] - m0.get(k, 0)
    return None
commits = delta("outpost_spool_commit_seconds_count")
messages = delta("outpost_spool_commit_messages_sum")
written = delta("outpost_spool_written_bytes_total")
spooled = delta("outpost_spool_appended_payload_bytes_total")
if commits:
    print(f"Spool metrics over the point: {commits:.0f} commits ({commits / point['seconds']:.1f}/s), "
          f"{messages / commits:.1f} messages per commit, spool writer wrote {written:.0f} B "
          f"({written / spooled:.2f} per payload byte of the {spooled:.0f} it made durable).")
    starts = {re.search(r'after="([^"]+)"', k).group(1): m1[k] - m0.get(k, 0)
              for k in m1 if k.startswith("outpost_spool_commit_started_total")}
    if starts:
        print("Commits by what started them: " + ", ".join(f"{k} {v:.0f}" for k, v in sorted(starts.items())) + ".")
    print()
print("| file | size before | size after |")
print("|---|---:|---:|")
for path in sorted(set(before["file"]) | set(after["file"])):
    print(f"| {os.path.relpath(path, results)} | {before['file'].get(path, '-')} | {after['file'].get(path, '-')} |")
print()

trace = os.path.join(results, "strace.txt")
if os.path.exists(trace):
    fds = {}
    for name in ("fds-before.txt", "fds-after.txt"):
        for line in open(os.path.join(results, name)):
            m = re.search(r" (\d+) -> (.*)$", line)
            if m:
                fds[m.group(1)] = m.group(2)
    stats = {}
    call = re.compile(r"^(\d+)\s+(write|pwrite64|writev|pwritev|fsync|fdatasync)\((\d+)[,)]")
    done = re.compile(r"=\s+(-?\d+)")
    resumed = re.compile(r"^(\d+)\s+<\.\.\. (\w+) resumed>")
    pending = {}
    for line in open(trace):
        m = call.match(line)
        if m:
            tid, op, fd = m.groups()
            if "<unfinished" in line:
                pending[tid] = (op, fd)
                continue
        else:
            r = resumed.match(line)
            if not r or r.group(1) not in pending:
                continue
            op, fd = pending.pop(r.group(1))
        d = done.search(line.rsplit(")", 1)[-1]) if ")" in line else None
        ret = int(d.group(1)) if d else 0
        target = fds.get(fd, f"fd {fd}")
        if target.startswith("socket:") or target.startswith("pipe:") or target.startswith("anon_inode:"):
            target = target.split(":")[0] + "s"
        s = stats.setdefault(target, {"calls": 0, "bytes": 0, "syncs": 0})
        if op in ("fsync", "fdatasync"):
            s["syncs"] += 1
        else:
            s["calls"] += 1
            s["bytes"] += max(0, ret)
    straced = json.load(open(os.path.join(results, "straced.json")))
    straced_payload = straced["acked"] * payload
    print(f"Under strace ({straced['acked']} acknowledged, PUBACK p50 {straced['pubackP50Ms']} ms): bytes handed to the "
          f"kernel by file (page-cache writes; the disk sees whole 4 KiB pages):")
    print()
    print("| file | write calls | bytes | per payload byte | fsyncs |")
    print("|---|---:|---:|---:|---:|")
    for target, s in sorted(stats.items(), key=lambda kv: -kv[1]["bytes"]):
        shown = os.path.relpath(target, results) if target.startswith("/") else target
        print(f"| {shown} | {s['calls']} | {s['bytes']} | {s['bytes'] / straced_payload:.3f} | {s['syncs']} |")
    print()
PY
{ echo; cat "$RESULTS/machine.md"; echo; commands_details "$RESULTS/commands.txt"; } >> "$RESULTS/section.md"
cat "$RESULTS/section.md"
