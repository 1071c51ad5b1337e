package io.outpost.examples;

import io.outpost.function.Context;
import io.outpost.function.Handler;
import io.outpost.function.Message;
import io.outpost.function.Publication;
import java.util.List;
import java.util.Map;

/**
 * On-demand example: for readings like {@code {"celsius": 31.5}} on {@code
 * sensors/<id>/temperature}, publishes {@code alerts/<id>/temperature} when the value is above the
 * configured {@code threshold} (default 30).
 */
public class ThresholdAlert implements Handler {

  static final double DEFAULT_THRESHOLD = 30.0;

  @Override
  public List<Publication> handle(Message message, Context context) {
    double threshold =
        Double.parseDouble(context.config().getOrDefault("threshold", "" + DEFAULT_THRESHOLD));
    String sensor = message.topic().split("/")[1];
    double celsius =
        message
            .number("celsius")
            .orElseThrow(
                () -> new IllegalArgumentException("no numeric 'celsius' in " + message.topic()));
    if (celsius <= threshold) {
      return List.of();
    }
    context.logger().info("sensor {} at {} C is above {} C", sensor, celsius, threshold);
    return List.of(
        Publication.json(
                "alerts/" + sensor + "/temperature",
                Map.of(
                    "sensor", sensor,
                    "celsius", celsius,
                    "threshold", threshold,
                    "at", message.receivedAt().toString()))
            .withQos(1));
  }
}
