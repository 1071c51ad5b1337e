package io.outpost.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pack body format: what goes in comes out, in order, with a few bytes per message. */
class PackCodecTest {
  private static final long BASE = SpoolKeys.id(15, 123_456_789_012L);

  private static SpoolEntry entry(byte[] payload, long ttl, String contentType, long receivedAt) {
    return new SpoolEntry(
        "route", 15, "t/x", payload, 1, ttl, List.of(), contentType, null, receivedAt);
  }

  @Test
  void everyFieldRoundTripsIncludingLargeGapsAndEarlierReceiveTimes() {
    byte[] props = PropertiesCodec.encode(List.of(Map.entry("k", "välue")));
    PackCodec.Writer writer = new PackCodec.Writer();
    writer.add(BASE, 3, 70_000, -1, entry(new byte[0], 0, null, 1_800_000_000_000L), null, 32);
    writer.add(
        BASE + 1,
        4,
        5,
        0,
        entry("x".getBytes(StandardCharsets.UTF_8), 60_000, "text/plain", 1_799_999_999_000L),
        props,
        99);
    writer.add(
        BASE + 5_000_000_000L,
        3,
        6,
        Long.MAX_VALUE >>> 2,
        entry(new byte[65_536], 0, null, 1_800_000_500_000L),
        null,
        65_600);
    assertThat(writer.firstId()).isEqualTo(BASE);
    assertThat(writer.lastId()).isEqualTo(BASE + 5_000_000_000L);
    assertThat(writer.expiresMin()).isEqualTo(1_799_999_999_000L + 60_000);

    PackCodec.Reader reader = new PackCodec.Reader(BASE, writer.body());
    assertThat(reader.next()).isTrue();
    assertThat(reader.index()).isZero();
    assertThat(reader.id).isEqualTo(BASE);
    assertThat(reader.routeId).isEqualTo(3);
    assertThat(reader.topicId).isEqualTo(70_000);
    assertThat(reader.originId).isEqualTo(-1);
    assertThat(reader.qos).isEqualTo(1);
    assertThat(reader.payload()).isEmpty();
    assertThat(reader.props()).isNull();
    assertThat(reader.contentType()).isNull();
    assertThat(reader.expiresAt()).isZero();
    assertThat(reader.receivedAt).isEqualTo(1_800_000_000_000L);
    assertThat(reader.size).isEqualTo(32);

    assertThat(reader.next()).isTrue();
    assertThat(reader.id).isEqualTo(BASE + 1);
    assertThat(reader.originId).isZero();
    assertThat(reader.receivedAt).isEqualTo(1_799_999_999_000L);
    assertThat(reader.ttlMillis).isEqualTo(60_000);
    assertThat(reader.contentType()).isEqualTo("text/plain");
    assertThat(PropertiesCodec.decode(reader.props())).containsExactly(Map.entry("k", "välue"));
    assertThat(new String(reader.payload(), StandardCharsets.UTF_8)).isEqualTo("x");

    assertThat(reader.next()).isTrue();
    assertThat(reader.index()).isEqualTo(2);
    assertThat(reader.id).isEqualTo(BASE + 5_000_000_000L);
    assertThat(reader.originId).isEqualTo(Long.MAX_VALUE >>> 2);
    assertThat(reader.payload()).hasSize(65_536);
    assertThat(reader.size).isEqualTo(65_600);
    assertThat(reader.next()).isFalse();
  }

  @Test
  void aSmallMessageCostsAFewBytesOfHeader() {
    PackCodec.Writer oneDevice = new PackCodec.Writer();
    PackCodec.Writer fourDevices = new PackCodec.Writer();
    for (int i = 0; i < 40; i++) {
      SpoolEntry entry = entry(new byte[200], 0, null, 1_800_000_000_000L + i);
      oneDevice.add(BASE + i, 1, 2, 3, entry, null, 250);
      fourDevices.add(BASE + i, 1, 10 + i % 4, 20 + i % 4, entry, null, 250);
    }
    // flags, id delta, received delta and size beyond the payload: a byte each; payload length: two
    assertThat(headerPerMessage(oneDevice, 40)).isLessThanOrEqualTo(6.2);
    // and the topic and origin of a device other than the previous message's: a byte each
    assertThat(headerPerMessage(fourDevices, 40)).isLessThanOrEqualTo(8.2);
    PackCodec.Reader reader = new PackCodec.Reader(BASE, fourDevices.body());
    for (int i = 0; i < 40; i++) {
      assertThat(reader.next()).isTrue();
      assertThat(reader.topicId).isEqualTo(10 + i % 4);
      assertThat(reader.originId).isEqualTo(20 + i % 4);
      assertThat(reader.routeId).isEqualTo(1);
      assertThat(reader.size).isEqualTo(250);
    }
    assertThat(reader.next()).isFalse();
  }

  private static double headerPerMessage(PackCodec.Writer writer, int messages) {
    return (writer.body().length - 1 - messages * 200) / (double) messages;
  }

  @Test
  void idsMustIncreaseWithinAPack() {
    PackCodec.Writer writer = new PackCodec.Writer();
    writer.add(BASE + 2, 1, 2, -1, entry(new byte[1], 0, null, 1), null, 33);
    assertThatThrownBy(
            () -> writer.add(BASE + 1, 1, 2, -1, entry(new byte[1], 0, null, 1), null, 33))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aBodyOfAnUnknownFormatIsRefused() {
    assertThatThrownBy(() -> new PackCodec.Reader(BASE, new byte[] {9, 0}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("unknown format");
  }
}
