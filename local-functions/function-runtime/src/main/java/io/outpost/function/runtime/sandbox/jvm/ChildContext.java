package io.outpost.function.runtime.sandbox.jvm;

import io.outpost.function.Context;
import io.outpost.function.FunctionLogger;
import io.outpost.function.Publication;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The {@link Context} of one invocation in a child JVM; a publication goes to the daemon at once
 * (publishNow).
 */
final class ChildContext implements Context {

  private final String name;
  private final String version;
  private final Map<String, String> config;
  private final FunctionLogger logger;
  private final long deadlineNanos;
  private final Consumer<Publication> publishNow;

  ChildContext(
      String name,
      String version,
      Map<String, String> config,
      FunctionLogger logger,
      Duration timeout,
      Consumer<Publication> publishNow) {
    this.publishNow = publishNow;
    this.name = name;
    this.version = version;
    this.config = Map.copyOf(config);
    this.logger = logger;
    this.deadlineNanos = System.nanoTime() + timeout.toNanos();
  }

  @Override
  public String functionName() {
    return name;
  }

  @Override
  public String functionVersion() {
    return version;
  }

  @Override
  public Map<String, String> config() {
    return config;
  }

  @Override
  public FunctionLogger logger() {
    return logger;
  }

  @Override
  public Duration remainingTime() {
    return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
  }

  @Override
  public void publish(Publication publication) {
    publishNow.accept(publication);
  }
}
