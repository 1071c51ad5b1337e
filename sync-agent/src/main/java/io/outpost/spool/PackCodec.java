package io.outpost.spool;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Binary form of a pack's body: the messages of one priority that one commit stored, in id order,
 * each with a few bytes of header instead of a row of its own (see {@code PackTable}).
 *
 * <p>Body: a format byte, then per message: a flags byte (QoS in bits 0–1, then which optional
 * parts follow), the id delta from the previous message (the first: from the pack's id, so 0), the
 * route, topic and origin name ids where they differ from the previous message's (origin + 1, 0 for
 * none), the received time (the first absolute, the next as a zig-zag delta from the previous one),
 * the accounted size less the payload's length, then the optional time to live, content type and
 * user properties and the payload, each with its length. All integers are unsigned LEB128 varints:
 * a 200-byte message from a device that also sent the one before costs 6 bytes more.
 */
final class PackCodec {
  static final int FORMAT = 1;

  private static final int QOS_MASK = 0x03;
  private static final int HAS_TTL = 0x04;
  private static final int HAS_CONTENT_TYPE = 0x08;
  private static final int HAS_PROPS = 0x10;
  private static final int NEW_ROUTE = 0x20;
  private static final int NEW_TOPIC = 0x40;
  private static final int NEW_ORIGIN = 0x80;

  /**
   * Before a pack's first message: no name id equals it, so the first message carries all three.
   */
  private static final long NONE = Long.MIN_VALUE;

  private PackCodec() {}

  /** Appends messages to a body, in id order. */
  static final class Writer {
    private byte[] buf = new byte[8192];
    private int length;
    private long firstId = -1;
    private long lastId;
    private long lastReceived;
    private int count;
    private long expiresMin;
    private long lastRoute = NONE;
    private long lastTopic = NONE;
    private long lastOrigin = NONE;

    Writer() {
      put(FORMAT);
    }

    void add(
        long id,
        long routeId,
        long topicId,
        long originId,
        SpoolEntry entry,
        byte[] props,
        int size) {
      if (firstId < 0) {
        firstId = id;
        lastId = id;
      }
      if (id < lastId) {
        throw new IllegalArgumentException("pack ids must increase: " + id + " after " + lastId);
      }
      byte[] contentType =
          entry.contentType() == null ? null : entry.contentType().getBytes(StandardCharsets.UTF_8);
      long origin = originId < 0 ? -1 : originId;
      int flags =
          (entry.qos() & QOS_MASK)
              | (entry.ttlMillis() > 0 ? HAS_TTL : 0)
              | (contentType != null ? HAS_CONTENT_TYPE : 0)
              | (props != null ? HAS_PROPS : 0)
              | (routeId != lastRoute ? NEW_ROUTE : 0)
              | (topicId != lastTopic ? NEW_TOPIC : 0)
              | (origin != lastOrigin ? NEW_ORIGIN : 0);
      ensure(
          64
              + entry.payload().length
              + (contentType == null ? 0 : contentType.length)
              + (props == null ? 0 : props.length));
      buf[length++] = (byte) flags;
      varint(id - lastId);
      if ((flags & NEW_ROUTE) != 0) {
        varint(routeId);
      }
      if ((flags & NEW_TOPIC) != 0) {
        varint(topicId);
      }
      if ((flags & NEW_ORIGIN) != 0) {
        varint(origin + 1);
      }
      varint(
          count == 0 ? entry.receivedAtMillis() : zigzag(entry.receivedAtMillis() - lastReceived));
      varint(zigzag(size - entry.payload().length));
      if (entry.ttlMillis() > 0) {
        varint(entry.ttlMillis());
        long expires = entry.expiresAtMillis();
        expiresMin = expiresMin == 0 ? expires : Math.min(expiresMin, expires);
      }
      if (contentType != null) {
        bytes(contentType);
      }
      if (props != null) {
        bytes(props);
      }
      bytes(entry.payload());
      lastId = id;
      lastRoute = routeId;
      lastTopic = topicId;
      lastOrigin = origin;
      lastReceived = entry.receivedAtMillis();
      count++;
    }

    boolean isEmpty() {
      return count == 0;
    }

