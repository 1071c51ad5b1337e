/**
 * MQTT topic names and filters: validation, matching and the subscription tree. Depends on the JDK
 * only.
 */
module io.outpost.topic {
  exports io.outpost.topic;
}
