package io.outpost.examples;

import io.outpost.function.Context;
import io.outpost.function.Handler;
import io.outpost.function.Message;
import io.outpost.function.Publication;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pinned, stateful example: folds each sensor's {@code {"celsius": x}} readings into fixed windows
 * of {@code windowSeconds} (default 10) by receive time, and publishes one summary per closed
 * window to {@code downsampled/<id>/temperature}. A window closes when the sensor's first reading
 * of a later window arrives. Runs with {@code maxConcurrency: 1}, so plain fields are safe.
 */
public class Downsampler implements Handler {

  static final long DEFAULT_WINDOW_SECONDS = 10;

  private final Map<String, Window> windows = new HashMap<>();

  @Override
  public List<Publication> handle(Message message, Context context) {
    long windowMillis =
        1000
            * Long.parseLong(
                context.config().getOrDefault("windowSeconds", "" + DEFAULT_WINDOW_SECONDS));
    String sensor = message.topic().split("/")[1];
    double celsius =
        message
            .number("celsius")
            .orElseThrow(
                () -> new IllegalArgumentException("no numeric 'celsius' in " + message.topic()));
    long start = message.receivedAt().toEpochMilli() / windowMillis * windowMillis;
    Window current = windows.get(sensor);
    Publication closed = null;
    if (current == null || current.start != start) {
      if (current != null) {
        closed = current.summary(sensor, windowMillis);
      }
      current = new Window(start);
      windows.put(sensor, current);
    }
    current.add(celsius);
    return closed == null ? List.of() : List.of(closed);
  }

  /** Running aggregate of one sensor's window. */
  private static final class Window {
    final long start;
    int count;
    double sum;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;

    Window(long start) {
      this.start = start;
    }

    void add(double value) {
      count++;
      sum += value;
      min = Math.min(min, value);
      max = Math.max(max, value);
    }

    Publication summary(String sensor, long windowMillis) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("sensor", sensor);
      body.put("windowStart", Instant.ofEpochMilli(start).toString());
      body.put("windowEnd", Instant.ofEpochMilli(start + windowMillis).toString());
      body.put("count", count);
      body.put("avg", sum / count);
      body.put("min", min);
      body.put("max", max);
      return Publication.json("downsampled/" + sensor + "/temperature", body);
    }
  }
}
