package io.outpost.function.testing;

import com.fasterxml.jackson.core.type.TypeReference;
import io.outpost.function.Message;
import io.outpost.function.PayloadFormatException;
import io.outpost.function.UserProperty;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The handler's view of a {@link TestMessage}, with the runtime's JSON rules and messages. */
final class TestMessageView implements Message {

  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private final TestMessage in;
  private final Instant receivedAt;
  private Object parsed;
  private boolean isParsed;

  TestMessageView(TestMessage in, Instant receivedAt) {
    this.in = in;
    this.receivedAt = receivedAt;
  }

  @Override
  public String topic() {
    return in.topic();
  }

  @Override
  public byte[] payload() {
    return in.payload().clone();
  }

  @Override
  public String payloadAsString() {
    return new String(in.payload(), StandardCharsets.UTF_8);
  }

  @Override
  public Object json() {
    if (!isParsed) {
      parsed = read(Object.class, "is not JSON");
      isParsed = true;
    }
    return parsed;
  }

  @Override
  public Map<String, Object> jsonObject() {
    Object value = json();
    if (!(value instanceof Map)) {
      throw new PayloadFormatException(
          "payload on " + in.topic() + " is JSON but not an object", null);
    }
    return TestJson.MAPPER.convertValue(value, MAP);
  }

  @Override
  public <T> T jsonAs(Class<T> type) {
    return read(type, "does not fit " + type.getName());
  }

  private <T> T read(Class<T> type, String failure) {
    try {
      return TestJson.MAPPER.readValue(in.payload(), type);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new PayloadFormatException(
          "payload on " + in.topic() + " " + failure + ": " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new PayloadFormatException("payload on " + in.topic() + " is unreadable", e);
    }
  }

  @Override
  public Optional<Double> number(String path) {
    Object node = json();
    for (String field : path.split("\\.")) {
      if (!(node instanceof Map<?, ?> map)) {
        return Optional.empty();
      }
      node = map.get(field);
    }
    return node instanceof Number n ? Optional.of(n.doubleValue()) : Optional.empty();
  }

  @Override
  public List<UserProperty> userProperties() {
    return in.userProperties();
  }

  @Override
  public Optional<String> publisherClientId() {
    return Optional.ofNullable(in.publisherClientId());
  }

  @Override
  public Instant receivedAt() {
    return receivedAt;
  }

  @Override
  public int qos() {
    return in.qos();
  }
}
