package io.outpost.function.runtime.sandbox.jvm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A child JVM's handler logger: protocol log lines carrying the invocation's request id. */
@Timeout(10)
class ProtocolLoggerTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static List<JsonNode> lines(ByteArrayOutputStream out) throws Exception {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
      lines.add(JSON.readTree(line));
    }
    return lines;
  }

  @Test
  void eachCallIsOneLogLineWithTheRequestIdLevelAndFilledMessage() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ReplyWriter writer = new ReplyWriter(JSON, out);
    ProtocolLogger seven = new ProtocolLogger(7, writer);
    ProtocolLogger eight = new ProtocolLogger(8, writer);

    seven.info("handling {} on {}", "a", "t/1");
    eight.warn("careful\nwith {}", "b");
    seven.error("failed {}", "x", new IllegalStateException("boom"));
    eight.debug("no args {}");

    assertThat(lines(out))
        .extracting(
            l -> l.get("id").asLong(), l -> l.get("log").asText(), l -> l.get("message").asText())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(7L, "INFO", "handling a on t/1"),
            org.assertj.core.groups.Tuple.tuple(8L, "WARN", "careful with b"),
            org.assertj.core.groups.Tuple.tuple(
                7L, "ERROR", "failed x: java.lang.IllegalStateException: boom"),
            org.assertj.core.groups.Tuple.tuple(8L, "DEBUG", "no args {}"));
  }
}
