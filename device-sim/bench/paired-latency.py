#!/usr/bin/env python3
"""Latency one path adds, message by message.

Reads two latency logs written by `device-sim consume --latency-log` for the same messages received
over two paths (e.g. directly, and through a function that republished them), pairs the lines by
device id and sequence number, and prints one JSON object: how many were paired (and seen on one
side only), and percentiles of (latency via the second path - latency via the first), in ms.
Both latencies are measured from the same intended send time, so a stall that delays a message on
both paths (the publisher, the broker's read) cancels out; only what the second path adds remains.

    paired-latency.py DIRECT.tsv VIA.tsv [SENT_FROM_EPOCH_MICROS]

With SENT_FROM_EPOCH_MICROS, only messages whose intended send time is at or after it are paired
(the logs' fourth column), e.g. to leave a warm-up out.
"""
import json
import sys

import latency_log


def read(path, sent_from):
    return {k: micros for k, (micros, _) in latency_log.read(path, lambda _, sent: sent >= sent_from).items()}


def pct(sorted_values, p):
    """Nearest-rank percentile."""
    if not sorted_values:
        return None
    rank = max(1, -(-len(sorted_values) * p // 100))  # ceil(n * p / 100)
    return sorted_values[int(rank) - 1]


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    sent_from = int(sys.argv[3]) if len(sys.argv) == 4 else 0
    direct, via = read(sys.argv[1], sent_from), read(sys.argv[2], sent_from)
    both = direct.keys() & via.keys()
    added = sorted(via[k] - direct[k] for k in both)
    ms = lambda v: None if v is None else round(v / 1000, 3)
    print(json.dumps({
        "paired": len(added),
        "onlyFirst": len(direct.keys() - both),
        "onlySecond": len(via.keys() - both),
        "p50Ms": ms(pct(added, 50)),
        "p99Ms": ms(pct(added, 99)),
        "p999Ms": ms(pct(added, 99.9)),
        "maxMs": ms(added[-1] if added else None),
    }))


if __name__ == "__main__":
    main()
