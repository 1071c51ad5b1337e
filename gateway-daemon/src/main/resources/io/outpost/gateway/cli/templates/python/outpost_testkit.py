"""Outpost process-function testkit: run a function's program under the process runtime's line protocol.

Starts the program as the daemon does (the package directory as working directory, the descriptor's
environment plus OUTPOST_FUNCTION_NAME and OUTPOST_FUNCTION_VERSION), writes one JSON request per line
to its stdin and reads the matching result line from its stdout. Its stderr (the function's log) is
collected in ``logs``: whatever the program wrote to stderr before a result is in ``logs`` when
``invoke`` returns that result. Standard library only (POSIX: pipes are polled with ``selectors``);
works with unittest, pytest or a plain script:

    from outpost_testkit import ProcessFunction, assert_json_equal

    with ProcessFunction(["python3", "handler.py"]) as fn:
        result = fn.invoke("sensors/s1/fahrenheit", {"fahrenheit": 95})
        assert result.error is None
        assert_json_equal(result.single().json(), {"celsius": 35.0})
"""
import base64
import json
import os
import selectors
import subprocess
import time
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
        self._process = subprocess.Popen(command, cwd=cwd, env=full_env, stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self._stdout_fd = self._process.stdout.fileno()
        self._stderr_fd = self._process.stderr.fileno()
        self._pending = {self._stdout_fd: b"", self._stderr_fd: b""}
        self._results = []  # complete stdout lines not yet consumed
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._stdout_fd, selectors.EVENT_READ)
        self._selector.register(self._stderr_fd, selectors.EVENT_READ)

    def _poll(self, timeout):
        """Reads what the program has written so far (waiting up to ``timeout`` s for something).

        One thread reads both pipes, so stderr written before a stdout line is read in the same poll that
        reads the line, or an earlier one. At end of file a pipe is unregistered and a trailing partial line
        is kept as a line.
        """
        if not self._selector.get_map():
            return
        for key, _ in self._selector.select(timeout):
            chunk = os.read(key.fd, 65536)
            if not chunk:
                self._selector.unregister(key.fd)
                rest, self._pending[key.fd] = self._pending[key.fd], b""
                self._take_lines(key.fd, [rest] if rest else [])
                continue
            *lines, self._pending[key.fd] = (self._pending[key.fd] + chunk).split(b"\n")
            self._take_lines(key.fd, lines)

    def _take_lines(self, fd, lines):
        if fd == self._stderr_fd:
            self.logs.extend(line.decode("utf-8", "replace") for line in lines)
        else:
            self._results.extend(lines)

    def _drain_stderr(self):
        """Takes every stderr line already written: the program wrote it before the line just read.

        Bounded (64 MiB at most) so that a program writing to stderr without pause cannot hold ``invoke``.
        """
        for _ in range(1024):
            if self._stderr_fd not in self._selector.get_map() or \
                    not any(key.fd == self._stderr_fd for key, _ in self._selector.select(0)):
                return
            self._poll(0)

    def _next_line(self, deadline):
        """The next stdout line, None when the program closed stdout; AssertionError at the deadline."""
        while not self._results:
            if self._stdout_fd not in self._selector.get_map():
                return None
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no result within {self.timeout} s; its log:\n" + "\n".join(self.logs))
            self._poll(remaining)
        self._drain_stderr()
        return self._results.pop(0)

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
        deadline = time.monotonic() + self.timeout
        while True:
            line = self._next_line(deadline)
            if line is None:
                self._drain_until_closed(deadline)
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
        """Closes stdin (the function's signal to exit), reads its last output, then waits; kills it if it
        does not exit in time."""
        if self._selector is None:
            return
        deadline = time.monotonic() + self.timeout
        try:
            self._process.stdin.close()
        except BrokenPipeError:
            pass
        if self._process.poll() is None:
            self._drain_until_closed(deadline)
            try:
                self._process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._drain_until_closed(time.monotonic() + self.timeout)
        self._selector.close()
        self._selector = None
        self._process.stdout.close()
        self._process.stderr.close()

    def _drain_until_closed(self, deadline):
        """Reads both pipes to their end (the program's last log lines) or until the deadline."""
        while self._selector.get_map() and time.monotonic() < deadline:
            self._poll(max(0.0, deadline - time.monotonic()))

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
