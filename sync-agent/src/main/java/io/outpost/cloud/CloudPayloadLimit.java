package io.outpost.cloud;

import io.outpost.spool.SpoolEntry;
import io.outpost.spool.SpooledMessage;

/**
 * The largest message the cloud link can send, as the drain measures it: the payload against {@code
 * cloud.maxMessageBytes}, or, with batching on, the message's envelope encoding against {@code
 * min(batching.maxBytes, maxMessageBytes)}. The daemon asks it at ingress, so a message the link
 * could never send is refused to the device instead of being acknowledged and then dead-lettered.
 */
public final class CloudPayloadLimit {

  /**
   * Reason prefix of a dead letter (and tag of the drop counters) for a message the link cannot
   * send.
   */
  public static final String TOO_LARGE = "too-large";

  private final CloudOptions options;
  private final BatchEnvelope envelope;

  private CloudPayloadLimit(CloudOptions options) {
    this.options = options;
    this.envelope = new BatchEnvelope(options.clientId());
  }

  /** The limit of a cloud link configured with {@code options}. */
  public static CloudPayloadLimit of(CloudOptions options) {
    return new CloudPayloadLimit(options);
  }

  /**
   * Whether the drain could send {@code entry} (the id it would get does not change the size
   * noticeably).
   */
  public boolean fits(SpoolEntry entry) {
    return fits(new SpooledMessage(Long.MAX_VALUE, entry, 0));
  }

  boolean fits(SpooledMessage message) {
    if (!options.batching().enabled()) {
      return message.entry().payload().length <= options.maxMessageBytes();
    }
    SpoolEntry e = message.entry();
    long base64 = (e.payload().length + 2L) / 3 * 4;
    if (envelope.overhead() + base64 > maxBytes()) {
      return false;
    }
    if (envelope.overhead() + base64 + metadataBound(e) <= maxBytes()) {
      return true; // clearly fits: no need to encode it on the ingest path
    }
    return envelope.overhead() + envelope.encode(message).length <= maxBytes();
  }

  /**
   * At most the bytes an envelope entry needs besides its payload (every character as a six-byte
   * JSON escape).
   */
  private static long metadataBound(SpoolEntry e) {
    long chars =
        e.route().length()
            + e.topic().length()
            + (e.contentType() == null ? 0 : e.contentType().length())
            + (e.originClientId() == null ? 0 : e.originClientId().length());
    for (var p : e.userProperties()) {
      chars += p.getKey().length() + p.getValue().length() + 8;
    }
    return 160 + chars * 6;
  }

  /**
   * The bound publishes are measured against: {@code maxMessageBytes}, or the smaller batch size.
   */
  public int maxBytes() {
    return options.batching().enabled()
        ? Math.min(options.batching().maxBytes(), options.maxMessageBytes())
        : options.maxMessageBytes();
  }

  /**
   * What a too-large message is refused or dead-lettered with, naming the bound and its config key.
   */
  public String reason(int payloadBytes) {
    String key =
        options.batching().enabled() && options.batching().maxBytes() < options.maxMessageBytes()
            ? "cloud.batching.maxBytes"
            : "cloud.maxMessageBytes";
    return TOO_LARGE
        + ": "
        + payloadBytes
        + "-byte payload does not fit in a cloud publish of at most "
        + maxBytes()
        + " bytes ("
        + key
        + ")";
  }
}
