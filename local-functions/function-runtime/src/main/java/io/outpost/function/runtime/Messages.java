package io.outpost.function.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.outpost.function.Message;
import io.outpost.function.PayloadFormatException;
import io.outpost.function.Publication;
import io.outpost.function.runtime.invoke.MessageView;

/**
 * Converts between the runtime's messages and the handler API's, with the runtime's JSON rules.
 * Public so the function testkit behaves exactly like the daemon.
 */
public final class Messages {

  private static final ObjectMapper SHARED = newMapper();

  private Messages() {}

  /** A {@link Message} view of an inbound message (JSON access included). */
  public static Message view(InboundMessage message) {
    return new MessageView(message, SHARED);
  }

  /** Encodes a handler's publication for the host, serialising JSON bodies. */
  public static OutboundMessage encode(String function, Publication publication) {
    return encode(function, publication, SHARED);
  }

  public static OutboundMessage encode(
      String function, Publication publication, ObjectMapper mapper) {
    byte[] payload;
    if (publication.isJson()) {
      try {
        payload = mapper.writeValueAsBytes(publication.jsonBody());
      } catch (JsonProcessingException e) {
        throw new PayloadFormatException(
            "cannot serialise publication to "
                + publication.topic()
                + " as JSON: "
                + e.getOriginalMessage(),
            e);
      }
    } else {
      payload = publication.payload();
    }
    return new OutboundMessage(
        publication.topic(),
        payload,
        publication.qos(),
        publication.retain(),
        publication.userProperties(),
        function);
  }

  /**
   * A mapper per function version, so Jackson's caches never pin a retired version's class loader.
   */
  public static ObjectMapper newMapper() {
    return new ObjectMapper()
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .registerModule(new JavaTimeModule())
        .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
  }
}
