#!/usr/bin/env python3
"""The disk's own floor for the spool benchmarks, measured in the directory given (the spool's file system):
single-row SQLite commits in WAL mode with synchronous=FULL (what one durable message costs at the least), and
fsync of a 4 KiB write. Prints one JSON line with rates and p50/p99 latencies in ms.

    python3 device-sim/bench/disk-floor.py DIR [COUNT]
"""
import json
import os
import sqlite3
import sys
import tempfile
import time


def percentile(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p))]


def sqlite_commits(directory, count):
    path = os.path.join(directory, "floor.db")
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE m(id INTEGER PRIMARY KEY, payload BLOB)")
    payload = b"x" * 200
    latencies = []
    started = time.perf_counter()
    for _ in range(count):
        t = time.perf_counter()
        db.execute("BEGIN")
        db.execute("INSERT INTO m(payload) VALUES (?)", (payload,))
        db.execute("COMMIT")
        latencies.append((time.perf_counter() - t) * 1000)
    elapsed = time.perf_counter() - started
    db.close()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    latencies.sort()
    return {"commitsPerSecond": round(count / elapsed), "p50Ms": round(percentile(latencies, 0.5), 3),
            "p99Ms": round(percentile(latencies, 0.99), 3)}


def fsyncs(directory, count):
    block = b"y" * 4096
    latencies = []
    with tempfile.NamedTemporaryFile(dir=directory) as f:
        for _ in range(count):
            t = time.perf_counter()
            f.write(block)
            f.flush()
            os.fsync(f.fileno())
            latencies.append((time.perf_counter() - t) * 1000)
    latencies.sort()
    return {"p50Ms": round(percentile(latencies, 0.5), 3), "p99Ms": round(percentile(latencies, 0.99), 3)}


if __name__ == "__main__":
    target = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    os.makedirs(target, exist_ok=True)
    print(json.dumps({"sqliteSingleRowCommit": sqlite_commits(target, n), "fsync4k": fsyncs(target, n)}))
