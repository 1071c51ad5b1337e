"""Outpost process function {{name}}: {"name": "Ada"} on {{name}}/in -> {"greeting": "Hello, Ada!"} on {{name}}/out.

Protocol: one JSON request per line on stdin, one JSON result per line on stdout (same "id"). Log to stderr.
"""
import json
import sys


def handle(request):
    """Returns the messages to publish for one request."""
    payload = request["payload"]
    name = payload.get("name", "stranger") if isinstance(payload, dict) else "stranger"
    print(f"greeting {name}", file=sys.stderr, flush=True)
    return [{"topic": "{{name}}/out", "payload": {"greeting": f"Hello, {name}!"}, "qos": 1}]


for line in sys.stdin:
    request = json.loads(line)
    try:
        result = {"id": request["id"], "publish": handle(request)}
    except (KeyError, TypeError, ValueError) as e:
        result = {"id": request["id"], "error": f"bad request: {e!r}"}
    print(json.dumps(result), flush=True)
