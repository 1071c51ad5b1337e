package io.outpost.sim.payload;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Reads the device id, sequence number and timestamp from the top level of a JSON payload with
 * Jackson's streaming parser (no tree is built, nested objects are skipped).
 *
 * <p>Timestamps may be epoch milliseconds ({@code {ts}}) or microseconds ({@code {tsMicros}}, the
 * default payload): values below {@value #MICROS_THRESHOLD} are taken as milliseconds. That cut-off
 * is the year 5138 in milliseconds and 1973 in microseconds, so the two can never be confused.
 */
public final class PayloadDecoder {

  /** Default field names, matching {@link SizedPayload}. */
  public static final String DEFAULT_DEVICE_FIELD = "deviceId";

  public static final String DEFAULT_SEQ_FIELD = "seq";
  public static final String DEFAULT_TS_FIELD = "ts";

  static final long MICROS_THRESHOLD = 100_000_000_000_000L;

  private static final JsonFactory JSON = new JsonFactory();

  private final String deviceField;
  private final String seqField;
  private final String tsField;

  public PayloadDecoder(String deviceField, String seqField, String tsField) {
    this.deviceField = deviceField;
    this.seqField = seqField;
    this.tsField = tsField;
  }

  /** A decoder for the default field names. */
  public static PayloadDecoder defaults() {
    return new PayloadDecoder(DEFAULT_DEVICE_FIELD, DEFAULT_SEQ_FIELD, DEFAULT_TS_FIELD);
  }

  /**
   * Decodes {@code payload}; a payload that is not a JSON object yields a message with neither
   * sequence nor timestamp, which the consumer counts as undecodable.
   */
  public DecodedMessage decode(String topic, byte[] payload) {
    String device = null;
    long seq = DecodedMessage.ABSENT;
    long ts = DecodedMessage.ABSENT;
    try (JsonParser p = JSON.createParser(payload)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return new DecodedMessage(topic, seq, ts);
      }
      for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if (name.equals(deviceField) && value == JsonToken.VALUE_STRING) {
          device = p.getText();
        } else if (name.equals(seqField) && value == JsonToken.VALUE_NUMBER_INT) {
          seq = p.getLongValue();
        } else if (name.equals(tsField) && value == JsonToken.VALUE_NUMBER_INT) {
          long raw = p.getLongValue();
          ts = raw < MICROS_THRESHOLD ? raw * 1000L : raw;
        } else {
          p.skipChildren();
        }
      }
    } catch (IOException e) {
      // Not JSON (or truncated): report what was read so far; the consumer counts it.
      return new DecodedMessage(device == null ? topic : device, seq, ts);
    }
    return new DecodedMessage(device == null ? topic : device, seq, ts);
  }
}
