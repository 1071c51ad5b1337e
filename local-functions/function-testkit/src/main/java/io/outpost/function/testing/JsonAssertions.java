package io.outpost.function.testing;

/**
 * JSON-aware assertions for payloads: two documents are equal when they hold the same JSON value,
 * whatever the order of object members and the spacing. They throw {@link AssertionError}, so they
 * work with any test framework (JUnit, TestNG, plain {@code main}).
 *
 * <pre>{@code
 * JsonAssertions.assertJsonEquals("{\"a\": 1, \"b\": [true]}", "{\"b\":[true],\"a\":1.0}"); // passes
 * }</pre>
 */
public final class JsonAssertions {

  private JsonAssertions() {}

  /**
   * Fails unless {@code actual} is the same JSON value as {@code expected}; the message shows both,
   * normalised (members sorted), so a diff view lines them up.
   *
   * @param expected the expected JSON document
   * @param actual the JSON document under test
   * @throws AssertionError when they differ or either is not JSON
   */
  public static void assertJsonEquals(String expected, String actual) {
    Object want = TestJson.parse(expected, "expected JSON");
    Object got = TestJson.parse(actual, "actual JSON");
    if (!TestJson.sameJson(want, got)) {
      throw new AssertionError(
          "JSON differs\nexpected: "
              + TestJson.canonical(want)
              + "\n but was: "
              + TestJson.canonical(got));
    }
  }
}
