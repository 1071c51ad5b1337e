package io.outpost.spool;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Compact binary form of MQTT 5 user properties for the {@code props} column: count, then key/value
 * pairs.
 */
final class PropertiesCodec {
  private PropertiesCodec() {}

  static byte[] encode(List<Map.Entry<String, String>> properties) {
    if (properties.isEmpty()) {
      return null;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 * properties.size());
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeShort(properties.size());
      for (Map.Entry<String, String> property : properties) {
        out.writeUTF(property.getKey());
        out.writeUTF(property.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("encoding user properties", e);
    }
    return bytes.toByteArray();
  }

  static List<Map.Entry<String, String>> decode(byte[] encoded) {
    if (encoded == null || encoded.length == 0) {
      return List.of();
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded))) {
      int count = in.readUnsignedShort();
      List<Map.Entry<String, String>> properties = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        properties.add(Map.entry(in.readUTF(), in.readUTF()));
      }
      return properties;
    } catch (IOException e) {
      throw new UncheckedIOException("decoding user properties", e);
    }
  }
}
