package io.outpost.function.runtime.sandbox.jvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.outpost.function.Publication;
import io.outpost.function.UserProperty;
import io.outpost.function.runtime.OutboundMessage;
import io.outpost.function.runtime.process.ProcessProtocol;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A child JVM's result lines, streamed, as the daemon's side of the protocol decodes them. */
@Timeout(10)
class ReplyWriterTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ReplyWriter writer = new ReplyWriter(JSON, out);

  private static JsonNode json(byte[] line) throws Exception {
    assertThat(line[line.length - 1]).as("one line, with its newline").isEqualTo((byte) '\n');
    return JSON.readTree(line);
  }

  @Test
  void aResultCarriesEachPublicationAsTheDaemonDecodesIt() throws Exception {
    byte[] binary = {0, 1, 2, (byte) 0xff, '\n', '"'};
    byte[] line =
        writer.result(
            9,
            "fn",
            List.of(
                Publication.bytes("out/a", binary).withQos(1).withUserProperty("k", "v"),
                Publication.text("out/b", "tschüss").withRetain(true)));

    JsonNode reply = json(line);
    List<OutboundMessage> decoded = ProcessProtocol.outputs(reply, "fn", JSON);

    assertThat(reply.get("id").asLong()).isEqualTo(9);
    assertThat(decoded).hasSize(2);
    assertThat(decoded.get(0).topic()).isEqualTo("out/a");
    assertThat(decoded.get(0).payload()).isEqualTo(binary);
    assertThat(decoded.get(0).qos()).isEqualTo(1);
    assertThat(decoded.get(0).userProperties()).contains(new UserProperty("k", "v"));
    assertThat(decoded.get(1).payloadAsString()).isEqualTo("tschüss");
    assertThat(decoded.get(1).retain()).isTrue();
    assertThat(out.size()).as("encoding writes nothing").isZero();
  }

  @Test
  void nothingReturnedIsAnEmptyPublishListAndAnErrorIsItsOwnLine() throws Exception {
    assertThat(ProcessProtocol.outputs(json(writer.result(1, "fn", null)), "fn", JSON)).isEmpty();
    JsonNode error = json(writer.error(2, "java.lang.IllegalStateException: \"quoted\"\nboom"));

    assertThat(error.get("id").asLong()).isEqualTo(2);
    assertThat(error.get("error").asText())
        .isEqualTo("java.lang.IllegalStateException: \"quoted\"\nboom");
    assertThatThrownBy(() -> ProcessProtocol.outputs(error, "fn", JSON))
        .hasMessageContaining("boom");
  }

  @Test
  void readyPublishNowAndLogLinesAreWrittenAtOnceEachOnItsLine() throws Exception {
    writer.ready();
    writer.publishNow(5, "fn", Publication.text("now/x", "early"));
    writer.log(5, "WARN", "careful");
    writer.loadError("handler: x.Missing not found");
    writer.send(writer.result(5, "fn", List.of()));

    String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
    assertThat(lines).hasSize(5);
    assertThat(JSON.readTree(lines[0]).get("ready").asBoolean()).isTrue();
    JsonNode now = JSON.readTree(lines[1]);
    assertThat(now.get("id").asLong()).isEqualTo(5);
    assertThat(
            ProcessProtocol.outputs(
                    JSON.createObjectNode().set("publish", now.get("publishNow")), "fn", JSON)
                .get(0)
                .payloadAsString())
        .isEqualTo("early");
    assertThat(JSON.readTree(lines[2]).get("log").asText()).isEqualTo("WARN");
    assertThat(JSON.readTree(lines[2]).get("message").asText()).isEqualTo("careful");
    assertThat(JSON.readTree(lines[3]).get("id").asLong()).isZero();
    assertThat(JSON.readTree(lines[3]).get("error").asText()).contains("x.Missing");
    assertThat(JSON.readTree(lines[4]).get("publish")).isEmpty();
  }
}
