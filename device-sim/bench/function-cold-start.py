#!/usr/bin/python3
"""Cold start of one function through the daemon: waits until the admin API shows it IDLE (scaled to
zero), publishes one message on its trigger and times the arrival of its output. Prints JSON.

Usage: function-cold-start.py MQTT_PORT ADMIN_URL TOKEN_FILE FUNCTION IN_TOPIC OUT_TOPIC STARTS
Needs Debian's python3-paho-mqtt (run it with /usr/bin/python3)."""
import json
import statistics
import sys
import threading
import time
import urllib.request

import paho.mqtt.client as mqtt

port, admin, token_file, function, in_topic, out_topic, starts = sys.argv[1:8]
token = open(token_file).read().strip()


def state():
    req = urllib.request.Request(admin + "/api/functions", headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=10) as r:
        for f in json.load(r)["functions"]:
            if f["name"] == function:
                return str(f["state"]).upper()
    raise SystemExit("function %s is not deployed" % function)


arrived = threading.Event()
client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="cold-start-" + function) \
    if hasattr(mqtt, "CallbackAPIVersion") else mqtt.Client(client_id="cold-start-" + function)
client.on_message = lambda c, u, m: arrived.set()
client.connect("127.0.0.1", int(port))
client.subscribe(out_topic, qos=1)
client.loop_start()
time.sleep(0.5)
took = []
try:
    for i in range(int(starts)):
        deadline = time.monotonic() + 120
        while state() != "IDLE":
            if time.monotonic() > deadline:
                raise SystemExit("%s did not scale to zero within 120 s" % function)
            time.sleep(0.05)
        arrived.clear()
        t0 = time.monotonic()
        client.publish(in_topic, json.dumps({"seq": i + 1, "ts": int(time.time() * 1000)}), qos=1)
        if not arrived.wait(30):
            raise SystemExit("%s: no output within 30 s of start %d" % (function, i + 1))
        took.append((time.monotonic() - t0) * 1000)
finally:
    client.loop_stop()
    client.disconnect()
took.sort()
print(json.dumps({"function": function, "starts": len(took), "p50Ms": round(statistics.median(took), 1),
                  "maxMs": round(took[-1], 1), "allMs": [round(t, 1) for t in took]}))