    long firstId() {
      return firstId;
    }

    long lastId() {
      return lastId;
    }

    /** Earliest expiry among the messages, 0 when none expires. */
    long expiresMin() {
      return expiresMin;
    }

    byte[] body() {
      return Arrays.copyOf(buf, length);
    }

    private void bytes(byte[] value) {
      varint(value.length);
      System.arraycopy(value, 0, buf, length, value.length);
      length += value.length;
    }

    private void varint(long value) {
      long v = value;
      while ((v & ~0x7FL) != 0) {
        buf[length++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[length++] = (byte) v;
    }

    private void put(int b) {
      ensure(1);
      buf[length++] = (byte) b;
    }

    private void ensure(int more) {
      if (length + more + 40 > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, length + more + 40));
      }
    }
  }

  /**
   * Steps through a body's messages; after {@link #next()} the fields describe the current one.
   * Payload, properties and content type are decoded only when asked for.
   */
  static final class Reader {
    private final byte[] body;
    private int pos;
    private int index = -1;
    long id;
    long routeId;
    long topicId;

    /** Origin name id, or -1 for none. */
    long originId;

    int qos;
    long ttlMillis;
    long receivedAt;
    int size;
    private int contentTypeAt = -1;
    private int contentTypeLength;
    private int propsAt = -1;
    private int propsLength;
    private int payloadAt;
    private int payloadLength;

    Reader(long packId, byte[] body) {
      this.body = body;
      if (body.length == 0 || body[0] != FORMAT) {
        throw new IllegalStateException(
            "spool pack " + packId + " has an unknown format " + (body.length == 0 ? -1 : body[0]));
      }
      this.pos = 1;
      this.id = packId;
    }

    /** Moves to the next message; false at the end of the body. */
    boolean next() {
      if (pos >= body.length) {
        return false;
      }
      index++;
      int flags = body[pos++] & 0xFF;
      qos = flags & QOS_MASK;
      id += varint();
      if ((flags & NEW_ROUTE) != 0) {
        routeId = varint();
      }
      if ((flags & NEW_TOPIC) != 0) {
        topicId = varint();
      }
      if ((flags & NEW_ORIGIN) != 0) {
        originId = varint() - 1;
      }
      long received = varint();
      receivedAt = index == 0 ? received : receivedAt + unzigzag(received);
      long sizeBeyondPayload = unzigzag(varint());
      ttlMillis = (flags & HAS_TTL) != 0 ? varint() : 0;
      contentTypeAt = -1;
      if ((flags & HAS_CONTENT_TYPE) != 0) {
        contentTypeLength = (int) varint();
        contentTypeAt = pos;
        pos += contentTypeLength;
      }
      propsAt = -1;
      if ((flags & HAS_PROPS) != 0) {
        propsLength = (int) varint();
        propsAt = pos;
        pos += propsLength;
      }
      payloadLength = (int) varint();
      payloadAt = pos;
      pos += payloadLength;
      size = (int) (payloadLength + sizeBeyondPayload);
      if (pos > body.length) {
        throw new IllegalStateException("spool pack body is truncated");
      }
      return true;
    }

    /** Position of the current message in the pack, from 0. */
    int index() {
      return index;
    }

    long expiresAt() {
      return ttlMillis == 0 ? 0 : receivedAt + ttlMillis;
    }

    byte[] payload() {
      return Arrays.copyOfRange(body, payloadAt, payloadAt + payloadLength);
    }

    byte[] props() {
      return propsAt < 0 ? null : Arrays.copyOfRange(body, propsAt, propsAt + propsLength);
    }

    String contentType() {
      return contentTypeAt < 0
          ? null
          : new String(body, contentTypeAt, contentTypeLength, StandardCharsets.UTF_8);
    }

    private long varint() {
      long result = 0;
      int shift = 0;
      while (true) {
        byte b = body[pos++];
        result |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return result;
        }
        shift += 7;
      }
    }
  }

  private static long zigzag(long v) {
    return (v << 1) ^ (v >> 63);
  }

  private static long unzigzag(long v) {
    return (v >>> 1) ^ -(v & 1);
  }
}
