"""Unit test of handler.py under the process protocol, as the daemon runs it: python3 -m unittest"""
import sys
import unittest

from outpost_testkit import ProcessFunction, assert_json_equal


class HandlerTest(unittest.TestCase):

    def setUp(self):
        self.function = ProcessFunction([sys.executable, "handler.py"], name="{{name}}")
        self.addCleanup(self.function.close)

    def test_greets_by_name(self):
        out = self.function.invoke("{{name}}/in", {"name": "Ada"}).single()

        self.assertEqual("{{name}}/out", out.topic)
        assert_json_equal(out.json(), {"greeting": "Hello, Ada!"})
        self.assertIn("greeting Ada", self.function.logs)

    def test_greets_a_stranger_when_no_name_is_given(self):
        out = self.function.invoke("{{name}}/in", {}).single()

        assert_json_equal(out.json(), {"greeting": "Hello, stranger!"})


if __name__ == "__main__":
    unittest.main()
