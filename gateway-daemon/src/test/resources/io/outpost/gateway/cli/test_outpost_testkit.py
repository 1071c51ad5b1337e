"""Behaviour of the Python SDK's outpost_testkit.py with programs that log a lot, exit early or hang."""
import sys
import unittest

from outpost_testkit import ProcessFunction

ECHO_AFTER_LOGGING = """
import json, sys
for line in sys.stdin:
    request = json.loads(line)
    for i in range(request["payload"]["lines"]):
        print("line %d %s" % (i, "x" * 100), file=sys.stderr)
    print("done", file=sys.stderr, flush=True)
    print(json.dumps({"id": request["id"], "publish": []}), flush=True)
print("bye", file=sys.stderr)
"""


def python(code):
    return [sys.executable, "-c", code]


class OutpostTestkitTest(unittest.TestCase):

    def test_every_log_line_written_before_a_result_is_in_logs_when_invoke_returns(self):
        with ProcessFunction(python(ECHO_AFTER_LOGGING)) as function:
            for attempt in range(200):
                function.logs.clear()
                function.invoke("t", {"lines": 1})
                self.assertEqual(["line 0 " + "x" * 100, "done"], function.logs, "attempt %d" % attempt)

    def test_more_log_than_a_pipe_holds_neither_blocks_the_program_nor_loses_a_line(self):
        with ProcessFunction(python(ECHO_AFTER_LOGGING)) as function:
            function.invoke("t", {"lines": 5000})

            self.assertEqual(5001, len(function.logs))
            self.assertEqual("line 4999 " + "x" * 100, function.logs[-2])
            self.assertEqual("done", function.logs[-1])

    def test_log_lines_written_while_exiting_are_read_by_close(self):
        function = ProcessFunction(python(ECHO_AFTER_LOGGING))
        function.invoke("t", {"lines": 0})

        function.close()

        self.assertEqual(["done", "bye"], function.logs)

    def test_a_program_that_exits_without_a_result_fails_the_invocation_with_its_exit_code_and_log(self):
        function = ProcessFunction(python("import sys; sys.stdin.readline(); "
                                          "print('dying', file=sys.stderr); sys.exit(3)"))
        self.addCleanup(function.close)

        with self.assertRaises(AssertionError) as failure:
            function.invoke("t", {})

        self.assertIn("code 3", str(failure.exception))
        self.assertIn("dying", str(failure.exception))

    def test_a_program_that_never_answers_fails_the_invocation_at_the_timeout_and_is_killed_by_close(self):
        function = ProcessFunction(python("import sys, time; print('started', file=sys.stderr, flush=True); "
                                          "time.sleep(60)"), timeout=0.5)

        with self.assertRaises(AssertionError) as failure:
            function.invoke("t", {})
        function.close()

        self.assertIn("no result within 0.5 s", str(failure.exception))
        self.assertIn("started", function.logs)
        self.assertIsNotNone(function._process.poll())


if __name__ == "__main__":
    unittest.main()
