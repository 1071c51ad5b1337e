"""Outpost process-function testkit: run a function's program under the process runtime's line protocol.

Starts the program as the daemon does (the package directory as working directory, the descriptor's
environment plus OUTPOST_FUNCTION_NAME and OUTPOST_FUNCTION_VERSION), writes one JSON request per line
to its stdin and reads the matching result line from its stdout. Its stderr (the function's log) is
collected in ``logs``. Standard library only; works with unittest, pytest or a plain script:

    from outpost_testkit import ProcessFunction, assert_json_equal

    with ProcessFunction(["python3", "handler.py"]) as fn:
        result = fn.invoke("sensors/s1/fahrenheit", {"fahrenheit": 95})
        assert result.error is None
        assert_json_equal(result.single().json(), {"celsius": 35.0})
"""
import base64
import json
import os
import queue
import subprocess
import threading
from datetime import datetime, timezone

DEFAULT_TIMEOUT_SECONDS = 5.0
DEFAULT_NAME = "function-under-test"
DEFAULT_VERSION = "0.0.0-test"


class Output:
    """One message the function asked to publish, decoded as the daemon decodes it."""

    def __init__(self, entry):
        if not isinstance(entry, dict) or not entry.get("topic"):
            raise AssertionError(f"protocol: publish entries need a topic, got {entry!r}")
        topic = entry["topic"]
        if "+" in topic or "#" in topic:
            raise AssertionError(f"protocol: publish needs a topic without wildcards, got {topic!r}")
        self.topic = topic
        if entry.get("payloadBase64") is not None:
            self.payload = base64.b64decode(entry["payloadBase64"])
        elif entry.get("text") is not None:
            self.payload = entry["text"].encode("utf-8")
        else:
            self.payload = json.dumps(entry.get("payload"), separators=(",", ":")).encode("utf-8")
        self.qos = int(entry.get("qos", 0))
        if self.qos not in (0, 1, 2):
            raise AssertionError(f"protocol: qos must be 0, 1 or 2, got {self.qos}")
        self.retain = bool(entry.get("retain", False))
        self.user_properties = [(p.get("name"), p.get("value")) for p in entry.get("userProperties", [])]

    def text(self):
        """The payload decoded as UTF-8."""
        return self.payload.decode("utf-8")

    def json(self):
        """The payload parsed as JSON."""
        return json.loads(self.payload)

    def __repr__(self):
        return f"Output({self.topic} {self.payload!r} qos={self.qos} retain={self.retain})"


class Result:
    """What one invocation produced: ``outputs`` (list of Output) or ``error`` (the function's reason)."""

    def __init__(self, reply, published_now=()):
        self.reply = reply
        error = reply.get("error")
        self.error = None if error is None else (error if isinstance(error, str) else json.dumps(error))
        publish = reply.get("publish") or []
        if not isinstance(publish, list):
            raise AssertionError("protocol: 'publish' must be an array")
        self.outputs = [Output(p) for p in list(published_now) + publish]

    def single(self):
        """The only output; fails unless there is exactly one (and no error)."""
        if self.error is not None:
            raise AssertionError(f"the invocation failed: {self.error}")
        if len(self.outputs) != 1:
            raise AssertionError(f"expected exactly one output, got {self.outputs!r}")
        return self.outputs[0]


class ProcessFunction:
    """A running process function. Use as a context manager, or call close()."""

    def __init__(self, command, cwd=".", env=None, name=DEFAULT_NAME, version=DEFAULT_VERSION,
                 input_encoding="json", timeout=DEFAULT_TIMEOUT_SECONDS):
        full_env = dict(os.environ)
        full_env.update(env or {})
        full_env["OUTPOST_FUNCTION_NAME"] = name
        full_env["OUTPOST_FUNCTION_VERSION"] = version
        self.name = name
        self.version = version
        self.input_encoding = input_encoding
        self.timeout = timeout
        self.logs = []
        self._next_id = 0
        self._lines = queue.Queue()
        self._process = subprocess.Popen(command, cwd=cwd, env=full_env, stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self._readers = [threading.Thread(target=self._pump_stdout, daemon=True),
                         threading.Thread(target=self._pump_stderr, daemon=True)]
        for reader in self._readers:
            reader.start()

    def _pump_stdout(self):
        for line in self._process.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def _pump_stderr(self):
        for line in self._process.stderr:
            self.logs.append(line.decode("utf-8", "replace").rstrip("\n"))

    def invoke(self, topic, payload, qos=0, client_id=None, user_properties=(), received_at=None):
        """Sends one request and returns its Result.

        ``payload`` is a JSON value (dict, list, number...) with ``input_encoding="json"``; bytes or str
        are sent as they are (``payloadBase64``) with ``input_encoding="binary"``.
        """
        self._next_id += 1
        request = {"id": self._next_id, "invocationId": "test-%d" % self._next_id,
                   "function": self.name, "version": self.version, "topic": topic,
                   "qos": qos, "clientId": client_id,
                   "receivedAt": (received_at or datetime.now(timezone.utc)).isoformat().replace("+00:00", "Z"),
                   "userProperties": [{"name": n, "value": v} for n, v in user_properties],
                   "timeoutMillis": int(self.timeout * 1000)}
        if self.input_encoding == "json":
            request["payload"] = payload
        else:
            raw = payload.encode("utf-8") if isinstance(payload, str) else bytes(payload)
            request["payloadBase64"] = base64.b64encode(raw).decode("ascii")
        try:
            self._process.stdin.write((json.dumps(request) + "\n").encode("utf-8"))
            self._process.stdin.flush()
        except BrokenPipeError:
            raise AssertionError(f"the function exited (code {self._process.poll()}); its log:\n"
                                 + "\n".join(self.logs)) from None
        now = []
        while True:
            try:
                line = self._lines.get(timeout=self.timeout)
            except queue.Empty:
                raise AssertionError(f"no result within {self.timeout} s; its log:\n" + "\n".join(self.logs)) from None
            if line is None:
                raise AssertionError(f"the function exited (code {self._process.wait()}) without a result; "
                                     "its log:\n" + "\n".join(self.logs))
            try:
                reply = json.loads(line)
            except ValueError:
                continue  # the daemon ignores non-JSON stdout lines too
            if not isinstance(reply, dict) or reply.get("id") != self._next_id:
                continue
            if "publish" not in reply and "error" not in reply:
                if "log" in reply:  # a log line of this invocation
                    self.logs.append(f"{reply['log']} {reply.get('message', '')}")
                    continue
                if "publishNow" in reply:  # published while it runs: part of its outputs
                    now.extend(reply["publishNow"] or [])
                    continue
            return Result(reply, now)

    def close(self):
        """Closes stdin (the function's signal to exit), then waits; kills it if it does not exit in time."""
        if self._process.poll() is None:
            try:
                self._process.stdin.close()
                self._process.wait(timeout=self.timeout)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                self._process.kill()
                self._process.wait()
        for reader in self._readers:
            reader.join(timeout=self.timeout)
        self._process.stdout.close()
        self._process.stderr.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def _canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def assert_json_equal(actual, expected):
    """Fails unless two JSON values (parsed, or JSON text) are equal whatever the key order; 1 equals 1.0."""
    if isinstance(actual, (str, bytes)):
        actual = json.loads(actual)
    if isinstance(expected, (str, bytes)):
        expected = json.loads(expected)
    if actual != expected:
        raise AssertionError(f"JSON differs\nexpected: {_canonical(expected)}\n but was: {_canonical(actual)}")
