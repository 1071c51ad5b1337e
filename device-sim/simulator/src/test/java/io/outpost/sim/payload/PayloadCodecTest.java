package io.outpost.sim.payload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PayloadCodecTest {

  private final PayloadDecoder decoder = PayloadDecoder.defaults();

  @Test
  void sizedPayloadHasExactlyTheRequestedSizeAndDecodes() {
    SizedPayload p = new SizedPayload(100);
    for (long seq : new long[] {1, 99, 1_000_000_000L}) {
      byte[] bytes =
          p.render(
              new MessageContext("dev-00001", 0, seq, 1_763_900_000_000_123L),
              new SplittableRandom());

      assertThat(bytes).hasSize(100);
      assertThat(decoder.decode("t", bytes))
          .isEqualTo(new DecodedMessage("dev-00001", seq, 1_763_900_000_000_123L));
    }
  }

  @Test
  void sizedPayloadSmallerThanItsHeaderSendsTheHeaderOnly() {
    byte[] bytes =
        new SizedPayload(10)
            .render(new MessageContext("d", 0, 5, 1_763_900_000_000_000L), new SplittableRandom());

    assertThat(decoder.decode("t", bytes).seq()).isEqualTo(5);
    assertThat(bytes.length).isGreaterThan(10);
  }

  @Test
  void millisecondTimestampsAreConvertedToMicros() {
    DecodedMessage m = decode("{\"deviceId\":\"a\",\"seq\":3,\"ts\":1763900000123}");

    assertThat(m.epochMicros()).isEqualTo(1_763_900_000_123_000L);
  }

  @Test
  void templatePayloadWithMillisDecodes() {
    TemplatePayload p =
        new TemplatePayload(
            Template.compile(
                "{\"temp\":{randFloat:1:2},\"meta\":{\"seq\":-1},\"seq\":{seq},\"ts\":{ts},\"deviceId\":\"{deviceId}\"}"));
    byte[] bytes =
        p.render(
            new MessageContext("dev-9", 8, 77, 1_763_900_000_123_456L), new SplittableRandom(1));

    assertThat(decoder.decode("t", bytes))
        .isEqualTo(new DecodedMessage("dev-9", 77, 1_763_900_000_123_000L));
  }

  @Test
  void fallsBackToTheTopicWhenNoDeviceField() {
    assertThat(decode("{\"seq\":1}").deviceId()).isEqualTo("topic/x");
  }

  @Test
  void nonJsonOrMissingFieldsAreReportedAbsent() {
    assertThat(decode("hello").hasSeq()).isFalse();
    assertThat(decode("{\"seq\":\"1\"}").hasSeq()).isFalse();
    assertThat(decode("{\"seq\":1").hasSeq()).isTrue();
    assertThat(decode("[1,2]").hasTimestamp()).isFalse();
  }

  @Test
  void honoursCustomFieldNames() {
    PayloadDecoder custom = new PayloadDecoder("id", "n", "time");
    DecodedMessage m =
        custom.decode(
            "t", "{\"id\":\"x\",\"n\":4,\"time\":1763900000000}".getBytes(StandardCharsets.UTF_8));

    assertThat(m).isEqualTo(new DecodedMessage("x", 4, 1_763_900_000_000_000L));
  }

  private DecodedMessage decode(String json) {
    return decoder.decode("topic/x", json.getBytes(StandardCharsets.UTF_8));
  }
}
