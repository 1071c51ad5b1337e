package io.outpost.cloud;

import io.outpost.spool.SpooledMessage;
import java.util.List;
import java.util.Map;

/** One cloud publish: a single spooled message, or a batch envelope of several. */
record PublishUnit(List<SpooledMessage> messages, String topic, byte[] payload, int qos,
    List<Map.Entry<String, String>> userProperties, String contentType, boolean batch) {

  List<Long> ids() {
    return messages.stream().map(SpooledMessage::id).toList();
  }
}
