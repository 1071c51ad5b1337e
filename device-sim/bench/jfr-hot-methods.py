#!/usr/bin/env python3
"""Hot-method tables from a JFR recording, offline (JDK's `jfr` tool only).

Reads the CPU samples (jdk.ExecutionSample) of a recording and prints markdown tables: methods by
self samples (top frame) and by total samples (anywhere on the stack, counted once per sample),
optionally only for threads whose name contains --thread. --folded writes the stacks in the folded
format ("frame;frame;frame count") that flame-graph tools (flamegraph.pl, speedscope) read.

    device-sim/bench/jfr-hot-methods.py rec.jfr [--thread eventloop] [--top 25] [--folded out.txt]
"""
import argparse
import collections
import re
import subprocess
import sys

FRAME = re.compile(r"^\s+(\S.*?)(?:\s+line:\s*\d+)?(?:\s+bci:\s*\d+)?\s*$")


def samples(jfr_tool, recording, thread_filter):
    """Yields (thread, [frames top first]) for each execution sample."""
    out = subprocess.run(
        [jfr_tool, "print", "--events", "jdk.ExecutionSample", "--stack-depth", "64", recording],
        check=True, capture_output=True, text=True).stdout
    thread, frames, in_stack = None, [], False
    for line in out.splitlines():
        stripped = line.strip()
        if stripped.startswith("sampledThread"):
            thread = stripped.split("=", 1)[1].strip().split('"')[1] if '"' in stripped else stripped
        elif stripped.startswith("stackTrace = ["):
            in_stack, frames = True, []
        elif in_stack and stripped == "]":
            in_stack = False
            if frames and (thread_filter is None or thread_filter in (thread or "")):
                yield thread, frames
        elif in_stack and stripped != "...":
            m = FRAME.match(line)
            if m:
                frames.append(re.sub(r"\(.*\)$", "", m.group(1)))


def table(title, counter, total, top):
    print(f"| {title} | samples | % |")
    print("|---|---:|---:|")
    for method, n in counter.most_common(top):
        print(f"| `{method}` | {n} | {100.0 * n / total:.1f} |")
    print()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("recording")
    p.add_argument("--thread", help="only threads whose name contains this")
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--folded", help="write folded stacks here")
    p.add_argument("--jfr", default="jfr", help="the JDK's jfr tool")
    p.add_argument("--total-prefixes", default="io.outpost.,io.netty.handler.codec.mqtt.,io.vertx.mqtt.",
                   help="comma-separated package prefixes kept in the total table (the event loop's own "
                        "frames are on every stack and say nothing)")
    a = p.parse_args()
    self_count, total_count, folded = collections.Counter(), collections.Counter(), collections.Counter()
    n = 0
    for _thread, frames in samples(a.jfr, a.recording, a.thread):
        n += 1
        self_count[frames[0]] += 1
        for method in set(frames):
            total_count[method] += 1
        folded[";".join(reversed(frames))] += 1
    if n == 0:
        sys.exit("no execution samples" + (f" on threads matching '{a.thread}'" if a.thread else ""))
    print(f"{n} CPU samples" + (f" on threads matching `{a.thread}`" if a.thread else "") + ".\n")
    table("Method (self: top of the stack)", self_count, n, a.top)
    prefixes = tuple(p for p in a.total_prefixes.split(",") if p)
    kept = collections.Counter({m: c for m, c in total_count.items() if not prefixes or m.startswith(prefixes)})
    table("Method (total: anywhere on the stack; " + ", ".join(f"`{p}`" for p in prefixes) + " only)",
          kept, n, a.top)
    if a.folded:
        with open(a.folded, "w") as f:
            for stack, count in folded.most_common():
                f.write(f"{stack} {count}\n")


if __name__ == "__main__":
    main()
