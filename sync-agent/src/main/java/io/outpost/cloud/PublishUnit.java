package io.outpost.cloud;

import io.outpost.spool.SpooledMessage;
import java.util.List;
import java.util.Map;

/**
 * One cloud publish: a single spooled message, or a batch envelope of several. Equality is
 * identity: a unit is the key of the drain's in-flight map, and the record's generated hash would
 * walk every message, topic and user property of each publish on the drain's hot path (a profile of
 * the unbatched drain showed it among the top frames).
 */
record PublishUnit(
    List<SpooledMessage> messages,
    String topic,
    byte[] payload,
    int qos,
    List<Map.Entry<String, String>> userProperties,
    String contentType,
    boolean batch) {

  @Override
  public boolean equals(Object other) {
    return this == other;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(this);
  }

  List<Long> ids() {
    return messages.stream().map(SpooledMessage::id).toList();
  }
}
