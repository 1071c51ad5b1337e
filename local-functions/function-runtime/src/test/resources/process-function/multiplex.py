# Test child for maxConcurrency > 1 (several requests in flight): answers "hold" requests only once
# HOLD of them are in flight at once, in the reverse order of their arrival, each after a protocol
# log line naming its invocation. Modes: hold (default); crash (exits at once); peek (answers after
# 50 ms, saying whether another request had arrived meanwhile: one at a time, none ever has).
import json
import os
import select
import sys

HOLD = int(os.environ.get("HOLD", "1"))
STDIN = sys.stdin.fileno()
buffered = b""
held = []


def next_line():
    global buffered
    while b"\n" not in buffered:
        chunk = os.read(STDIN, 65536)
        if not chunk:
            return None
        buffered += chunk
    line, _, buffered = buffered.partition(b"\n")
    return line


def send(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


while True:
    line = next_line()
    if line is None:
        break
    req = json.loads(line)
    mode = req.get("payload", {}).get("mode", "hold")
    if mode == "crash":
        os._exit(3)
    if mode == "peek":
        waiting = b"\n" in buffered or bool(select.select([STDIN], [], [], 0.05)[0])
        send({"id": req["id"], "publish": [{"topic": "mux/peek", "payload": {"waiting": waiting}}]})
        continue
    print("holding " + str(req["payload"].get("k")), file=sys.stderr, flush=True)
    held.append(req)
    if len(held) < HOLD:
        continue
    for position, r in enumerate(reversed(held)):
        k = r["payload"].get("k")
        send({"id": r["id"], "log": "INFO", "message": "answering %s for %s" % (k, r["invocationId"])})
        send({"id": r["id"], "publish": [{"topic": "mux/out", "payload": {
            "k": k, "arrival": held.index(r), "position": position, "inFlight": len(held)}}]})
    held = []
