package io.outpost.cloud;

import io.outpost.spool.SpooledMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns leased messages into cloud publishes: one per message (the stable id as MQTT 5 user
 * property {@value #ID_PROPERTY}), or batch envelopes up to the configured size. Messages too large
 * for the cloud are set aside for the dead-letter table.
 */
final class PublishPacker {
  /** User property carrying the stable spool id on unbatched MQTT 5 publishes. */
  static final String ID_PROPERTY = "outpost-id";

  static final String ENVELOPE_CONTENT_TYPE = "application/vnd.outpost.batch+json";

  /** The result of packing one lease. */
  record Packed(List<PublishUnit> units, List<SpooledMessage> tooLarge) {}

  private final CloudOptions options;
  private final CloudPayloadLimit payloadLimit;
  private final BatchEnvelope envelope;
  private final String batchTopic;

  PublishPacker(CloudOptions options) {
    this.options = options;
    this.payloadLimit = CloudPayloadLimit.of(options);
    this.envelope = new BatchEnvelope(options.clientId());
    this.batchTopic = options.resolvedBatchTopic();
  }

  Packed pack(List<SpooledMessage> leased) {
    return options.batching().enabled() ? batched(leased) : single(leased);
  }

  private Packed single(List<SpooledMessage> leased) {
    List<PublishUnit> units = new ArrayList<>(leased.size());
    List<SpooledMessage> tooLarge = new ArrayList<>();
    boolean properties = options.mqttVersion() == MqttVersion.V5;
    for (SpooledMessage message : leased) {
      if (!payloadLimit.fits(message)) {
        tooLarge.add(message);
        continue;
      }
      List<Map.Entry<String, String>> props = List.of();
      if (properties) {
        props = new ArrayList<>(message.entry().userProperties().size() + 1);
        props.addAll(message.entry().userProperties());
        props.add(Map.entry(ID_PROPERTY, Long.toString(message.id())));
      }
      units.add(
          new PublishUnit(
              List.of(message),
              message.entry().topic(),
              message.entry().payload(),
              message.entry().qos(),
              props,
              message.entry().contentType(),
              false));
    }
    return new Packed(units, tooLarge);
  }

  private Packed batched(List<SpooledMessage> leased) {
    int limit = options.batching().maxBytes();
    int maxMessages = options.batching().maxMessages();
    List<PublishUnit> units = new ArrayList<>();
    List<SpooledMessage> tooLarge = new ArrayList<>();
    List<SpooledMessage> current = new ArrayList<>();
    List<byte[]> parts = new ArrayList<>();
    int size = envelope.overhead();
    for (SpooledMessage message : leased) {
      if (!payloadLimit.fits(message)) {
        tooLarge.add(message);
        continue;
      }
      byte[] part = envelope.encode(message);
      int added = part.length + (parts.isEmpty() ? 0 : 1);
      if (!parts.isEmpty() && (size + added > limit || parts.size() >= maxMessages)) {
        units.add(unit(current, parts));
        current = new ArrayList<>();
        parts = new ArrayList<>();
        size = envelope.overhead();
        added = part.length;
      }
      current.add(message);
      parts.add(part);
      size += added;
    }
    if (!parts.isEmpty()) {
      units.add(unit(current, parts));
    }
    return new Packed(units, tooLarge);
  }

  private PublishUnit unit(List<SpooledMessage> messages, List<byte[]> parts) {
    List<Map.Entry<String, String>> props =
        options.mqttVersion() == MqttVersion.V5
            ? List.of(Map.entry(ID_PROPERTY + "-count", Integer.toString(messages.size())))
            : List.of();
    return new PublishUnit(
        List.copyOf(messages),
        batchTopic,
        envelope.assemble(parts),
        1,
        props,
        ENVELOPE_CONTENT_TYPE,
        true);
  }
}
