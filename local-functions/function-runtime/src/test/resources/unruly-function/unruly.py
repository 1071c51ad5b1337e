# Test child for limits: mode "hog" allocates without bound, "fork" starts sleeping children until refused,
# anything else answers.
import json
import subprocess
import sys

kept = []
children = []
for line in sys.stdin:
    req = json.loads(line)
    mode = req.get("payload", {}).get("mode", "ok")
    if mode == "hog":
        while True:
            kept.append(bytearray(1 << 20))
    if mode == "fork":
        try:
            for _ in range(50):
                children.append(subprocess.Popen(["sleep", "300"]))
        except OSError as e:
            reply = {"id": req["id"], "error": "fork refused after %d children: %s" % (len(children), e)}
            print(json.dumps(reply), flush=True)
            continue
    print(json.dumps({"id": req["id"], "publish": [{"topic": "unruly/out", "payload": {"children": len(children)}}]}),
          flush=True)
