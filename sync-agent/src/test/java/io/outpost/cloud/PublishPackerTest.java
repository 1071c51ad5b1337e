package io.outpost.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.outpost.spool.SpoolEntry;
import io.outpost.spool.SpooledMessage;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PublishPackerTest {
  private static SpooledMessage message(long id, int payloadBytes) {
    return new SpooledMessage(
        id,
        new SpoolEntry(
            "r",
            0,
            "devices/t/" + id,
            new byte[payloadBytes],
            1,
            0,
            List.of(Map.entry("k", "v")),
            "application/octet-stream",
            "dev",
            1_000L),
        payloadBytes);
  }

  @Test
  void addsTheStableIdAsUserPropertyOnMqtt5AndNothingOn311() {
    CloudOptions v5 = CloudOptions.of("tcp://h:1", "edge");
    PublishUnit unit = new PublishPacker(v5).pack(List.of(message(42, 10))).units().get(0);
    assertThat(unit.userProperties())
        .containsExactly(Map.entry("k", "v"), Map.entry("outpost-id", "42"));
    assertThat(unit.topic()).isEqualTo("devices/t/42");

    PublishUnit v3 =
        new PublishPacker(v5.withMqttVersion(MqttVersion.V3_1_1))
            .pack(List.of(message(42, 10)))
            .units()
            .get(0);
    assertThat(v3.userProperties()).isEmpty();
  }

  @Test
  void setsAsideMessagesLargerThanTheCloudAccepts() {
    CloudOptions options = CloudOptions.of("tcp://h:1", "edge").withMaxMessageBytes(100);
    PublishPacker.Packed packed =
        new PublishPacker(options).pack(List.of(message(1, 101), message(2, 100)));
    assertThat(packed.tooLarge()).extracting(SpooledMessage::id).containsExactly(1L);
    assertThat(packed.units()).hasSize(1);
  }

  @Test
  void packsEnvelopesUpToTheByteAndCountLimitsKeepingOrder() throws Exception {
    CloudOptions options =
        CloudOptions.of("tcp://h:1", "edge")
            .withBatching(new BatchingOptions(true, 4096, 7, "up/{clientId}"));
    List<SpooledMessage> messages = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      messages.add(message(i, 200));
    }
    PublishPacker.Packed packed = new PublishPacker(options).pack(messages);

    ObjectMapper json = new ObjectMapper();
    List<Long> ids = new ArrayList<>();
    for (PublishUnit unit : packed.units()) {
      assertThat(unit.topic()).isEqualTo("up/edge");
      assertThat(unit.payload().length).isLessThanOrEqualTo(4096);
      assertThat(unit.messages()).hasSizeLessThanOrEqualTo(7);
      JsonNode envelope = json.readTree(unit.payload());
      assertThat(envelope.get("messages")).hasSize(unit.messages().size());
      for (JsonNode m : envelope.get("messages")) {
        ids.add(m.get("id").asLong());
        assertThat(Base64.getDecoder().decode(m.get("payload").asText())).hasSize(200);
        assertThat(m.get("userProperties").get(0).get(0).asText()).isEqualTo("k");
        assertThat(m.get("origin").asText()).isEqualTo("dev");
      }
    }
    assertThat(ids).containsExactlyElementsOf(messages.stream().map(SpooledMessage::id).toList());
    assertThat(packed.tooLarge()).isEmpty();
  }
}
