package io.outpost.function.runtime.invoke;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.outpost.function.runtime.InboundMessage;
import io.outpost.function.runtime.OutboundMessage;
import io.outpost.function.runtime.Outcome;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the JSON record published to {@code outpost/functions/<name>/errors} for every failed
 * invocation.
 */
public final class ErrorRecords {

  /** QoS of error records: at least once, so a routed error reaches the cloud spool. */
  static final int ERROR_QOS = 1;

  private final ObjectMapper json = new ObjectMapper();
  private final Clock clock;

  public ErrorRecords(Clock clock) {
    this.clock = clock;
  }

  public static String topic(String function) {
    return "outpost/functions/" + function + "/errors";
  }

  OutboundMessage record(
      String function, String version, Outcome outcome, String error, InboundMessage cause) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("function", function);
    body.put("version", version);
    body.put("outcome", outcome.tag());
    body.put("error", error);
    body.put("topic", cause.topic());
    body.put("publisherClientId", cause.publisherClientId());
    body.put("receivedAt", cause.receivedAt().toString());
    body.put("at", clock.instant().toString());
    try {
      return new OutboundMessage(
          topic(function), json.writeValueAsBytes(body), ERROR_QOS, false, List.of(), function);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise an error record of plain strings", e);
    }
  }
}
