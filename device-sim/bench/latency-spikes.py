#!/usr/bin/env python3
"""Where in time a path's added latency has its tail: the kept latency logs of function-bench.sh, grouped.

Pairs the two logs written by `device-sim consume --latency-log` (direct and via a function) by device and
sequence number, as paired-latency.py does, and groups the messages by their intended send time into windows;
prints one line per window: messages, p99 and max of the added latency, and how many added more than --over-ms.
Only devices whose id starts with --devices (the measured run's, not the prewarm's) count, from --skip-s after
the first one's send time.

    KEEP_LATENCY_LOGS=1 SKIP_COLD=1 device-sim/bench/function-bench.sh --runtimes java-process --no-doc ...
    device-sim/bench/latency-spikes.py RESULTS/java-process-direct.lat RESULTS/java-process-function.lat --window-ms 1000
"""
import argparse
import datetime

import latency_log


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("direct")
    ap.add_argument("via")
    ap.add_argument("--window-ms", type=int, default=1000)
    ap.add_argument("--skip-s", type=float, default=3.0, help="left out after the first send time (warm-up)")
    ap.add_argument("--over-ms", type=float, default=5.0)
    ap.add_argument("--devices", default="dev-", help="device id prefix of the measured run")
    args = ap.parse_args()
    measured = lambda device, _: device.startswith(args.devices)
    direct, via = latency_log.read(args.direct, measured), latency_log.read(args.via, measured)
    rows = sorted((direct[k][1], via[k][0] - direct[k][0]) for k in direct.keys() & via.keys())
    if not rows:
        raise SystemExit("no message was seen on both paths")
    start = rows[0][0] + int(args.skip_s * 1e6)
    window = args.window_ms * 1000
    groups = {}
    for sent, added in rows:
        if sent >= start:
            groups.setdefault((sent - start) // window, []).append(added)
    over = int(args.over_ms * 1000)
    with_over = 0
    for w, added in sorted(groups.items()):
        added.sort()
        n = len(added)
        count = sum(1 for a in added if a > over)
        with_over += count > 0
        when = datetime.datetime.fromtimestamp((start + w * window) / 1e6, datetime.timezone.utc)
        print(f"{when:%H:%M:%S.%f}"[:-3], f"messages {n}", f"p99 {added[min(n - 1, int(n * 0.99))] / 1000:.1f} ms",
              f"max {added[-1] / 1000:.1f} ms", f"over {args.over_ms:g} ms: {count}")
    print(f"windows with a message over {args.over_ms:g} ms: {with_over} of {len(groups)}")


if __name__ == "__main__":
    main()
