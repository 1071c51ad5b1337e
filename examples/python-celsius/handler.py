"""Outpost process function: sensors/<id>/fahrenheit {"fahrenheit": F} -> sensors/<id>/temperature {"celsius": C}.

Protocol: one JSON request per line on stdin, one JSON result per line on stdout (same "id"). Log to stderr.
"""
import json
import sys

for line in sys.stdin:
    request = json.loads(line)
    try:
        sensor = request["topic"].split("/")[1]
        celsius = round((float(request["payload"]["fahrenheit"]) - 32) * 5 / 9, 2)
        result = {"id": request["id"], "publish": [
            {"topic": f"sensors/{sensor}/temperature", "payload": {"celsius": celsius}}]}
    except (KeyError, IndexError, TypeError, ValueError) as e:
        result = {"id": request["id"], "error": f"bad reading: {e!r}"}
    print(json.dumps(result), flush=True)
