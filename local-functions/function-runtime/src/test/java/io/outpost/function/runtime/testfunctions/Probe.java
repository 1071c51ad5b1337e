package io.outpost.function.runtime.testfunctions;

import io.outpost.function.Context;
import io.outpost.function.Handler;
import io.outpost.function.Message;
import io.outpost.function.Publication;
import java.util.List;
import java.util.Map;

/** Reports which classes its class loader can see, and echoes JSON access results. */
public class Probe implements Handler {
  @Override
  public List<Publication> handle(Message message, Context context) {
    return List.of(
        Publication.json(
            "probe",
            Map.of(
                "jackson", visible("com.fasterxml.jackson.databind.ObjectMapper"),
                "runtime", visible("io.outpost.function.runtime.FunctionRuntime"),
                "slf4j", visible("org.slf4j.Logger"),
                "api", visible("io.outpost.function.Handler"),
                "celsius", message.number("reading.celsius").orElse(-1.0),
                "unit", message.jsonAs(Reading.class).unit())));
  }

  private static boolean visible(String name) {
    try {
      Class.forName(name, false, Probe.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  /** Bound by the runtime's Jackson from a class of the function's own loader. */
  public record Reading(String unit) {}
}
