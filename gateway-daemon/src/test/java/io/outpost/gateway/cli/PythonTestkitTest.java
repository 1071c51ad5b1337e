package io.outpost.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code test_outpost_testkit.py} against the Python testkit that {@code functions init}
 * writes into a project (and the SDK ships): its behaviour with programs that log a lot, exit early
 * or hang.
 */
@Timeout(60)
class PythonTestkitTest {

  @TempDir Path dir;

  @Test
  void theShippedPythonTestkitPassesItsOwnTests() throws Exception {
    copy("/io/outpost/gateway/cli/templates/python/outpost_testkit.py", "outpost_testkit.py");
    copy("/io/outpost/gateway/cli/test_outpost_testkit.py", "test_outpost_testkit.py");

    String output = PythonUnittest.passes(dir, List.of("-W", "error"), "test_outpost_testkit");

    assertThat(output).contains("Ran 5 tests", "OK");
  }

  private void copy(String resource, String name) throws IOException {
    try (InputStream in = PythonTestkitTest.class.getResourceAsStream(resource)) {
      assertThat(in).as(resource).isNotNull();
      Files.copy(in, dir.resolve(name));
    }
  }
}
