package io.outpost.function.runtime.sandbox.jvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.outpost.function.UserProperty;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A request line as a child JVM decodes it, streamed from its bytes. */
@Timeout(10)
class ChildRequestTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static ChildRequest parse(String line) throws IOException {
    return ChildRequest.parse(line.getBytes(StandardCharsets.UTF_8), JSON);
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void decodesEveryFieldTheDaemonSendsAndSkipsUnknownOnes() throws Exception {
    ChildRequest r =
        parse(
            "{\"id\":42,\"invocationId\":\"3f9a0c21d7e4\",\"function\":\"f\",\"version\":\"1\","
                + "\"topic\":\"sensors/s7\",\"payloadBase64\":\""
                + b64("héllo bytes")
                + "\",\"qos\":1,\"clientId\":\"dev-7\",\"receivedAt\":\"2026-11-23T15:00:00.123Z\","
                + "\"receivedAtMillis\":1795446000123,\"future\":{\"nested\":[1,{\"a\":2}]},"
                + "\"userProperties\":[{\"name\":\"unit\",\"value\":\"F\"},{\"name\":\"k\",\"value\":\"v\"}],"
                + "\"timeoutMillis\":1998}");

    assertThat(r.id()).isEqualTo(42);
    assertThat(r.timeoutMillis()).isEqualTo(1998);
    assertThat(r.message().topic()).isEqualTo("sensors/s7");
    assertThat(new String(r.message().payload(), StandardCharsets.UTF_8)).isEqualTo("héllo bytes");
    assertThat(r.message().qos()).isEqualTo(1);
    assertThat(r.message().publisherClientId()).isEqualTo("dev-7");
    assertThat(r.message().receivedAt()).isEqualTo(Instant.ofEpochMilli(1795446000123L));
    assertThat(r.message().userProperties())
        .containsExactly(new UserProperty("unit", "F"), new UserProperty("k", "v"));
  }

  @Test
  void withoutEpochMillisTheIsoTimeIsParsedAndWithoutEitherItIsNow() throws Exception {
    Instant before = Instant.now();

    assertThat(
            parse("{\"id\":1,\"receivedAt\":\"2026-11-23T15:00:00.123456Z\"}")
                .message()
                .receivedAt())
        .isEqualTo(Instant.parse("2026-11-23T15:00:00.123456Z"));
    assertThat(parse("{\"id\":1}").message().receivedAt()).isAfterOrEqualTo(before);
  }

  @Test
  void aJsonPayloadBecomesItsJsonBytesAndMissingFieldsTakeTheProtocolDefaults() throws Exception {
    ChildRequest r = parse("{\"id\":\"7\",\"payload\":{\"celsius\":35.0},\"clientId\":null}");

    assertThat(r.id()).isEqualTo(7);
    assertThat(JSON.readTree(r.message().payload()).get("celsius").asDouble()).isEqualTo(35.0);
    assertThat(r.message().topic()).isEmpty();
    assertThat(r.message().qos()).isZero();
    assertThat(r.message().publisherClientId()).isNull();
    assertThat(r.message().userProperties()).isEmpty();
    assertThat(r.timeoutMillis()).isZero();
    assertThat(new String(parse("{\"id\":2}").message().payload(), StandardCharsets.UTF_8))
        .isEqualTo("null");
  }

  @Test
  void aLineThatIsNotAJsonObjectIsRefused() {
    assertThatThrownBy(() -> parse("[1,2]")).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> parse("{\"id\":")).isInstanceOf(IOException.class);
  }
}
