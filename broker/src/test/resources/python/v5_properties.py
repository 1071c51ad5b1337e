"""Publishes MQTT 5 messages with properties through the broker and prints what a subscriber received.

Usage: v5_properties.py PORT RETAINED(0|1). One JSON line per received message: topic, payload, qos, user
properties, content type, response topic, correlation data (hex), payload format, message expiry.
"""
import json
import sys
import threading

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

port = int(sys.argv[1])
retained = sys.argv[2] == "1"
cases = [(qos, payload) for qos in (0, 1, 2) for payload in (b"", b"x")]
if retained:
    cases = [(qos, b"x") for qos in (0, 1, 2)]
done = threading.Event()
received = []


def on_message(client, userdata, msg):
    p = msg.properties
    received.append({
        "topic": msg.topic,
        "payload": msg.payload.decode(),
        "qos": msg.qos,
        "user": [list(kv) for kv in getattr(p, "UserProperty", [])],
        "contentType": getattr(p, "ContentType", None),
        "responseTopic": getattr(p, "ResponseTopic", None),
        "correlation": getattr(p, "CorrelationData", b"").hex(),
        "payloadFormat": getattr(p, "PayloadFormatIndicator", None),
        "expiry": getattr(p, "MessageExpiryInterval", None),
    })
    if len(received) == len(cases):
        done.set()


def client(name):
    c = mqtt.Client(client_id=name, protocol=mqtt.MQTTv5)
    c.connect("127.0.0.1", port)
    c.loop_start()
    return c


pub = client("py-pub")
for i, (qos, payload) in enumerate(cases):
    props = Properties(PacketTypes.PUBLISH)
    props.UserProperty = [("k", "v1"), ("k", "v2")]
    props.ContentType = "text/plain"
    props.ResponseTopic = "reply/py"
    props.CorrelationData = bytes([1, 2, 255])
    props.PayloadFormatIndicator = 1
    props.MessageExpiryInterval = 3600
    topic = "py/%d/%d" % (qos, i)
    if not retained:
        if i == 0:
            sub = client("py-sub")
            sub.on_message = on_message
            subscribed = threading.Event()
            sub.on_subscribe = lambda *a: subscribed.set()
            sub.subscribe("py/#", qos=2)
            subscribed.wait(10)
    pub.publish(topic, payload, qos=qos, retain=retained, properties=props).wait_for_publish(10)
if retained:
    sub = client("py-sub")
    sub.on_message = on_message
    sub.subscribe("py/#", qos=2)
done.wait(10)
for r in sorted(received, key=lambda r: r["topic"]):
    print(json.dumps(r))
sub.loop_stop()
pub.loop_stop()
sub.disconnect()
pub.disconnect()
