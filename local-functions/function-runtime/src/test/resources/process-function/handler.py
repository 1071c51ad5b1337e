# Test child for the process runtime: modes echo (default), error, sleep, crash.
import json
import os
import sys
import time

for line in sys.stdin:
    req = json.loads(line)
    payload = req.get("payload")
    mode = payload.get("mode", "echo") if isinstance(payload, dict) else "echo"
    if mode == "sleep":
        time.sleep(60)
    if mode == "crash":
        os._exit(3)
    print("handling " + req["topic"], file=sys.stderr, flush=True)
    if mode == "error":
        reply = {"id": req["id"], "error": "asked to fail"}
    else:
        reply = {"id": req["id"], "publish": [
            {"topic": "proc/out", "payload": {"got": payload, "pid": os.getpid(),
                                              "greeting": os.environ.get("GREETING")}},
            {"topic": "proc/text", "text": "plain", "qos": 1}]}
    print(json.dumps(reply), flush=True)
