package io.outpost.function.runtime.invoke;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.outpost.function.Message;
import io.outpost.function.PayloadFormatException;
import io.outpost.function.UserProperty;
import io.outpost.function.runtime.InboundMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The runtime's {@link Message}: an {@link InboundMessage} with JSON access through the function's
 * own mapper.
 */
public final class MessageView implements Message {

  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};
  private final InboundMessage in;
  private final ObjectMapper mapper;
  private Object parsed;
  private boolean isParsed;

  public MessageView(InboundMessage in, ObjectMapper mapper) {
    this.in = in;
    this.mapper = mapper;
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
      try {
        parsed = mapper.readValue(in.payload(), Object.class);
      } catch (JsonProcessingException e) {
        throw new PayloadFormatException(
            "payload on " + in.topic() + " is not JSON: " + e.getOriginalMessage(), e);
      } catch (IOException e) {
        throw new PayloadFormatException("payload on " + in.topic() + " is unreadable", e);
      }
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
    return mapper.convertValue(value, MAP);
  }

  @Override
  public <T> T jsonAs(Class<T> type) {
    try {
      return mapper.readValue(in.payload(), type);
    } catch (JsonProcessingException e) {
      throw new PayloadFormatException(
          "payload on "
              + in.topic()
              + " does not fit "
              + type.getName()
              + ": "
              + e.getOriginalMessage(),
          e);
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
    return in.receivedAt();
  }

  @Override
  public int qos() {
    return in.qos();
  }
}
