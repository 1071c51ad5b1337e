#!/usr/bin/env python3
"""Per-thread CPU of running processes, sampled from /proc: who is busy during a benchmark.

Every --interval seconds, for each process whose command line contains one of the patterns, prints the
process's CPU over the interval (100 % = one core) and its busiest threads by name, one line per sample:

    device-sim/bench/thread-cpu.py --seconds 60 outpost.jar mosquitto consume.mjs > threads.txt &
    device-sim/bench/spool-outage-drain.sh ...

Thread CPU is utime + stime of /proc/<pid>/task/<tid>/stat; threads with the same name are listed apart.
"""
import argparse
import os
import re
import time


def matching(patterns):
    """pid -> label for processes whose command line contains a pattern (not this script)."""
    found = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "thread-cpu.py" in cmd:
            continue
        for pattern in patterns:
            if pattern in cmd:
                port = re.search(r"\b(1\d{4})\b", cmd)
                found[pid] = pattern + (":" + port.group(1) if port else "")
                break
    return found


def threads(pid):
    """(tid, name) -> CPU ticks so far."""
    ticks = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return ticks
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        ticks[(tid, name)] = int(fields[11]) + int(fields[12])
    return ticks


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("patterns", nargs="+", help="substrings of the command lines to watch")
    parser.add_argument("--seconds", type=float, default=60, help="how long to sample (default 60)")
    parser.add_argument("--interval", type=float, default=0.25, help="seconds between samples (default 0.25)")
    parser.add_argument("--top", type=int, default=6, help="threads listed per process (default 6)")
    args = parser.parse_args()
    hz = os.sysconf("SC_CLK_TCK")
    previous = {}
    end = time.monotonic() + args.seconds
    while time.monotonic() < end:
        labels = matching(args.patterns)
        now = {pid: threads(pid) for pid in labels}
        parts = []
        for pid, ticks in now.items():
            before = previous.get(pid, {})
            busy = sorted(((t - before.get(key, t), key[1]) for key, t in ticks.items()), reverse=True)
            total = sum(d for d, _ in busy)
            if total > 0:
                top = " ".join(f"{name}={100 * d / hz / args.interval:.0f}" for d, name in busy[:args.top] if d > 0)
                parts.append(f"{labels[pid]}[{pid}] {100 * total / hz / args.interval:.0f}% {top}")
        if parts:
            print(time.strftime("%H:%M:%S"), " | ".join(parts), flush=True)
        previous = now
        time.sleep(args.interval)


if __name__ == "__main__":
    main()
