package io.outpost.function.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.outpost.function.PayloadFormatException;
import io.outpost.function.Publication;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The testkit's JSON: the same mapper settings as the daemon's function runtime, so a handler sees
 * and produces the same JSON here as when deployed. Jackson is relocated into the testkit's jar, so
 * it never appears on a function author's class path.
 */
final class TestJson {

  static final ObjectMapper MAPPER =
      new ObjectMapper()
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  private TestJson() {}

  /** Serialises a publication as the runtime does: JSON bodies through the mapper, bytes as is. */
  static PublishedMessage encode(Publication publication) {
    byte[] payload;
    if (publication.isJson()) {
      try {
        payload = MAPPER.writeValueAsBytes(publication.jsonBody());
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
    return new PublishedMessage(
        publication.topic(),
        payload,
        publication.qos(),
        publication.retain(),
        publication.userProperties());
  }

  /** Parses a document into plain Java values, or fails the test saying what was not JSON. */
  static Object parse(String json, String what) {
    try {
      return MAPPER.readValue(json, Object.class);
    } catch (JsonProcessingException e) {
      throw new AssertionError(what + " is not JSON: " + e.getOriginalMessage() + ": " + json, e);
    }
  }

  /** Same JSON value: members in any order, numbers by value. */
  static boolean sameJson(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) {
      return new BigDecimal(x.toString()).compareTo(new BigDecimal(y.toString())) == 0;
    }
    if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
      if (!x.keySet().equals(y.keySet())) {
        return false;
      }
      for (Map.Entry<?, ?> e : x.entrySet()) {
        if (!sameJson(e.getValue(), y.get(e.getKey()))) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      Iterator<?> i = y.iterator();
      for (Object item : x) {
        if (!sameJson(item, i.next())) {
          return false;
        }
      }
      return true;
    }
    return a == null ? b == null : a.equals(b);
  }

  /** The value as compact JSON with object members sorted by name, for failure messages. */
  static String canonical(Object value) {
    try {
      return MAPPER.writeValueAsString(sorted(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("parsed JSON cannot be written back", e);
    }
  }

  private static Object sorted(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> out = new TreeMap<>();
      map.forEach((k, v) -> out.put(String.valueOf(k), sorted(v)));
      return out;
    }
    if (value instanceof List<?> list) {
      return list.stream().map(TestJson::sorted).toList();
    }
    return value;
  }
}
