#!/usr/bin/env python3
"""Storage-layout experiments for the spool: bytes written to disk per payload byte by SQLite layouts that hold
the same messages, committed the way the spool's group commit does (WAL, synchronous=FULL: one fsync per commit).

Each variant runs the same load in a fresh database in DIR (the spool's file system): COMMITS commits of
PER_COMMIT messages (200-byte payloads unless --payload), then a checkpoint and close, and reports write_bytes of
this process (/proc/self/io) per payload byte, split into the WAL part (before the final checkpoint; the
automatic checkpoints during the run count here) and the final checkpoint. A drain phase can follow: every
message is deleted again, one commit per PER_COMMIT messages, as the drain's batched delete commits do.

Variants:
  rows-<page size>          the spool's schema (one row per message, rowid = message id), PRAGMA page_size
  rows-<ps>-ckpt<N>         the same with PRAGMA wal_autocheckpoint=N pages
  <layout>-<ps>-psow0       opened with the URI parameter psow=0 (no powersafe overwrite): each synced WAL
                            commit is padded to the next 4 KiB sector
  batch-<page size>         one row per commit batch: the messages of a commit in one blob, with their ids
                            (the "batch table with an index of message offsets" layout)
  lean-<page size>          the same, with a compact header per message (7 bytes: id delta, route, topic, qos
                            and flags, received-at delta in ms, payload length) instead of 28

    /usr/bin/python3 device-sim/bench/spool-layout.py DIR [--commits 1000] [--per-commit 40] [--payload 200]
        [--variants "rows-4096 rows-1024 batch-4096"] [--drain] [--secure-delete 0|1|fast]
Prints one JSON line per variant.
"""
import argparse
import json
import os
import shutil
import sqlite3
import struct
import time

SCHEMA = (
    "CREATE TABLE message(id INTEGER PRIMARY KEY, route_id INTEGER NOT NULL, topic_id INTEGER NOT NULL,"
    " origin_id INTEGER, qos INTEGER NOT NULL, expires_at INTEGER NOT NULL, received_at INTEGER NOT NULL,"
    " content_type TEXT, props BLOB, payload BLOB NOT NULL, size INTEGER NOT NULL)",
    "CREATE INDEX message_expiry ON message(expires_at) WHERE expires_at > 0",
)
BATCH_SCHEMA = (
    # one row per commit batch: first id, count, and the messages packed (id, route, topic, received, payload)
    "CREATE TABLE batch(first_id INTEGER PRIMARY KEY, count INTEGER NOT NULL, live INTEGER NOT NULL,"
    " body BLOB NOT NULL)",
)


def write_bytes():
    with open("/proc/self/io") as io:
        for line in io:
            if line.startswith("write_bytes:"):
                return int(line.split()[1])
    raise RuntimeError("no write_bytes in /proc/self/io")


def open_db(path, page_size, autocheckpoint, secure_delete, psow=True):
    if psow:
        db = sqlite3.connect(path, isolation_level=None)
    else:
        # powersafe overwrite off: SQLite pads each synced WAL commit to the sector boundary (4096)
        db = sqlite3.connect(f"file:{path}?psow=0", isolation_level=None, uri=True)
    db.execute(f"PRAGMA page_size={page_size}")
    db.execute(f"PRAGMA secure_delete={secure_delete}")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA journal_size_limit=67108864")
    if autocheckpoint is not None:
        db.execute(f"PRAGMA wal_autocheckpoint={autocheckpoint}")
    return db


def run(directory, variant, commits, per_commit, payload_size, drain, secure_delete):
    parts = variant.split("-")
    layout, page_size = parts[0], int(parts[1])
    autocheckpoint = next((int(p[4:]) for p in parts[2:] if p.startswith("ckpt")), None)
    psow = "psow0" not in parts[2:]
    workdir = os.path.join(directory, variant)
    shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(workdir)
    path = os.path.join(workdir, "spool.db")
    db = open_db(path, page_size, autocheckpoint, secure_delete, psow)
    for sql in SCHEMA if layout == "rows" else BATCH_SCHEMA:
        db.execute(sql)
    payload = b"x" * payload_size
    now = int(time.time() * 1000)
    next_id = 1 << 40
    before = write_bytes()
    started = time.perf_counter()
    for _ in range(commits):
        db.execute("BEGIN")
        if layout == "rows":
            db.executemany(
                "INSERT INTO message VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [(next_id + i, 1, 2, 3, 1, 0, now, None, None, payload, 32 + payload_size + 24)
                 for i in range(per_commit)])
        elif layout == "lean":
            body = b"".join(struct.pack(">BBBBHH", i, 1, 2, 1, i, payload_size) + payload
                            for i in range(per_commit))
            db.execute("INSERT INTO batch VALUES (?,?,?,?)", (next_id, per_commit, per_commit, body))
        else:
            body = b"".join(struct.pack(">qiiqi", next_id + i, 1, 2, now, payload_size) + payload
                            for i in range(per_commit))
            db.execute("INSERT INTO batch VALUES (?,?,?,?)", (next_id, per_commit, per_commit, body))
        db.execute("COMMIT")
        next_id += per_commit
    ingest_wal = write_bytes() - before
    ingest_seconds = time.perf_counter() - started
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    ingest_total = write_bytes() - before
    result = {
        "variant": variant, "pageSize": page_size, "commits": commits, "perCommit": per_commit,
        "payload": payload_size, "secureDelete": secure_delete, "commitsPerSecond": round(commits / ingest_seconds),
        "ingestWalPerPayloadByte": round(ingest_wal / (commits * per_commit * payload_size), 2),
        "ingestPerPayloadByte": round(ingest_total / (commits * per_commit * payload_size), 2),
    }
    if drain:
        before = write_bytes()
        first = 1 << 40
        for c in range(commits):
            db.execute("BEGIN")
            if layout == "rows":
                db.executemany("DELETE FROM message WHERE id = ?",
                               [(first + c * per_commit + i,) for i in range(per_commit)])
            else:
                db.execute("DELETE FROM batch WHERE first_id = ?", (first + c * per_commit,))
            db.execute("COMMIT")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        result["drainPerPayloadByte"] = round((write_bytes() - before) / (commits * per_commit * payload_size), 2)
    db.close()
    result["fileBytes"] = os.path.getsize(path)
    shutil.rmtree(workdir, ignore_errors=True)
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dir")
    parser.add_argument("--commits", type=int, default=1000)
    parser.add_argument("--per-commit", type=int, default=40)
    parser.add_argument("--payload", type=int, default=200)
    parser.add_argument("--variants", default="rows-4096 rows-2048 rows-1024 rows-512 rows-4096-ckpt4000 batch-4096 batch-1024")
    parser.add_argument("--drain", action="store_true")
    # the spool's driver (sqlite-jdbc) leaves secure_delete off; Debian's libsqlite3 turns it on
    parser.add_argument("--secure-delete", default="0", choices=["0", "1", "fast"])
    args = parser.parse_args()
    for variant in args.variants.split():
        print(json.dumps(run(args.dir, variant, args.commits, args.per_commit, args.payload, args.drain, args.secure_delete)), flush=True)


if __name__ == "__main__":
    main()
